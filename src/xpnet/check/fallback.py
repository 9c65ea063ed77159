"""While a learner's file is imported: the finder of last resort, and the modules set aside.

:class:`_Fallback` answers a top-level import from the folder that
:func:`xpnet.check.folders.find_folders` found for it, where the learner's own path finds
nothing (first from a package that one of the learner's modules being imported lies in).
Same-named modules imported before are set aside meanwhile (:func:`_local_names`,
:func:`_set_aside`), and :func:`_within` tells the learner's modules (:func:`_source`: where a
module comes from), which are dropped from ``sys.modules`` afterwards, so that each check
imports its own.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from pathlib import Path

from .folders import _installed

__all__: list[str] = []


class _Fallback(importlib.abc.MetaPathFinder):
    """Finds the top-level modules that the learner's path does not, each in its folder; first
    a package that one of the learner's modules being imported lies in (``X/common/layers.py``
    importing ``common.util`` means ``X/common``, which works where ``X`` is on the path):
    ``beside``, those found so, by name."""

    def __init__(self, folders: dict[str, Path], learners: list[Path] = ()) -> None:
        self.folders, self.used = folders, set()
        self.learners, self.beside = list(learners), {}

    def find_spec(self, fullname, path=None, target=None):
        if path is not None:
            return None
        above = self._above_own_package(fullname)
        if above is not None:
            spec = importlib.machinery.PathFinder.find_spec(fullname, [str(above)])
            if spec is not None:
                self.beside[fullname] = above
                return spec
        where = self.folders.get(fullname)
        spec = importlib.machinery.PathFinder.find_spec(fullname, [str(where)]) if where else None
        if spec is not None:
            self.used.add(fullname)
        return spec

    def _above_own_package(self, name: str) -> Path | None:
        """The folder holding the package ``name`` that a learner's module now in sys.modules
        lies in, within the learner's folders; None where none does."""
        for module in list(sys.modules.values()):
            file = _source(module)
            if not file or not _within(file, self.learners):
                continue
            for folder in Path(os.path.abspath(file)).parents:
                if folder.name == name and (folder / "__init__.py").is_file():
                    return folder.parent
                if folder in self.learners:
                    break
        return None


def _source(module) -> str | None:
    """Where the module comes from: its file, or a namespace package's first folder."""
    file = getattr(module, "__file__", None)
    if file is None and hasattr(module, "__path__"):
        try:  # a namespace package's path is recomputed from its parent's, which may be gone
            file = next(iter(module.__path__), None)
        except (KeyError, AttributeError):
            file = None
    return file


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
        and not (_source(module) or "").startswith(installed)
        and _source(module)
        and not key.startswith("xpnet")
    }
    for key in taken:
        del sys.modules[key]
    return taken
