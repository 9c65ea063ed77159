"""A class of the learner's replaced by a later import of the same name, kept to be checked.

A notebook defines ``TwoLayerNet`` in one cell and, in a later one, does as the book's
``gradient_check.py`` does, ``from two_layer_net import TwoLayerNet``: the import replaces the
notebook's own class, and xpnet would check the imported one (and say the notebook defines no
network of its own). :func:`collecting_classes` keeps every class built while the learner's
file is imported (a hook on ``builtins.__build_class__``, which every ``class`` statement
calls, in a file or in a notebook's cell alike); :func:`replaced_classes` gives the learner's
own classes that a later import replaced, and says so, with the cell (or line) of each.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import inspect
from pathlib import Path

from .locating import _place, class_file
from .notebook import code_cells, is_notebook

__all__ = ["checked_own", "collecting_classes", "replaced_classes", "used_imported"]


@contextlib.contextmanager
def collecting_classes():
    """A list that holds every class built inside the ``with`` block, in order."""
    built: list = []
    original = builtins.__build_class__

    def build(function, name, *bases, **keywords):
        cls = original(function, name, *bases, **keywords)
        built.append(cls)
        return cls

    builtins.__build_class__ = build
    try:
        yield built
    finally:
        builtins.__build_class__ = original


def replaced_classes(module, built: list, path: Path) -> tuple[list[type], list[str]]:
    """(the classes that ``module`` defined at its top level and that a later import of the same
    name replaced, the start of the note saying so for each: "cell 1 defines X, and the import in
    cell 2 replaces it (X of x.py)"); the last class of a name defined is the one kept. The note
    ends with :func:`checked_own` where that class is checked, :func:`used_imported` where it is
    not (a layer of a network that its module's name gives the imported one at run time)."""
    own: dict[str, type] = {}
    for cls in built:
        if (
            inspect.isclass(cls)
            and cls.__module__ == module.__name__
            and cls.__qualname__ == cls.__name__
        ):
            own[cls.__name__] = cls  # a later definition of the name replaces an earlier one
    found, notes = [], []
    for name, cls in own.items():
        now = vars(module).get(name)
        if now is cls or not inspect.isclass(now) or now.__module__ == module.__name__:
            continue
        found.append(cls)
        defined = _place(cls).replace("[cell ", "cell ").replace("],", ",")
        where = _import_of(path, name)
        notes.append(
            f"{path.name}: {defined} defines {name}, and the import {where or 'after it'}"
            f" replaces it ({name} of {_file_of(now)})"
        )
    return found, notes


def checked_own(note: str, cls: type, path: Path) -> str:
    """A :func:`replaced_classes` note, for a class that is checked."""
    return (
        f"{note}: checked {path.name}'s own {cls.__name__}, not the imported one; give one of"
        " them another name"
    )


def used_imported(note: str, cls: type, path: Path) -> str:
    """A :func:`replaced_classes` note, for a class that the network checked does not use."""
    return (
        f"{note}: the network is built with the imported {cls.__name__} (the name's class when it"
        f" runs), so {path.name}'s own {cls.__name__} is not checked; give one of them another"
        " name"
    )


def _file_of(cls: type) -> str:
    file = class_file(cls)
    return Path(file).name if file else cls.__module__


def _import_of(path: Path, name: str) -> str:
    """ "in cell 5, line 1" (or "on line 12"): the last import in path that binds name; "" where
    none is found."""
    try:
        cells = code_cells(path) if is_notebook(path) else [(0, path.read_text(errors="replace"))]
    except (OSError, ValueError):
        return ""
    found = ""
    for number, text in cells:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom) and any(
                (alias.asname or alias.name.partition(".")[0]) in (name, "*")
                for alias in node.names
            ):
                line = f"line {node.lineno}"
                found = f"in cell {number}, {line}" if number else f"on {line}"
    return found
