"""The book's examples of chapters 3-4, and what every check of a learner's function shares.

:class:`FunctionResult` is one function's (or class's, or layer's) verdict, :class:`FunctionsCheck`
the report of a file with no network, ``str()`` the text ``xpnet check`` prints. :func:`_named`
finds a function of the book's among the learner's, also under a name of their own
(:mod:`xpnet.check.names`); :func:`_run` runs one check on it, the learner's exception said as a
reason. ``T``, ``Y1``, ``Y2``: the book's targets and predictions of 4.2.
"""

from __future__ import annotations

import inspect
import textwrap
import warnings
from dataclasses import dataclass

import numpy as np

from .found import takes_self
from .locating import _brief, _place, _where, is_learners_file, learner_frames
from .names import book_function

__all__ = ["BOOK_FUNCTIONS", "NAMES", "FunctionResult", "FunctionsCheck", "book_functions_in"]

WIDTH = 100
H = 1e-4  # the book's step, to recognise its mistakes (the forward difference, 2h)
# the book's examples of 4.2: the right answer is class 2; y1 says so with 0.6, y2 says class 7
T = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=np.float64)
Y1 = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
Y2 = np.array([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])
MEAN = (0.510825457099338 + 2.302584092994546) / 2  # the cross-entropy of the batch [y1, y2]
BOOK_FUNCTIONS = (  # the book's order
    *("sigmoid", "softmax", "mean_squared_error", "cross_entropy_error", "numerical_diff"),
    *("numerical_gradient", "gradient_descent"),
)
NAMES = {  # other names learners give them
    "mean_squared_error": ("mean_squared_error", "sum_squared_error"),
    "cross_entropy_error": ("cross_entropy_error", "cross_entropy"),
}


@dataclass(frozen=True)
class FunctionResult:
    """One function (or class) of the learner's: where it is, whether it is right, and why not;
    ``note``: a limit of a right one (one sample only, one form of targets only)."""

    name: str
    where: str
    passed: bool
    reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class FunctionsCheck:
    """The check of a file's functions and layers: one :class:`FunctionResult` each, in the
    book's order; ``skipped``: a sentence for each found and not checked (a layer of chapter 7),
    printed as a note."""

    results: tuple[FunctionResult, ...]
    skipped: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def __iter__(self):
        return iter(self.results)

    def __getitem__(self, name: str) -> FunctionResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)

    def __add__(self, other: FunctionsCheck) -> FunctionsCheck:
        return FunctionsCheck(self.results + other.results, self.skipped + other.skipped)

    def __str__(self) -> str:
        width = max((len(r.name) for r in self.results), default=4) + 2
        place = max((len(r.where) for r in self.results), default=2) + 2
        lines = [f"{'name':<{width}}{'in':<{place}}result"]
        lines += [
            f"{r.name:<{width}}{r.where:<{place}}{'ok' if r.passed else 'WRONG'}"
            for r in self.results
        ]
        wrong = [r for r in self.results if not r.passed]
        verdict = "FAILED" if wrong else "PASSED"
        lines.append(
            f"check {verdict}: {len(self.results) - len(wrong)} of {len(self.results)} right, on"
            " the book's examples (its numbers, xpnet's functions, numerical derivatives)"
        )
        lines += [_wrapped(f"- {r.name}: {r.reason}") for r in self.results if r.reason]
        lines += [_wrapped(f"note: {r.name}: {r.note}") for r in self.results if r.note]
        lines += [_wrapped(f"note: {text}") for text in self.skipped]
        return "\n".join(lines)

    def __repr__(self) -> str:
        wrong = [r.name for r in self.results if not r.passed]
        return f"FunctionsCheck(passed={self.passed}, checked={len(self.results)}, wrong={wrong})"


def _found(namespace: dict, name: str):
    return _named(namespace, name)[1]


def _is_checkable(function) -> bool:
    return _is_learners(function) and not takes_self(function)


def _named(namespace: dict, name: str) -> tuple[str, object]:
    """(the learner's name, the function) of the book's function ``name``: under one of its
    NAMES, or a close one (:func:`~xpnet.check.names.book_function`); ("", None) where none."""
    books = {n for book in BOOK_FUNCTIONS for n in NAMES.get(book, (book,))}
    # a method outside its class (its first parameter self) is said by xpnet.check.learner
    return book_function(namespace, NAMES.get(name, (name,)), books, _is_checkable)


def book_functions_in(namespace: dict) -> list:
    """The learner's functions in ``namespace`` found under the book's names (or their own for
    them), in the book's order: what a file of functions holds to check."""
    found = (_found(namespace, name) for name in BOOK_FUNCTIONS)
    return [function for function in found if function is not None]


def _is_learners(function) -> bool:
    return is_learners_file(function.__code__.co_filename)


def _run(name: str, function, checker, namespace) -> FunctionResult:
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            reason, note = checker(function, namespace)
    except Exception as error:
        if not learner_frames(error):
            raise
        reason, note = f"on the book's example it raised {_brief(error)}", ""
    return FunctionResult(name, _where(function), not reason, reason, note)


def _values(call: str, got, right, rtol: float) -> str:
    value = _array(got)
    if value is None or value.size != right.size:
        expected = "a number" if right.shape == () else f"an array of shape {right.shape}"
        return f"{call} returns {_what(got if value is None else value)}, not {expected}"
    got = value.reshape(right.shape)
    if np.allclose(got, right, rtol=rtol, atol=1e-12):
        return ""
    return f"{call} is {_list(got)}; it should be {_list(right)}"


def _array(value):
    try:
        return None if value is None else np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _what(value) -> str:
    """What a learner's function returned, in words: "None", "a number", "an array of shape
    (2, 3)", "a tuple"."""
    if value is None:
        return "None"
    if hasattr(value, "shape"):
        return "a number" if tuple(value.shape) == () else f"an array of shape {value.shape}"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _list(a) -> str:
    if a is None:
        return "None"
    a = np.asarray(a)
    return (
        np.array2string(a, precision=6, separator=", ", threshold=12)
        if a.ndim
        else f"{float(a):.6g}"
    )


def _where_class(cls) -> str:
    """ "gradient_simplenet.py, line 9", or in a notebook "net.ipynb [cell 3], line 1"."""
    functions = [f for f in vars(cls).values() if inspect.isfunction(f)]
    if not functions:
        return "its file"
    file = _where(functions[0]).rpartition(", line ")[0].partition(" [cell ")[0]
    place = _place(cls)
    return f"{file} {place}" if place.startswith("[cell") else f"{file}, {place}"


def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(text, WIDTH, subsequent_indent="  ", break_on_hyphens=False))
