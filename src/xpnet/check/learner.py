"""A learner's network, loaded from their file, built and checked (``xpnet check FILE.py[:CLASS]``).

Read it as three steps, each a function:

1. :func:`load_learner` (here) imports the file as it runs for the learner
   (:mod:`xpnet.check.importing`: its folders, offline MNIST, a time limit) and finds the class:
   the one named, or the one class of the file with ``loss`` and ``gradient`` (or, a net of
   chapter 4 before backprop, ``loss`` and ``numerical_gradient``), or, where the file defines
   none (a training script), the one it imports from the learner's own files; when there is
   none, the message says what the file defines and the fix;
2. :func:`build` reads the class's signature and builds it with the book's sizes under the
   learner's names (:mod:`xpnet.check.building`), NumPy's global generator seeded (0), so that a
   check is repeatable;
3. :func:`check_learner` checks it on the first 3 images of the bundled MNIST sample (offline),
   with class labels and, where the net's code needs them, one-hot rows: one line says which
   form the net takes (:mod:`xpnet.check.checking`).

The learner's errors are shown in their own code (:mod:`xpnet.check.locating`); an import that
fails before the file defines a class is said with the fix (:mod:`xpnet.check.unimportable`).
This module holds step 1 (what it finds, and its error, are :mod:`xpnet.check.found`; its
words, :mod:`xpnet.check.loadwords`) and gathers the names of all three steps, so that a caller
of the whole (``xpnet check``, ``xpnet train --net``) imports them from one place.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .building import BOOK_SIZES, build
from .chapter4 import simple_net_like
from .chapter5 import layer_like
from .checking import SAMPLES, LearnerCheck, check_learner
from .examples import book_functions_in
from .found import Learner, LearnerError, NoNetwork, takes_self
from .importing import TIME_LIMIT, ImportTimeout, import_file
from .loadwords import (
    classes_in,
    imported_note,
    methods_of,
    no_single_class,
    stopped_note,
    timeout_note,
)
from .locating import (
    _place,
    backprop_raised,
    learner_frames,
    learner_traceback,
    raised_in_backprop,
)
from .mistyped import read_mistyped
from .notebook import NotebookError, needs_failed_import
from .shadowed import checked_own, collecting_classes, replaced_classes, used_imported
from .unimportable import unimportable

__all__ = [
    "BOOK_SIZES",
    "SAMPLES",
    "Learner",
    "LearnerCheck",
    "LearnerError",
    "NoNetwork",
    "backprop_raised",
    "build",
    "check_learner",
    "learner_frames",
    "learner_traceback",
    "load_class",
    "load_learner",
    "raised_in_backprop",
]


BOOK_CLASS = "TwoLayerNet"  # among several network classes in one file, the book's is checked


def load_class(spec: str) -> type:
    """The network class of ``FILE.py`` or ``FILE.py:CLASS`` (see :func:`load_learner`)."""
    return load_learner(spec).cls


def load_learner(spec: str, *, time_limit: float = TIME_LIMIT) -> Learner:
    """The learner's class of ``FILE.py[:CLASS]``, with the notes of its import.

    Raises LearnerError when the file is missing, fails to import before defining a class
    (with the learner's frames of the traceback), or holds no such class.
    """
    path_text, _, class_name = spec.partition(":")
    path = Path(path_text)
    if path.suffix not in (".py", ".ipynb") or not path.is_file():
        raise LearnerError(
            f"FILE must be an existing Python file (name.py) or Jupyter notebook (name.ipynb);"
            f" got {path_text!r}"
        )
    found = _Imported.of(path.resolve(), path_text, time_limit)
    return found.named(class_name) if class_name else found.chosen()


@dataclass
class _Imported:
    """What the learner's file defined when imported: its module, its own classes (with those
    a later import replaced), the network classes it imports from the learner's other files,
    and the notes said so far."""

    path: Path
    path_text: str
    module: ModuleType
    notes: list[str]
    replaced: list[type]  # its own classes a later import replaced, each with its note
    said: list[str]
    own: list[type]
    theirs: list[type]  # nets imported from the learner's own files (a training script)
    outside: list  # functions taking self at module level

    @classmethod
    def of(cls, path: Path, path_text: str, time_limit: float) -> _Imported:
        try:
            with collecting_classes() as built:  # a class a later import replaces is kept
                imported = import_file(path, time_limit=time_limit)
        except NotebookError as error:
            raise LearnerError(str(error)) from None
        module, notes = imported.module, imported.notes
        replaced, said = replaced_classes(module, built, path)
        notes += read_mistyped(vars(module))
        own = _own_classes(module) + replaced
        outside = _methods_outside(module)
        notes += [
            f"{f.__name__} ({_place(f)}) takes self: a method outside its class? indent it into"
            " the class (or, for a function, drop self)"
            for f in outside
        ]
        theirs = [] if any(_is_net(c) for c in own) else _imported_nets(module)
        if theirs:  # a training script: the net comes from the learner's own module
            notes.append(imported_note(path, theirs))
        if imported.error is not None:
            # a file of functions whose script part fails (plt.savefig("ch04/x.png") run from
            # ch04/) is checked as a file of classes is: as defined by then
            defined = own or theirs or _defined_here(module)
            raised = getattr(imported.error, "xpnet_cells_raised", ())
            if needs_failed_import(
                path, raised, defined, vars(module)
            ):  # a notebook's: said with its fix
                defined = []
            if not defined:  # nothing to check: the learner's bug, shown where it is
                if isinstance(imported.error, ImportTimeout):
                    raise LearnerError(timeout_note(path, imported.error, time_limit, [])) from None
                told = unimportable(path, imported)
                if told:
                    raise LearnerError(told) from None
                raise LearnerError(learner_traceback(imported.error)) from None
            notes.append(stopped_note(path, imported.error, time_limit, defined))
        return cls(path, path_text, module, notes, replaced, said, own, theirs, outside)

    def no_network(self, message: str, *, only=None) -> NoNetwork:
        """No network to check: its own replaced classes are checked as layers or functions."""
        namespace = {**vars(self.module), **{c.__name__: c for c in self.replaced}}
        own_notes = [
            checked_own(note, c, self.path)
            for c, note in zip(self.replaced, self.said, strict=True)
        ]
        return NoNetwork(message, namespace, only=only, notes=own_notes + self.notes)

    def network(self, cls: type) -> Learner:
        """cls, to check; of its replaced layers, the imported ones are used, and said so."""
        told = [
            (checked_own if c is cls else used_imported)(note, c, self.path)
            for c, note in zip(self.replaced, self.said, strict=True)
        ]
        return Learner(cls, self.path, told + self.notes)

    def named(self, class_name: str) -> Learner:
        """The class the learner named (FILE.py:CLASS), if a network."""
        found = next((c for c in self.replaced if c.__name__ == class_name), None)
        found = found or getattr(self.module, class_name, None)
        if not inspect.isclass(found):
            raise LearnerError(
                f"{self.path.name} has no class {class_name}; {classes_in(self.module)}"
            )
        if layer_like(found):
            raise self.no_network(
                f"{class_name} is a layer (forward and backward): xpnet check and xpnet train"
                " take a network with loss(x, t) and gradient(x, t), as the book's TwoLayerNet",
                only=found,
            )
        if simple_net_like(found):
            raise self.no_network(
                f"{class_name} has {methods_of(found)}: xpnet check and xpnet train take a network"
                " with gradient(x, t) (or numerical_gradient(x, t)), as the book's TwoLayerNet",
                only=found,
            )
        return self.network(found)

    def chosen(self) -> Learner:
        """The one network class of the file (or the book's name among several)."""
        classes = self.own + self.theirs
        with_gradient = [c for c in classes if _has(c, "loss") and _has(c, "gradient")]
        numerical_only = [c for c in classes if _has(c, "loss") and _has(c, "numerical_gradient")]
        candidates = with_gradient or numerical_only
        book = [c for c in candidates if c.__name__ == BOOK_CLASS]
        if len(candidates) > 1 and len(book) == 1:  # the book's name chooses; the others said
            others = ", ".join(c.__name__ for c in candidates if c is not book[0])
            self.notes.append(
                f"{self.path.name} also defines {others}: checked {BOOK_CLASS}, the book's name;"
                f" check another with xpnet check {self.path_text}:CLASS"
            )
            candidates = book
        if not candidates:
            raise self.no_network(
                no_single_class(self.path, self.path_text, self.own, candidates, self.outside)
            )
        if len(candidates) != 1:
            raise LearnerError(no_single_class(self.path, self.path_text, self.own, candidates))
        return self.network(candidates[0])


def _methods_outside(module) -> list:
    """The module's own functions whose first parameter is self: methods that lost their
    indentation, at module level below their class."""
    return [
        f
        for f in vars(module).values()
        if inspect.isfunction(f) and f.__module__ == module.__name__ and takes_self(f)
    ]


def _own_classes(module) -> list[type]:
    return [
        c for c in vars(module).values() if inspect.isclass(c) and c.__module__ == module.__name__
    ]


def _is_net(cls: type) -> bool:
    return _has(cls, "loss") and (_has(cls, "gradient") or _has(cls, "numerical_gradient"))


def _imported_nets(module) -> list[type]:
    """The network classes the module imports from the learner's own files (the book's
    train_neuralnet.py: from two_layer_net import TwoLayerNet), not from xpnet or a package."""
    from .locating import _is_theirs

    found = [c for c in vars(module).values() if inspect.isclass(c) and _is_net(c)]
    return [c for c in dict.fromkeys(found) if _is_theirs(c)]


def _defined_here(module: ModuleType) -> list:
    """The book's functions the module itself defines (not those it imports: an import that
    failed after them left the file's own undefined)."""
    return [f for f in book_functions_in(vars(module)) if f.__module__ == module.__name__]


def _has(cls: type, method: str) -> bool:
    return callable(getattr(cls, method, None))
