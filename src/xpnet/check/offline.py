"""MNIST offline while a learner's file is imported: the book's ``load_mnist`` and xpnet's.

The book's training scripts load MNIST at import (``from dataset.mnist import load_mnist``), which
would download MNIST, or fail offline. While :func:`~xpnet.check.importing.import_file` runs,
``load_mnist`` of the book's ``dataset/mnist.py`` (any module named ``mnist`` that defines one)
answers from the bundled sample with the book's arguments (:class:`_OfflineMnist`, whose
:class:`_Loader` replaces the function after the module runs); where the file imports
``dataset.mnist`` (or ``mnist``, the book's file copied beside it, or ``data.mnist``) and no
folder holds it, a stand-in is made (its package: :class:`_Package`), as where the learner's
``dataset/`` is the book's without its mnist.py (:func:`_books_without_mnist`). And
``xpnet.load_mnist`` answers from the sample too, within
:func:`xpnet.datasets.mnist.answered_from_sample`, which it consults.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
from pathlib import Path

__all__: list[str] = []


class _OfflineMnist(importlib.abc.MetaPathFinder):
    """Answers the book's load_mnist from the bundled sample: any module named ``mnist`` that
    defines load_mnist gets the sample's; ``stand_ins``: the top-level names found nowhere
    (``dataset``, ``mnist``, ``data``) through which the file imports a module ``mnist``, made
    when no folder holds them (``made``: those made)."""

    def __init__(self, *, stand_ins: set[str]) -> None:
        self.stand_ins, self.made, self.answered = set(stand_ins), set(), False

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.stand_ins - {"mnist"}:  # no dataset/ anywhere: the stand-in's
            if importlib.machinery.PathFinder.find_spec(fullname, path) is None:
                self.made.add(fullname)
                return importlib.util.spec_from_loader(fullname, _Package(), is_package=True)
        if fullname.rsplit(".", 1)[-1] != "mnist":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None:
            top = fullname.split(".")[0]
            if fullname == f"{top}.mnist" and _books_without_mnist(path):
                pass  # the book's dataset/ whose mnist.py was left out of the repository
            elif top not in self.stand_ins or (top != fullname and top not in self.made):
                return None  # (a package of the learner's that lacks mnist.py: their error)
            self.made.add(top)
            return importlib.util.spec_from_loader(fullname, _Loader(self, None))
        spec.loader = _Loader(self, spec.loader)
        return spec


# the files of the book's dataset/, mnist.py aside, and those its load_mnist writes there
BOOK_DATASET = {"__init__.py", "lena.png", "lena_gray.png", "__pycache__", "mnist.pkl", ".DS_Store"}


def _books_without_mnist(path) -> bool:
    """Whether the package folders path holds only the book's dataset/ files but mnist.py (a
    repository that left it out, as a ``mnist*`` line of .gitignore does): no file of the
    learner's own that the stand-in would stand for."""
    folders = [Path(p) for p in path or ()]
    return bool(folders) and all(
        f.is_dir() and all(e.name in BOOK_DATASET or e.name.endswith(".gz") for e in f.iterdir())
        for f in folders
    )


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
