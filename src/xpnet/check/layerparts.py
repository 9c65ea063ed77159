"""What every check of a layer on its own shares: building it, calling it, and its result.

:func:`_seeded` calls a layer's forward with ``np.random`` seeded before each call (the book's
Dropout repeats) and True for a training flag it requires; :func:`_required`, :func:`_inputs`
and :func:`_flags` read a constructor's or forward's parameters; :func:`_result` is a layer's
:class:`~xpnet.check.examples.FunctionResult`.
"""

from __future__ import annotations

import inspect
import re

import numpy as np

from .examples import FunctionResult, _array, _where_class

SEED = 0
FLAG = r"train|fl[a]?g|training|mode"  # forward(self, x, train_flg): True


def _result(cls, reason: str, note: str = "") -> FunctionResult:
    return FunctionResult(cls.__name__, _where_class(cls), not reason, reason, note)


def _parameters(function) -> list[inspect.Parameter] | None:
    """function's parameters, self left out; None where it has no signature to read."""
    try:
        return list(inspect.signature(function).parameters.values())[1:]
    except (TypeError, ValueError):
        return None


def _required(function) -> list[str]:
    """The names of function's positional parameters with no default, self left out."""
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    parameters = _parameters(function) or []
    return [p.name for p in parameters if p.kind in positional and p.default is p.empty]


def _seeded(layer):
    """layer.forward with np.random seeded before each call (a Dropout of the book's repeats)
    and True for a training flag it requires (forward(self, x, train_flg))."""
    flags = (True,) * len(_flags(type(layer).forward))

    def call(*args):
        np.random.seed(SEED)  # noqa: NPY002 (the book's Dropout draws from this generator)
        return layer.forward(*args, *flags)

    return call


def _inputs(forward) -> list[str]:
    """forward's required inputs, its training flags left out."""
    required = _required(forward)
    return required[: len(required) - len(_flags(forward))]


def _flags(forward) -> list[str]:
    """The training flags among forward's last required parameters (train_flg, flg_train)."""
    required = _required(forward)
    flags = []
    while len(required) > 1 and re.search(FLAG, required[-1].lower()):
        flags.insert(0, required.pop())
    return flags


def _scalar(value) -> float | None:
    a = _array(value)
    return float(a.reshape(())) if a is not None and a.size == 1 else None


def _away_from_zero(x):
    """x with every entry at least 0.1 from 0: a numerical derivative there straddles no kink."""
    return np.where(x < 0, x - 0.1, x + 0.1)


def _about_none(error: BaseException) -> bool:
    return isinstance(error, AttributeError | TypeError) and "None" in str(error)


def _first_wrong(x, got, expected) -> str:
    """Where got differs most from expected: the x there and both values."""
    if got.shape != expected.shape:
        return f"its shape is {got.shape}, x's {x.shape}"
    i = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
    return f"where x is {x[i]:.4g}, it is {got[i]:.4g}, not {expected[i]:.4g}"


def _joined(*notes: str) -> str:
    """Sentences joined: each after the first with its capital."""
    said = [note for note in notes if note]
    return ". ".join([*said[:1], *(note[0].upper() + note[1:] for note in said[1:])])
