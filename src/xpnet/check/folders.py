"""The folders that answer a learner's imports, searched for around the file it checks.

``python FILE.py`` puts the file's own folder first on ``sys.path``; the book's files reach
further, to ``common/``, ``dataset/`` or ``ch03/`` beside their folder, through a path they set up
themselves (``sys.path.append(os.pardir)``, an absolute path of another machine). For each
top-level module the file imports, read from its source and from the learner's modules it reaches
(:data:`SCANNED` files at most), that is not installed, :func:`find_folders` looks for the folder
that holds it in the file's folder, its ancestors up to the repository's root (the folder with
``.git``), and the current folder (:func:`_places`), and in the folders that the learner's own
``sys.path.append("../03. Neural Net")`` names, read from the file's folder as ``python FILE.py``
run there reads them (:func:`_path_entries`); for an import in another of the learner's modules,
first beside that module (``common/layers.py``'s ``from functions import *``: Python 2 looked
there, Python 3 does not); :class:`xpnet.check.fallback._Fallback` answers the import from
the nearest one where the learner's own path finds nothing (:func:`_relation` says where, for the
note). Nothing else from there runs.

:func:`_parsed` and :func:`_imports` read a file's source, never run it (so does
:mod:`xpnet.check.packages`, the package a file runs in); :func:`_installed`: the folders of the
standard library and of installed packages, which are never the learner's. The modules set
aside while the learner's file imports are :mod:`xpnet.check.fallback`'s.
"""

from __future__ import annotations

import ast
import importlib.machinery
import os
import re
import sys
import sysconfig
from pathlib import Path

__all__ = ["SCANNED", "find_folders", "other_case"]

SCANNED = 60  # learner modules read for their imports, at most


def find_folders(path: Path) -> tuple[dict[Path, list[str]], set[str], dict[Path, str]]:
    """{folder: [names]} for the top-level modules path's code imports that are not installed,
    each in the nearest folder that holds it; the set of names found nowhere; and {folder: how
    it was found} for the folders that the learner's own ``sys.path.append(...)`` names
    (:func:`_path_entries`)."""
    places = _places(path.parent)
    found: dict[Path, list[str]] = {}
    missing: set[str] = set()
    named: dict[Path, str] = {}
    queue, read = [path], set()
    where_of: dict[str, Path | None] = {}  # each name's folder, None where it is not the learner's
    while queue and len(read) < SCANNED:
        source = queue.pop(0)
        if source in read:
            continue
        read.add(source)
        entries = _path_entries(source, path)
        for folder, said in entries.items():
            if folder not in places:  # those are said by where they are (the folder above)
                named.setdefault(folder, said)
        for name, parts in _imports(source):
            if name not in where_of:
                where_of[name] = _where(name, source, path, places, list(entries), found, missing)
            if where_of[name] is not None:  # each module of it that is imported is read
                queue += _module_files(where_of[name], name, parts)
    return found, missing, {folder: named[folder] for folder in found if folder in named}


def _where(name, source, path, places, entries, found, missing) -> Path | None:
    """The folder that answers ``name`` imported in ``source`` (recorded in found), or None
    (recorded in missing where nothing installed answers it either): beside source (Python 2's
    way), in path's folder, in the folders source's sys.path.append(...) names, in the others."""
    beside = [source.parent] if source.parent not in places else []
    order = beside + places[:1] + [e for e in entries if e not in places] + places[1:]
    where = next((p for p in order if _offers(p, name)), None)
    if where is None:
        if not _installed_module(name):
            missing.add(name)
        return None
    if where != path.parent and _installed_module(name):
        return None  # an installed package wins, as for the learner
    found.setdefault(where, []).append(name)
    return where


def _path_entries(source: Path, path: Path) -> dict[Path, str]:
    """{folder: how it was found} for each existing folder that source's own
    ``sys.path.append(X)`` or ``sys.path.insert(i, X)`` names, where X is plain text (a string,
    ``os.pardir``, ``os.path.join`` or ``+`` of them, never run): a relative X read from the
    folder of path (the file checked), as when the learner runs ``python FILE.py`` there, and
    from source's folder."""
    tree, text = _parsed(source)
    entries: dict[Path, str] = {}
    for node in ast.walk(tree) if tree else ():
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "insert")
            and ast.unparse(node.func.value) == "sys.path"
            and len(node.args) == (1 if node.func.attr == "append" else 2)
        ):
            continue
        value = _text_of(node.args[-1])
        if value is None or (os.path.isdir(value) and os.path.isabs(value)):
            continue  # an absolute path that is here is the learner's path already
        code = ast.get_source_segment(text, node) or ast.unparse(node)
        if _foreign(value):  # another machine's path: its tail, in this repository
            folder = _in_repository(value, path)
            if folder is not None and folder not in entries:
                entries[folder] = (
                    f"named by {source.name}'s {code}, a path of another machine whose end is"
                    f" {folder.name}/ of this repository"
                )
            continue
        windows = "\\" in value and os.sep != "\\"  # "..\\lib": Windows's separator
        for base in dict.fromkeys([path.parent, source.parent]):
            folder = Path(os.path.normpath(base / value))
            if windows and not folder.is_dir():
                folder = Path(os.path.normpath(base / value.replace("\\", "/")))
            if folder.is_dir() and folder not in entries:
                how = " (Windows's \\ read as /)" if windows else ""
                entries[folder] = (
                    f"named by {source.name}'s {code}, read from {base.name}/{how} as python runs"
                    f" {path.name} there"
                )
    return entries


def _text_of(node) -> str | None:
    """The text that a string, os.pardir, os.curdir, os.path.join(...) or a + of them is; None
    for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    code = ast.unparse(node)
    if code in ("os.pardir", "os.curdir"):
        return os.pardir if code == "os.pardir" else os.curdir
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text_of(node.left), _text_of(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "os.path.join" and node.args:
        parts = [_text_of(a) for a in node.args]
        return None if None in parts or node.keywords else os.path.join(*parts)
    return None


def _foreign(value: str) -> bool:
    """Whether value is an absolute path (POSIX, ``~``, or Windows's ``C:\\...``) that is no
    folder here."""
    absolute = os.path.isabs(value) or value.startswith("~") or re.match(r"[A-Za-z]:[\\/]", value)
    return bool(absolute) and not os.path.isdir(os.path.expanduser(value))


def _in_repository(value: str, path: Path) -> Path | None:
    """The folder of path's repository that the absolute path value of the learner's own
    machine names (``/Users/someone/DLFS/ch03`` for ``ch03/`` where the repository is a copy of
    DLFS): the longest tail of its parts that is a folder under path's folder or one of its
    ancestors up to the repository's root (a tail that starts with the folder's own name read
    from the folder); None where no tail is one."""
    parts = [p for p in re.split(r"[\\/]+", value) if p and p not in ("~", ".")]
    parts = parts[1:] if parts and re.fullmatch(r"[A-Za-z]:", parts[0]) else parts
    for i in range(len(parts)):
        tail = parts[i:]
        for base in _ancestors(path.parent) if ".." not in tail else ():
            folder = base.joinpath(*tail[1:]) if tail[0] == base.name else base.joinpath(*tail)
            if folder.is_dir():
                return folder
    return None


def _places(folder: Path) -> list[Path]:
    """The file's folder, its ancestors up to the repository's root (the home folder where
    no .git marks one, never the filesystem's root), the current folder."""
    places = _ancestors(folder)
    cwd = Path.cwd()
    return places + ([cwd] if cwd not in places else [])


def _ancestors(folder: Path) -> list[Path]:
    """The folder and its ancestors up to the repository's root (see :func:`_places`)."""
    places = [folder]
    for parent in folder.parents:
        if (places[-1] / ".git").exists() or places[-1] == Path.home() or parent.parent == parent:
            break
        places.append(parent)
    return places


def _parsed(source: Path) -> tuple[ast.Module | None, str]:
    """The file's syntax tree (None where it does not parse) and its text (a notebook's code
    cells, :func:`~xpnet.check.notebook.script`)."""
    from .notebook import is_notebook, script

    try:
        text = script(source) if is_notebook(source) else source.read_text("utf-8", "replace")
        return ast.parse(text), text
    except (SyntaxError, OSError, ValueError):  # NotebookError is a ValueError
        return None, ""


def _imports(source: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(top-level name, dotted parts) of every absolute import in the file."""
    tree, _ = _parsed(source)
    names = []
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.Import):
            names += [(a.name.split(".")[0], tuple(a.name.split("."))) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append((node.module.split(".")[0], tuple(node.module.split("."))))
    return names


def _offers(folder: Path, name: str) -> bool:
    return (folder / f"{name}.py").is_file() or (folder / name).is_dir()


def _module_files(folder: Path, name: str, parts: tuple[str, ...]) -> list[Path]:
    """The files an import of parts from folder reads: the module, or its package's modules."""
    target = folder.joinpath(*parts)
    if target.with_suffix(".py").is_file():
        return [target.with_suffix(".py")]
    base = folder / name
    if base.is_dir():
        return sorted(base.rglob("*.py"))[:SCANNED]
    return [base.with_suffix(".py")] if base.with_suffix(".py").is_file() else []


def _installed_module(name: str) -> bool:
    if name in sys.builtin_module_names or name in sys.stdlib_module_names:
        return True
    try:
        spec = importlib.machinery.PathFinder.find_spec(name, [p for p in sys.path if p])
    except (ImportError, ValueError):
        return False
    origin = (spec.origin or "") if spec else ""
    locations = list(spec.submodule_search_locations or []) if spec else []
    return bool(spec) and any(str(p).startswith(_installed()) for p in [origin, *locations])


def _relation(where: Path, folder: Path) -> str:
    if where == Path.cwd() and where not in folder.parents:
        return "the current folder"
    if where != folder and where not in folder.parents:
        return "beside the module that imports it, as Python 2 found it"
    if (where / ".git").exists():
        return "the repository's root"
    depth = len(folder.relative_to(where).parts) if where in folder.parents else 0
    return "the folder above it" if depth == 1 else f"{depth} folders above it"


def _installed() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple({paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")})


def other_case(places, top: str) -> Path | None:
    """The package or module of a place that is ``top`` but for case (MNIST_dataset/ for
    ``import MNIST_Dataset``, written on macOS); None where none is."""
    for place in (p for p in places if p.is_dir()):
        for entry in place.iterdir():
            named = entry.name if entry.is_dir() else entry.stem if entry.suffix == ".py" else ""
            if named != top and named.lower() == top.lower():
                return entry
    return None
