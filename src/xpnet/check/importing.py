"""Importing a learner's file as it runs for them: its folders, offline MNIST, a time limit.

:func:`import_file` imports ``FILE.py`` as a module named ``xpnet_check_<stem>`` (never
``__main__``, so its ``if __name__ == "__main__":`` block does not run), as ``python FILE.py``
would find its imports, and more:

- **folders**: the file's own folder comes first on ``sys.path`` (as for a script). For each
  top-level module the file imports (``common``, ``dataset``, ``ch03``...), read from its source
  and from the learner's modules it reaches, that is not installed, the folder that holds it is
  looked for in the file's folder, its ancestors up to the repository's root (the folder with
  ``.git``), and the current folder; the nearest answers the import where the path the file
  sets up itself (``sys.path.append(os.pardir)``, an absolute path of another machine) finds
  nothing, and a note says so. Nothing else from there runs.
  Same-named modules imported before are set aside meanwhile, and the learner's modules are
  dropped from ``sys.modules`` afterwards, so each check imports its own.
- **MNIST offline**: ``load_mnist`` of the book's ``dataset/mnist.py`` (any module named
  ``mnist`` that defines one, or a stand-in where the file imports ``dataset.mnist`` and there is
  none) and ``xpnet.load_mnist`` answer from the bundled sample, with the book's arguments.
- **top-level work**: what the module prints is kept, not shown; it runs under a time limit
  (``time_limit`` seconds, where the platform has SIGALRM). When the top-level code raises or
  runs out of time *after* defining classes, the module as defined by then is returned with a
  note naming the line: training at import is the usual cause.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import os
import signal
import sys
import sysconfig
import threading
import traceback
from pathlib import Path

__all__ = ["ImportTimeout", "Imported", "import_file"]

TIME_LIMIT = 20.0  # seconds of top-level code before xpnet check stops it
SCANNED = 60  # learner modules read for their imports, at most


class ImportTimeout(BaseException):  # not Exception: a learner's `except Exception` goes on
    """The file's top-level code ran past the time limit."""


class Imported:
    """The module (as far as its top-level code got), the notes to print, and the error that
    stopped its top-level code (None when it ran to the end)."""

    def __init__(self, module, notes, error, missing=(), places=()) -> None:
        self.module, self.notes, self.error = module, notes, error
        self.missing, self.places = set(missing), list(places)  # names found nowhere; where looked


def import_file(path: Path, *, time_limit: float = TIME_LIMIT) -> Imported:
    """Import the file at ``path`` (absolute) as described above. The learner's exceptions
    pass through unless the module already defines a class; see :class:`Imported`."""
    folder = path.parent
    name = f"xpnet_check_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    found, missing = find_folders(path)
    others = {name: where for where, names in found.items() if where != folder for name in names}
    folders = [folder, *dict.fromkeys(others.values())]
    shadowed = _set_aside(set().union(*(_local_names(f) for f in folders)))
    before = set(sys.modules)
    sys.path.insert(0, str(folder))
    printed = io.StringIO()
    finder, fallback = _OfflineMnist(stand_in="dataset" in missing), _Fallback(others)
    sys.meta_path.insert(0, finder)
    sys.meta_path.append(fallback)  # after the path the learner's own code sets up
    error = None
    try:
        with _xpnet_mnist_offline(), contextlib.redirect_stdout(printed), _limit(time_limit):
            spec.loader.exec_module(module)
    except (Exception, ImportTimeout) as raised:
        error = raised
    finally:
        sys.meta_path.remove(finder)
        sys.meta_path.remove(fallback)
        sys.path.remove(str(folder))
        for added in set(sys.modules) - before:  # the learner's own modules (common.layers ...)
            if _within(getattr(sys.modules[added], "__file__", None), folders) or (
                added.split(".")[0] == "dataset" and finder.made
            ):
                del sys.modules[added]
        sys.modules.update(shadowed)
        for entry in [e for e in sys.path_importer_cache if not os.path.isabs(e)]:
            del sys.path_importer_cache[entry]  # '..' was resolved from this check's folder
    notes = [
        f"{path.name} imports {name}, found in {where} ({_relation(where, folder)}): on the"
        " path for this import"
        for name, where in others.items()
        if name in fallback.used
    ]
    if finder.answered:
        notes.append(f"MNIST for {path.name}'s top-level code came from xpnet's bundled sample")
    lines = printed.getvalue().count("\n")
    if lines:
        notes.append(f"{path.name}'s top-level code printed {lines} line(s), not shown")
    return Imported(module, notes, error, missing, _places(folder))


def find_folders(path: Path) -> tuple[dict[Path, list[str]], set[str]]:
    """{folder: [names]} for the top-level modules path's code imports that are not installed,
    each in the nearest folder that holds it; and the set of names found nowhere."""
    places = _places(path.parent)
    found: dict[Path, list[str]] = {}
    missing: set[str] = set()
    queue, read, asked = [path], set(), set()
    while queue and len(read) < SCANNED:
        source = queue.pop(0)
        if source in read:
            continue
        read.add(source)
        for name, parts in _imports(source):
            if name in asked:
                continue
            asked.add(name)
            where = next((p for p in places if _offers(p, name)), None)
            if where is None:
                if not _installed_module(name):
                    missing.add(name)
                continue
            if where != path.parent and _installed_module(name):
                continue  # an installed package wins, as for the learner
            found.setdefault(where, []).append(name)
            queue += _module_files(where, name, parts)
    return found, missing


def _places(folder: Path) -> list[Path]:
    """The file's folder, its ancestors up to the repository's root, the current folder."""
    places = [folder]
    for parent in folder.parents:
        if (places[-1] / ".git").exists():
            break
        places.append(parent)
        if parent == Path.home() or parent.parent == parent:
            break
    cwd = Path.cwd()
    return places + ([cwd] if cwd not in places else [])


def _imports(source: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(top-level name, dotted parts) of every absolute import in the file."""
    try:
        tree = ast.parse(source.read_text(encoding="utf-8", errors="replace"))
    except (SyntaxError, OSError, ValueError):
        return []
    names = []
    for node in ast.walk(tree):
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
    if (where / ".git").exists():
        return "the repository's root"
    depth = len(folder.relative_to(where).parts) if where in folder.parents else 0
    return "the folder above it" if depth == 1 else f"{depth} folders above it"


class _Fallback(importlib.abc.MetaPathFinder):
    """Finds the top-level modules that the learner's path does not, each in its folder."""

    def __init__(self, folders: dict[str, Path]) -> None:
        self.folders, self.used = folders, set()

    def find_spec(self, fullname, path=None, target=None):
        where = self.folders.get(fullname) if path is None else None
        spec = importlib.machinery.PathFinder.find_spec(fullname, [str(where)]) if where else None
        if spec is not None:
            self.used.add(fullname)
        return spec


class _OfflineMnist(importlib.abc.MetaPathFinder):
    """Answers the book's load_mnist from the bundled sample: any module named ``mnist`` that
    defines load_mnist gets the sample's, and ``dataset.mnist`` is made when there is none."""

    def __init__(self, *, stand_in: bool) -> None:
        self.stand_in, self.made, self.answered = stand_in, False, False

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "dataset" and self.stand_in:  # no dataset/ anywhere: the stand-in's
            if importlib.machinery.PathFinder.find_spec(fullname, path) is None:
                self.made = True
                return importlib.util.spec_from_loader(fullname, _Package(), is_package=True)
        if fullname.rsplit(".", 1)[-1] != "mnist":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None:
            if not (self.stand_in and fullname == "dataset.mnist"):
                return None
            self.made = True
            return importlib.util.spec_from_loader(fullname, _Loader(self, None))
        spec.loader = _Loader(self, spec.loader)
        return spec


class _Package(importlib.abc.Loader):
    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        module.__path__ = []


class _Loader(importlib.abc.Loader):
    def __init__(self, finder: _OfflineMnist, inner) -> None:
        self.finder, self.inner = finder, inner

    def create_module(self, spec):
        return self.inner.create_module(spec) if self.inner else None

    def exec_module(self, module) -> None:
        if self.inner is not None:
            self.inner.exec_module(module)
            if not callable(getattr(module, "load_mnist", None)):
                return
        module.load_mnist = self.load_mnist

    def load_mnist(self, normalize=True, flatten=True, one_hot_label=False, **_):
        from ..datasets import load_mnist_sample

        self.finder.answered = True
        return load_mnist_sample(normalize=normalize, flatten=flatten, one_hot_label=one_hot_label)


@contextlib.contextmanager
def _xpnet_mnist_offline():
    """xpnet.load_mnist answers from the sample while the file is imported."""
    import xpnet
    import xpnet.datasets as datasets

    from ..datasets import load_mnist_sample

    def load_mnist(normalize=True, flatten=True, one_hot_label=False, **_):
        return load_mnist_sample(normalize=normalize, flatten=flatten, one_hot_label=one_hot_label)

    saved = xpnet.load_mnist, datasets.load_mnist
    xpnet.load_mnist = datasets.load_mnist = load_mnist
    try:
        yield
    finally:
        xpnet.load_mnist, datasets.load_mnist = saved


@contextlib.contextmanager
def _limit(seconds: float):
    """Raise ImportTimeout in the main thread after ``seconds`` (where SIGALRM exists)."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable or not seconds:
        yield
        return

    def stop(signum, frame):
        raise ImportTimeout(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def stopped_at(error: BaseException, path: Path) -> int | None:
    """The line of path where error stopped its top-level code."""
    lines = [
        f.lineno for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == path
    ]
    return lines[-1] if lines else None


def _within(file: str | None, folders: list[Path]) -> bool:
    file = os.path.abspath(file) if file else ""
    return bool(file) and any(file.startswith(str(f) + os.sep) for f in folders)


def _local_names(folder: Path) -> set[str]:
    """The top-level modules and packages the folder offers to an import (common, utils, ...)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return set()
    return {
        p.stem if p.suffix == ".py" else p.name
        for p in entries
        if (p.suffix == ".py" or p.is_dir()) and p.stem.isidentifier()
    }


def _set_aside(names: set[str]) -> dict:
    """Take out of sys.modules the modules of these names (and their submodules) that are the
    user's own files, not installed packages or the standard library; return them."""
    installed = _installed()
    taken = {
        key: module
        for key, module in sys.modules.items()
        if key.split(".", 1)[0] in names
        and not (getattr(module, "__file__", None) or "").startswith(installed)
        and getattr(module, "__file__", None)
        and not key.startswith("xpnet")
    }
    for key in taken:
        del sys.modules[key]
    return taken


def _installed() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple({paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")})
