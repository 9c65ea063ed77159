"""Google Colab's own module, ``google.colab``, where the learner's notebook runs elsewhere.

A notebook written in Colab mounts Google Drive first (``from google.colab import drive;
drive.mount('/content/drive')``). Off Colab that import fails, and an import that fails stops a
notebook's cells (:mod:`xpnet.check.notebook`), so nothing after it would be checked. While
:func:`~xpnet.check.importing.import_file` runs, and only where ``google.colab`` is not
installed, :class:`_Colab` answers it with a stand-in whose every call (``drive.mount``,
``files.upload``, ...) does nothing and is recorded, for a note: the learner's files are read
from the folders around the notebook, as for any other file. Its next line is most often
``os.chdir('/content/drive/MyDrive/deep-learning-from-scratch/ch04')``, into the book's folders
in the learner's Drive, or, in a file written on the learner's own machine,
``os.chdir('/Users/someone/Documents/deep-learning')``: :func:`colab_folders` skips a change into
a folder that is not on this machine, naming the line, and changes into the file's own folder
instead, so the file runs on from there.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from pathlib import Path, PurePosixPath

__all__ = ["colab_folders", "is_stand_in", "skipped_note"]

COLAB = PurePosixPath("/content")  # Colab's own folder; drive.mount puts Drive in it


class _Colab(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``google`` and ``google.colab`` (and its submodules) where no installed package
    does; ``calls``: what the learner's code called on them, as ``drive.mount()``."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.answered = False

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "google":  # a namespace package where protobuf or google-auth is
            if importlib.machinery.PathFinder.find_spec("google") is not None:
                return None
        elif fullname == "google.colab":
            if path and importlib.machinery.PathFinder.find_spec(fullname, path) is not None:
                return None  # on Colab, or installed: the real one
        elif not fullname.startswith("google.colab."):
            return None
        elif getattr(sys.modules.get("google.colab"), "__loader__", None) is not self:
            return None
        self.answered = True
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec):
        if spec.name.startswith("google.colab."):
            return _Recording(spec.name, self.calls)
        return None

    def exec_module(self, module) -> None:
        module.__path__ = []
        if module.__name__ == "google.colab":

            def submodule(name: str):  # from google.colab import drive
                if name.startswith("__"):
                    raise AttributeError(name)
                return _Recording(f"google.colab.{name}", self.calls)

            module.__getattr__ = submodule


class _Recording(types.ModuleType):
    """A module of google.colab (drive, files, output, ...): each function does nothing."""

    def __init__(self, name: str, calls: list[str]) -> None:
        super().__init__(name)
        self.__path__ = []
        self._calls = calls

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        said = f"{self.__name__.rpartition('.')[2]}.{name}()"

        def skipped(*args, **kwargs):
            self._calls.append(said)
            return {} if name == "upload" else None  # files.upload(): no files

        return skipped


def is_stand_in(module) -> bool:
    """Whether module is this stand-in's (google, google.colab or one of its modules)."""
    return isinstance(getattr(module, "__loader__", None), _Colab)


@contextlib.contextmanager
def colab_folders(folder: Path):
    """While it runs, ``os.chdir`` into a folder that is not on this machine (Colab's Drive under
    /content, another machine's ``/Users/someone/...``) changes into ``folder`` (the file's own)
    instead; yields the list of (the folder skipped, where: "FILE.py, line N"). The current
    folder is restored after, whatever the learner's code changed it to."""
    skipped: list[tuple[str, str]] = []
    chdir, cwd = os.chdir, os.getcwd()

    def guarded(path):
        text = os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else ""
        if text and not os.path.isdir(text):
            caller = sys._getframe(1)  # the learner's line that called os.chdir
            where = f"{Path(caller.f_code.co_filename).name}, line {caller.f_lineno}"
            skipped.append((text, where))
            chdir(folder)
            return
        chdir(path)

    os.chdir = guarded
    try:
        yield skipped
    finally:
        os.chdir = chdir
        with contextlib.suppress(OSError):
            chdir(cwd)


def skipped_note(path: Path, where: str, line: str) -> str:
    """The note for a change into ``where``, not on this machine, skipped at ``line``."""
    colab = PurePosixPath(where).is_relative_to(COLAB)
    what = "a folder of Google Colab's (its Drive)" if colab else "a folder"
    return (
        f"{line} changes into {where!r}, {what} that is not on this machine: that change was"
        f" skipped, and {path.name} runs on from its own folder ({path.parent})"
    )
