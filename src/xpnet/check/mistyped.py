"""A method of the book's name mistyped in a learner's class (``forwad``, ``numerical_gardient``).

The learner's own code calls the method by the name they typed, so it runs for them; xpnet looks
for the book's names (``forward``, ``backward``, ``loss``, ``gradient``, ...), and would say the
class has none. :func:`read_mistyped` gives each such class the book's name for the method whose
name is the one close match (difflib, ratio >= 0.8; never a name of the book's, nor one starting
with ``_``), and says so in a note: the check goes on, and the learner learns the book's name.
"""

from __future__ import annotations

import difflib
import inspect

from .locating import _is_theirs, _place

__all__ = ["BOOK_METHODS", "read_mistyped"]

BOOK_METHODS = (
    "forward",
    "backward",
    "loss",
    "gradient",
    "numerical_gradient",
    "predict",
    "accuracy",
)
CUTOFF = 0.8  # forwad, backwrd, numerical_gardient, gradinet pass; loss and lose do not (0.75)


def read_mistyped(namespace: dict) -> list[str]:
    """Give each of the learner's classes in ``namespace`` the book's name of a method it
    mistyped (the same function, under both names); one note each.

    Examples
    --------
    >>> import types
    >>> class MulLayer:
    ...     def forwad(self, x, y): return x * y
    ...     def backward(self, dout): return dout, dout
    >>> read_mistyped({"MulLayer": MulLayer})  # a class of the docs, not the learner's
    []
    """
    notes = []
    for cls in [v for v in namespace.values() if inspect.isclass(v) and _is_theirs(v)]:
        own = [
            name
            for name, value in vars(cls).items()
            if inspect.isfunction(value) and not name.startswith("_") and name not in BOOK_METHODS
        ]
        for book in BOOK_METHODS:
            close = difflib.get_close_matches(book, own, n=2, cutoff=CUTOFF)
            if hasattr(cls, book) or len(close) != 1:
                continue
            setattr(cls, book, vars(cls)[close[0]])
            notes.append(
                f"{cls.__name__}.{close[0]} ({_place(vars(cls)[close[0]])}) is read as {book},"
                f" the book's name: rename it, or the book's code will not find it"
            )
    return notes
