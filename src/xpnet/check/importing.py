"""Importing a learner's file as it runs for them: its folders, offline MNIST, a time limit.

:func:`import_file` imports ``FILE.py`` as a module named ``xpnet_check_<stem>`` (never
``__main__``, so its ``if __name__ == "__main__":`` block does not run), as ``python FILE.py``
would find its imports, and more:

- **folders**: the file's own folder comes first on ``sys.path`` (as for a script); the folders
  that hold the other modules it imports answer where the path the file sets up itself finds
  nothing, with a note (:mod:`xpnet.check.folders`, :mod:`xpnet.check.fallback`). The
  learner's modules are dropped from ``sys.modules`` afterwards, so each check imports its own.
- **the book's common/, where the learner's repository has none**: a top-level ``common`` that no
  folder holds is answered by xpnet's stand-in of it (:mod:`xpnet.check.standin`), with a note.
- **Google Colab's google.colab**, where it is not installed: a stand-in whose calls
  (``drive.mount``) do nothing (:mod:`xpnet.check.colab`). An ``os.chdir`` into a folder that is
  not on this machine (Colab's Drive, another machine's home) is skipped, with a note naming the
  line, and the file runs on from its own folder; the current folder is restored after.
- **MNIST offline**: the book's ``load_mnist`` and ``xpnet.load_mnist`` answer from the bundled
  sample, with the book's arguments (:mod:`xpnet.check.offline`).
- **a notebook exported as a script** (``jupyter nbconvert --to script``): its
  ``get_ipython().run_line_magic(...)`` lines find a stand-in that does nothing, with a note;
  standard input is empty, so an ``input()`` at import ends at once instead of waiting unseen.
- **arguments**: ``sys.argv`` is ``[FILE.py]``, as for ``python FILE.py`` run with none, so an
  ``argparse`` parser at import takes its defaults (not ``xpnet check``'s own arguments); an
  exit at import (``sys.exit()``, a parser refusing to run without a required argument) stops
  the top-level code as an error does (:class:`TopLevelExit`, with what it printed last).
- **top-level work**: what the module prints (standard output and error) is kept, not shown
  (:mod:`xpnet.check.quiet`); it runs under a time limit
  (``time_limit`` seconds, where the platform has SIGALRM: :mod:`xpnet.check.timelimit`). When
  the top-level code raises or runs out of time *after* defining classes, the module as defined
  by then is returned with a note naming the line (:func:`stopped_at`): training at import is
  the usual cause.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import sys
import traceback
import warnings
from pathlib import Path

from ..datasets.mnist import answered_from_sample
from .colab import _Colab, colab_folders, is_stand_in, skipped_note
from .fallback import _Fallback, _local_names, _set_aside, _source, _within
from .folders import _places, _relation, find_folders, other_case
from .notebook import NotebookLoader, is_notebook
from .offline import _OfflineMnist
from .packages import mnist_packages, module_of_own_package, package_of
from .quiet import kept, lines
from .standin import BARE, PartialCommon
from .standin import FOLDER as STAND_INS
from .standin import PACKAGES as STAND_IN_PACKAGES
from .timelimit import ImportTimeout, limit

__all__ = ["ImportTimeout", "Imported", "import_file"]

TIME_LIMIT = 20.0  # seconds of top-level code before xpnet check stops it


class TopLevelExit(Exception):
    """The learner's top-level code exited (``sys.exit()``, ``exit()``, argparse's
    ``parse_args`` refusing the arguments): the SystemExit, in words, with the last line it
    printed (argparse's ``error: the following arguments are required: --data``)."""

    def __init__(self, code, printed: str) -> None:
        last = next((line.strip() for line in reversed(printed.splitlines()) if line.strip()), "")
        said = f", after printing {last!r}" if last else ""
        super().__init__(
            f"exit({code if code is not None else ''}){said}: a sys.exit(), or an argparse"
            " parser refusing its arguments (xpnet runs the file as python FILE.py with none: give"
            " each argument a default, or parse them under if __name__ == '__main__':)"
        )


class Imported:
    """The module (as far as its top-level code got), the notes to print, and the error that
    stopped its top-level code (None when it ran to the end)."""

    def __init__(self, module, notes, error, missing=(), places=(), stood_in=()) -> None:
        self.module, self.notes, self.error = module, notes, error
        self.missing, self.places = set(missing), list(places)  # names found nowhere; where looked
        self.stood_in = set(stood_in)  # names that xpnet's stand-ins answered (common)


def import_file(path: Path, *, time_limit: float = TIME_LIMIT) -> Imported:
    """Import the file at ``path`` (absolute) as described above. The learner's exceptions
    pass through unless the module already defines a class; see :class:`Imported`.

    A file that imports relatively is imported as the module of its package that ``python -m``
    runs (:func:`package_of`). A script whose import fails where it imports its own package by
    name (``lib/two_layer_net.py``: ``from lib import common``, with ``lib/common.py`` hiding the
    root's ``common/`` from a script) is imported again as the module its importers import
    (:func:`module_of_own_package`), with a note, when that gets further."""
    package = package_of(path)  # (the folder above its package, its dotted name) or None
    imported = _import(path, package, time_limit)
    own = None if package else module_of_own_package(path)
    if own is None or not isinstance(imported.error, ImportError):
        return imported
    why = (
        f"{path.name} imports its own package {own[1].split('.')[0]}: as a script (its folder"
        f" first on the path) it raised {type(imported.error).__name__}: {imported.error};"
        f" checked as module {own[1]}, with {own[0]} on the path, as the files that import it"
        f" (from {own[1]} import ...) find it"
    )
    again = _import(path, own, time_limit, why)
    return imported if isinstance(again.error, ImportError) else again


def _import(
    path: Path, package: tuple[Path, str] | None, time_limit: float, why: str | None = None
) -> Imported:
    """import_file's one try: as a script (package None) or as module package[1] with package[0]
    first on the path, said by the first note (``why``, or that the file imports relatively)."""
    folder = path.parent
    name = package[1] if package else f"xpnet_check_{path.stem}"
    if is_notebook(path):
        spec = importlib.util.spec_from_loader(name, NotebookLoader(path), origin=str(path))
    else:
        spec = importlib.util.spec_from_file_location(
            name,
            path,
            submodule_search_locations=[str(folder)] if path.stem == "__init__" else None,
        )
    module = importlib.util.module_from_spec(spec)
    found, missing, named = find_folders(path)
    others = {name: where for where, names in found.items() if where != folder for name in names}
    stand_ins = {name: STAND_INS for name in STAND_IN_PACKAGES if name in missing}
    stand_ins |= {name: where for name, where in BARE.items() if name in missing}
    folders = [folder, *dict.fromkeys([*others.values(), *stand_ins.values()])]
    first = package[0] if package else folder  # first on the path: as python -m runs it there
    folders += [first] if package else []
    shadowed = _set_aside(set().union(*(_local_names(f) for f in folders)))
    before = set(sys.modules)
    sys.path.insert(0, str(first))
    printed = io.StringIO()
    finder, fallback = (
        _OfflineMnist(stand_ins=missing & {"dataset", *mnist_packages(path)}),
        _Fallback(
            {**others, **stand_ins},
            learners=[f for f in folders if f not in (STAND_INS, *BARE.values())],
        ),
    )
    colab, partial = _Colab(), PartialCommon()
    sys.meta_path[:0] = [finder, colab]
    sys.meta_path += [fallback, partial]  # after the path the learner's own code sets up
    error, skipped, caught = None, [], []
    shell = _NotebookShell()
    if is_notebook(path) or "get_ipython" in path.read_text(encoding="utf-8", errors="replace"):
        module.get_ipython = lambda: shell
    try:
        with answered_from_sample() as answered, kept(printed):
            with (
                limit(time_limit),
                _empty_stdin(),
                _own_argv(path),
                colab_folders(folder) as skipped,
            ):
                with warnings.catch_warnings(record=True) as caught:  # as their prints: a note
                    if package:  # the packages above it first, then it, as Python imports them
                        if "." in name:
                            importlib.import_module(name.rpartition(".")[0])
                        sys.modules[name] = module
                    spec.loader.exec_module(module)
    except (Exception, ImportTimeout) as raised:
        error = raised
    except SystemExit as exited:  # its top-level code's own exit: an error like any other
        error = TopLevelExit(exited.code, printed.getvalue()).with_traceback(exited.__traceback__)
    finally:
        for hook in (finder, colab, fallback, partial):
            sys.meta_path.remove(hook)
        sys.path.remove(str(first))
        folders += list(fallback.beside.values())
        added = {key: _source(sys.modules[key]) for key in set(sys.modules) - before}
        for key, source in added.items():  # the learner's own modules (common.layers ...)
            made = key.split(".")[0] in finder.made or is_stand_in(sys.modules[key])
            if made or _within(source, [*folders, STAND_INS]):
                del sys.modules[key]
        sys.modules.update(shadowed)
        for entry in [e for e in sys.path_importer_cache if not os.path.isabs(e)]:
            del sys.path_importer_cache[entry]  # '..' was resolved from this check's folder
    used: dict[Path, list[str]] = {}  # the folders that answered, each with its names
    for name, where in others.items():
        if name in fallback.used:
            used.setdefault(where, []).append(name)
    notes = [
        f"{path.name} imports {', '.join(names)}, found in {where}"
        f" ({named.get(where) or _relation(where, folder)}): on the path for this import"
        for where, names in used.items()
    ]
    notes += [
        f"{path.name} imports {name} from inside {where / name} (from {name}.x import ...), which"
        f" plain Python finds only with {where} on the path: found there"
        for name, where in fallback.beside.items()
    ]
    if package:
        notes.insert(
            0,
            why
            or (
                f"{path.name} imports relatively (from . import): checked as module {name} of its"
                f" package, with {first} on the path, as python -m {name} run there imports it"
            ),
        )
    stood_in = [name for name in stand_ins if name in fallback.used]
    notes += [_stood_in(path, name) for name in stood_in]
    notes += _stood_in_mnist(path, finder.made, _places(folder))
    if partial.used:
        lacks = ", ".join(f"{name}.py" for name in partial.used)
        books = ", ".join(f"common/{name}.py" for name in partial.used)
        notes.append(
            f"{path.name} imports {', '.join(f'common.{n}' for n in partial.used)}, and your"
            f" common/ ({next(iter(partial.used.values()))}) lacks {lacks}: xpnet's stand-in of"
            f" the book's {books} answered it, your own files in common/ the rest; copy the"
            f" book's {lacks} into common/ to check with yours"
        )
    if shell.calls:
        calls = ", ".join(dict.fromkeys(shell.calls))
        notes.append(
            f"{path.name}'s magics and shell lines were not run: {calls}"
            if is_notebook(path)
            else f"{path.name} calls get_ipython() (a notebook exported as a script): {calls} not"
            " run (there is no notebook here)"
        )
    if colab.answered:
        calls = ", ".join(dict.fromkeys(colab.calls)) or "nothing"
        notes.append(
            f"{path.name} imports google.colab, Google Colab's own, not installed here: a"
            f" stand-in answered it, and {calls} did nothing; the files {path.name} uses are"
            " read from the folders around it"
        )
    notes += [skipped_note(path, where, line) for where, line in dict.fromkeys(skipped)]
    if finder.answered or answered:
        notes.append(f"MNIST for {path.name}'s top-level code came from xpnet's bundled sample")
    if caught:
        first = caught[0]
        notes.append(
            f"{path.name}'s top-level code warned {len(caught)} time(s), not shown (the first:"
            f" {first.category.__name__}: {first.message}, {Path(first.filename).name}, line"
            f" {first.lineno})"
        )
    written = lines(printed)
    if written:
        notes.append(f"{path.name}'s top-level code printed {written} line(s), not shown")
    return Imported(module, notes, error, missing, _places(folder), stood_in)


def _stood_in(path: Path, name: str) -> str:
    """The note for a package (common) or a bare module (functions) xpnet's stand-in answered."""
    if name in BARE:
        return (
            f"{path.name} imports {name}, and no folder holds {name}.py (the book's"
            f" common/{name}.py, copied beside the file?): xpnet's stand-in of the book's"
            f" common/{name}.py answered it, so the check judges {path.name}'s own code; put"
            f" your {name}.py beside {path.name} to check yours"
        )
    return (
        f"{path.name} imports {name}, and no folder holds a {name}/ package: xpnet's stand-in"
        f" of the book's {name}/ (functions, gradient, layers of chapters 4-5) answered it, so"
        f" the check judges {path.name}'s own code; put your {name}/ beside {path.name} or in"
        " the folder above it to check yours"
    )


def _stood_in_mnist(path: Path, made: set[str], places) -> list[str]:
    """The note for the book's dataset/mnist.py, answered by the stand-in (bare ``mnist`` or
    ``<package>.mnist``), where no folder holds it; and the folder of places spelled as its
    package but for case (MNIST_dataset/ for ``MNIST_Dataset.mnist``), which macOS would find."""
    if not made:
        return []
    names = ", ".join(sorted(f"{n}.mnist" if n != "mnist" else n for n in made))
    note = (
        f"{path.name} imports {names}, and no folder holds it (the book's dataset/mnist.py):"
        f" xpnet's stand-in answered it, its load_mnist giving the bundled MNIST sample"
    )
    for package in sorted(n.partition(".")[0] for n in made if n != "mnist"):
        cased = other_case(places, package)
        if cased is not None:
            note += (
                f". {cased} differs from {package} in case only: macOS and Windows, whose file"
                f" names ignore case, find it there; this system does not: import"
                f" {cased.stem}.mnist as the folder spells it to check yours"
            )
            break
    return [note]


class _NotebookShell:
    """``get_ipython()`` for a notebook exported as a script: every magic and shell command
    (``run_line_magic``, ``run_cell_magic``, ``system``, ...) does nothing, and is counted."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str):
        def skipped(*args, **kwargs) -> None:
            word = str(args[0]).split(" ", 1)[0] if args else ""
            said = {"run_line_magic": "%", "run_cell_magic": "%%", "system": "!", "getoutput": "!"}
            self.calls.append(f"{said[name]}{word}" if name in said and word else f"{name}()")

        return skipped


@contextlib.contextmanager
def _own_argv(path: Path):
    """sys.argv as ``python FILE.py`` run with no arguments sets it: [FILE.py]."""
    argv, sys.argv = sys.argv, [str(path)]
    try:
        yield
    finally:
        sys.argv = argv


@contextlib.contextmanager
def _empty_stdin():
    """An empty standard input: input() at import raises EOFError at once."""
    stdin, sys.stdin = sys.stdin, io.StringIO()
    try:
        yield
    finally:
        sys.stdin = stdin


def stopped_at(error: BaseException, path: Path) -> str | None:
    """Where in path error stopped its top-level code: "line N" (in a notebook, "cell K, line
    N"), and where that line's call was when it is deeper in path ("line 71, in predict at line
    24"); None where no frame of the traceback is path's."""
    frames = []
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == str(path):
            frames.append((frame, f"line {frame.lineno}"))
        elif frame.filename.startswith(f"{path} [cell "):  # cell_name(path, K)
            cell = frame.filename[len(str(path)) + 2 : -1]
            frames.append((frame, f"{cell}, line {frame.lineno}"))
    if not frames:
        return None
    top = [place for frame, place in frames if frame.name == "<module>"]
    deepest, place = frames[-1]
    if not top or top[-1] == place:
        return place
    return f"{top[-1]}, in {deepest.name} at {place}"
