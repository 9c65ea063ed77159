"""Stand-ins for the book's own modules, for a learner's file whose repository lacks them.

The book's chapter 4-5 files import the book's ``common/`` package (``from common.layers import
*``). Learners who commit only their own files leave it out, or part of it, or copy its files
beside their own and import them bare (``from functions import *``), and then nothing could
import their network. This folder holds ``common/`` as xpnet writes it: the book's names and
behaviour (``common.functions``, ``common.gradient``, ``common.layers``), built on xpnet's own
functions (imported by absolute name: here the modules load as ``common.*``, or bare, not as
xpnet's). :func:`xpnet.check.importing.import_file` answers with it only what no folder of the
learner's holds, and says so in a note: a top-level ``common`` (this folder on the path), a
module of it that the learner's own ``common/`` lacks (:class:`PartialCommon`), a bare
``functions``, ``gradient`` or ``layers`` (:data:`BARE`). :data:`BOOK_FILES` names the book's
file of each module a learner's file may import, for the message of one missing.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
from pathlib import Path

FOLDER = Path(__file__).parent  # the folder that holds the stand-in packages (common/)
PACKAGES = ("common",)  # the names it answers
MODULES = ("functions", "gradient", "layers")  # the modules of its common/
BARE = {name: FOLDER / "common" for name in MODULES}  # `from functions import *`: the folder
REPOSITORY = "https://github.com/oreilly-japan/deep-learning-from-scratch"
BOOK_FILES = {  # a module the book's files import (bare or dotted): its file in REPOSITORY
    **{
        name: f"common/{name}.py"
        for name in (
            *MODULES,
            *("util", "optimizer", "trainer", "multi_layer_net", "multi_layer_net_extend"),
        )
    },
    "mnist": "dataset/mnist.py",
    "two_layer_net": "ch04/two_layer_net.py (chapter 4) or ch05/two_layer_net.py (chapter 5)",
    "layer_naive": "ch05/layer_naive.py",
    "simple_convnet": "ch07/simple_convnet.py",
    "deep_convnet": "ch08/deep_convnet.py",
}


def book_file(name: str) -> str | None:
    """The book's file of the module ``name`` (``functions``, ``common.util``,
    ``dataset.mnist``), or None where the book has none of that name."""
    top, _, rest = name.partition(".")
    if top in ("common", "dataset") and rest:
        return BOOK_FILES.get(rest) if BOOK_FILES.get(rest, "").startswith(top) else None
    return BOOK_FILES.get(name)


class PartialCommon(importlib.abc.MetaPathFinder):
    """Answers ``common.functions`` (``gradient``, ``layers``) where the learner's own
    ``common/`` lacks that file, with the stand-in's; its files still win (this finder comes
    after the path's). ``used``: {module: the learner's common folder that lacks it}."""

    def __init__(self) -> None:
        self.used: dict[str, str] = {}

    def find_spec(self, fullname, path=None, target=None):
        top, _, rest = fullname.partition(".")
        if top not in PACKAGES or rest not in MODULES or path is None:
            return None
        folders = [str(p) for p in path]
        if str(FOLDER / top) in folders:  # the stand-in's own common/
            return None
        self.used.setdefault(rest, folders[0] if folders else top)
        return importlib.util.spec_from_file_location(fullname, FOLDER / top / f"{rest}.py")
