"""Why a learner's file could not be imported, said with the fix (``xpnet check``'s exit 2).

:func:`unimportable` reads the error that stopped a file's import before it defined a class and
returns the message, or None where the learner's own traceback says it best. It knows:

- an import that no folder answers, also one in another of the learner's modules: its line,
  where xpnet looked, and the fix (the folder; where the repository has the module in another
  folder, that one; a library's ``pip install``);
- an import of one of the book's own files that no folder holds and no stand-in answers
  (``common/util.py``, ``ch05/two_layer_net.py``): that file, and where to copy it from;
- an import beyond xpnet's stand-in of the book's ``common/``;
- a package folder that holds no Python file: a git submodule not checked out (``.gitmodules``
  names it: ``git submodule update --init``), or an empty folder;
- an import spelled in another case than its folder (``MNIST_Dataset`` for ``MNIST_dataset/``,
  which macOS finds);
- a module of the learner's package, mistyped (``common.grdient``): the close name it holds;
- syntax of a newer Python than this one (``def f[T](...)``, ``type X = ...``: Python 3.12),
  with the version the repository's ``.python-version`` asks for.
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

from ..backends import LIBRARIES
from .folders import other_case
from .locating import _brief, learner_frames
from .standin import REPOSITORY, book_file

__all__ = ["unimportable"]

SKIPPED = {"venv", "site-packages", "node_modules", "__pycache__"}  # no learner's module there
BOOK_FOLDERS = {"common", "dataset"}  # the book's own packages (and its chNN folders)
OTHER_LIBRARIES = {  # libraries learners' files import, by import name: what pip installs
    "matplotlib": "matplotlib",  # (the array libraries' own classes say theirs)
    "pylab": "matplotlib",
    "PIL": "pillow",
    "sklearn": "scikit-learn",
    "cv2": "opencv-python",
    "scipy": "scipy",
    "pandas": "pandas",
    "tqdm": "tqdm",
    "tensorflow": "tensorflow",
    "keras": "keras",
    "torchvision": "torchvision",
    "seaborn": "seaborn",
    "skimage": "scikit-image",
    "japanize_matplotlib": "japanize-matplotlib",
    "IPython": "ipython",
    "ipywidgets": "ipywidgets",
    "plotly": "plotly",
    "h5py": "h5py",
    "yaml": "pyyaml",
    "imageio": "imageio",
}
NEWER_SYNTAX = (  # (a line that only a newer Python parses, what it is, that Python)
    (re.compile(r"^\s*(async\s+)?def\s+\w+\s*\["), "type parameters (def f[T](...))", (3, 12)),
    (re.compile(r"^\s*class\s+\w+\s*\["), "type parameters (class C[T]: ...)", (3, 12)),
    (re.compile(r"^\s*type\s+\w+\s*(\[.*\])?\s*="), "a type statement (type X = ...)", (3, 12)),
    (re.compile(r"^\s*except\s*\*"), "an except* clause", (3, 11)),
)


def unimportable(path: Path, imported) -> str | None:
    """The message for the error that stopped ``path``'s import (``imported``, from
    :func:`~xpnet.check.importing.import_file`) before it defined a class; None where the
    learner's traceback says it best."""
    error = imported.error
    if isinstance(error, SyntaxError):
        return _newer_syntax(path, error)
    if not isinstance(error, ImportError):
        return None
    name = getattr(error, "name", None) or ""
    top = name.split(".")[0]
    if top and top in imported.stood_in:
        return _beyond_stand_in(path, imported, name)
    if not top:
        return None
    if isinstance(error, ModuleNotFoundError) and _found_nowhere(imported, top):
        return _not_found(path, imported, name)
    if isinstance(error, ModuleNotFoundError) and book_file(name):  # common/ lacks util.py
        return _book_module(path, imported, name)
    empty = next((p / top for p in imported.places if _holds_no_python(p / top)), None)
    if empty:
        return _empty_folder(path, imported, name, empty)
    return (
        _mistyped_module(path, imported, name) if isinstance(error, ModuleNotFoundError) else None
    )


def _mistyped_module(path: Path, imported, name: str) -> str | None:
    """A module of a package the learner has, mistyped (common.grdient for common.gradient):
    the one close name its folder holds; None where there is none."""
    package, _, module = name.rpartition(".")
    folders = [p.joinpath(*package.split(".")) for p in imported.places if package]
    for folder in (f for f in folders if f.is_dir()):
        names = [p.stem for p in folder.glob("*.py")] + [
            p.name for p in folder.iterdir() if p.is_dir()
        ]
        close = difflib.get_close_matches(
            module, [n for n in names if n != module], n=2, cutoff=0.8
        )
        if len(close) == 1:
            return (
                f"{_line(path, imported.error)} imports {name}, but {folder} holds no {module}.py;"
                f" it holds {close[0]}.py: a typo? import {package}.{close[0]}"
            )
    return None


def _line(path: Path, error: BaseException) -> str:
    """``FILE.py line N`` of the learner's frame that raised; the file's name without one."""
    frames = learner_frames(error)
    return f"{Path(frames[-1].filename).name} line {frames[-1].lineno}" if frames else path.name


def _found_nowhere(imported, top: str) -> bool:
    """Whether no place xpnet check looked in holds ``top`` (the file's own imports were
    looked up before the import; a module the learner's other modules import, here)."""
    if top in imported.missing:
        return True
    return not any(
        (place / top).is_dir() or (place / f"{top}.py").is_file() for place in imported.places
    )


def _not_found(path: Path, imported, name: str) -> str:
    """The import that no folder answers: which line, where xpnet looked, the fix."""
    line, top = _line(path, imported.error), name.split(".")[0]
    install = _pip_install(top)
    if install:
        return (
            f"{line} imports {name}, a library this Python does not have: install it with {install}"
        )
    looked = ", ".join(str(p) for p in imported.places)
    said = (
        f"{line} imports {name}, but no folder holds {'an' if top[0] in 'aeiouAEIOU' else 'a'}"
        f" {top}/ package or {top}.py: xpnet check"
        f" looked beside {path.name}, in the folders above it up to the repository's root and in"
        f" the current folder ({looked})."
    )
    cased = other_case(imported.places, top)
    if cased:
        return (
            f"{said} {cased} differs from {top} in case only: macOS and Windows, whose file"
            f" names ignore case, find it there; this system does not: import {cased.stem} as"
            " the folder spells it (or rename the folder)"
        )
    elsewhere = _elsewhere(path, top)
    if elsewhere:
        shown = ", ".join(str(p) for p in elsewhere)
        dotted = ".".join(elsewhere[0].with_suffix("").parts)
        return (
            f"{said} The repository has {shown}, in another folder (moved?): import it from"
            f" there (from {dotted} import ..., run from the repository's root), or put it"
            f" back beside {path.name}"
        )
    if book_file(top):
        return _book_module(path, imported, top)
    return f"{said} Put {top}/ (the book's, or yours) in one of them" + (
        ""
        if top in BOOK_FOLDERS or top.startswith("ch")
        else f"; or, if {top} is a library, install it: {Path(sys.executable).name} -m pip"
        f" install {top}"
    )


def _book_module(path: Path, imported, name: str) -> str:
    """An import of one of the book's own files that no folder holds: which file, and where
    to copy it from (never pip: these are no libraries)."""
    package, _, module = name.rpartition(".")
    where = next((p / package for p in imported.places if package and (p / package).is_dir()), None)
    copy = (
        f"Copy it from the book's repository, {REPOSITORY}, "
        + (f"into your {package}/" if where else f"beside {path.name}")
        + " (or put your own there); it is no library to install"
    )
    said = f"{_line(path, imported.error)} imports {name}, the book's {book_file(name)}"
    if where:  # the learner's package is there, without this module
        return f"{said}, but your {package}/ ({where}) lacks {module}.py. {copy}"
    looked = ", ".join(str(p) for p in imported.places)
    return (
        f"{said}, which no folder holds: xpnet check looked beside {path.name}, in the folders"
        f" above it up to the repository's root and in the current folder ({looked}). {copy}"
    )


def _elsewhere(path: Path, top: str, *, most: int = 3) -> list[Path]:
    """Where else in path's git repository a ``top.py`` or ``top/`` package lies, relative to the
    repository's root (the folder with .git; none without one: the home folder is not searched),
    at most ``most``, the shallowest first."""
    root = next((p for p in path.parents if (p / ".git").exists()), None)
    if root is None:
        return []
    found = []
    for place in sorted(root.rglob(f"{top}*"), key=lambda p: len(p.parts)):
        relative = place.relative_to(root)
        if any(part.startswith(".") or part in SKIPPED for part in relative.parts):
            continue
        if (place.name == f"{top}.py" and place.is_file()) or (
            place.name == top and (place / "__init__.py").is_file()
        ):
            found.append(relative)
    return found[:most]


def _pip_install(top: str) -> str | None:
    """The command that installs the library imported as ``top``; None for a name not known."""
    python = Path(sys.executable).name
    for library in LIBRARIES.values():
        if library.module == top:
            return library.pip_install(python)
    return f"{python} -m pip install {OTHER_LIBRARIES[top]}" if top in OTHER_LIBRARIES else None


def _beyond_stand_in(path: Path, imported, name: str) -> str:
    """An import of the book's common/ that xpnet's stand-in of it does not answer."""
    top = name.split(".")[0]
    looked = ", ".join(str(p) for p in imported.places)
    return (
        f"{_brief(imported.error)}. No folder holds a {top}/ package (xpnet check looked"
        f" in {looked}), and xpnet's stand-in of the book's {top}/ has only what chapters 4-5"
        f" use ({top}.functions, {top}.gradient, {top}.layers with Relu, Sigmoid, Affine and"
        f" SoftmaxWithLoss). Put {top}/ (the book's, or yours) beside {path.name} or in the"
        " folder above it"
    )


def _holds_no_python(folder: Path) -> bool:
    """Whether folder exists and holds no Python file, at any depth."""
    return folder.is_dir() and next(folder.rglob("*.py"), None) is None


def _empty_folder(path: Path, imported, name: str, folder: Path) -> str:
    """An import of a package whose folder holds no Python file: a submodule not checked out?"""
    said = f"{_line(path, imported.error)} imports {name}, but {folder} holds no Python file"
    submodule = _submodule(folder)
    if submodule is None:
        return f"{said}: put the {folder.name} package's files there"
    root, url = submodule
    return (
        f"{said}: it is a git submodule of the repository in {root} ({url}), not checked out."
        f" Fetch it: git -C {root} submodule update --init (or clone with git clone"
        " --recurse-submodules)"
    )


def _submodule(folder: Path) -> tuple[Path, str] | None:
    """(the repository's root, the url) where a .gitmodules above folder names it; else None."""
    for root in folder.parents:
        try:
            text = (root / ".gitmodules").read_text(encoding="utf-8", errors="replace")
        except OSError:
            if (root / ".git").exists():
                return None
            continue
        entries = re.split(r"^\s*\[submodule\b", text, flags=re.M)[1:]
        for entry in entries:
            fields = dict(re.findall(r"^\s*(\w+)\s*=\s*(.*?)\s*$", entry, flags=re.M))
            if fields.get("path", "").strip("/") == folder.relative_to(root).as_posix():
                return root, fields.get("url", "no url in .gitmodules")
        return None
    return None


def _newer_syntax(path: Path, error: SyntaxError) -> str | None:
    """A line that a newer Python than this one parses: which, and that Python; else None."""
    text = error.text or ""
    if not text and error.filename and error.lineno:
        lines = Path(error.filename).read_text(encoding="utf-8", errors="replace").splitlines()
        text = lines[error.lineno - 1] if 0 < error.lineno <= len(lines) else ""
    for pattern, what, version in NEWER_SYNTAX:
        if pattern.match(text) and sys.version_info < version:
            file = Path(error.filename).name if error.filename else path.name
            wanted = _python_version(Path(error.filename or path))
            asked = f" (the repository's .python-version asks for {wanted})" if wanted else ""
            return (
                f"{file} line {error.lineno} uses {what}, syntax of Python"
                f" {version[0]}.{version[1]} and later; this is Python {sys.version_info[0]}."
                f"{sys.version_info[1]} ({sys.executable}). Check with xpnet installed in a Python"
                f" >= {version[0]}.{version[1]}{asked}"
            )
    return None


def _python_version(file: Path) -> str | None:
    """The version a .python-version beside the file or above it (up to the repository's
    root) names; None where there is none."""
    for folder in file.parents:
        try:
            return (folder / ".python-version").read_text(encoding="utf-8").split()[0]
        except (OSError, IndexError):
            if (folder / ".git").exists():
                return None
    return None
