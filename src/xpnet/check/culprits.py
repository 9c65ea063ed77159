"""The book's functions a failing network uses, checked on their own, to name the wrong one.

A network whose gradients all disagree may be right in itself and wrong in a function it calls:
the learner's ``sigmoid = 1 / (1 - exp(-x))`` in ``common/functions.py`` makes every gradient
differ, and the check can only say that they do. :func:`wrong_functions` checks each function of
the book's names (:func:`~xpnet.check.chapter4.check_functions`) that the network's module holds
from the learner's own files, and names each one that is wrong, with its place and why.
"""

from __future__ import annotations

import contextlib
import inspect
import io

from .chapter4 import check_functions

__all__ = ["wrong_functions"]


def wrong_functions(cls: type) -> tuple[str, ...]:
    """One sentence for each of the book's functions in cls's module that is wrong on the
    book's examples ("sigmoid (common/functions.py, line 14), of the book's functions in the
    network's file, is wrong: ..."); () where none is, or cls has no method to find its module
    by."""
    methods = [f for f in vars(cls).values() if inspect.isfunction(f)]
    if not methods:
        return ()
    functions = {k: v for k, v in methods[0].__globals__.items() if inspect.isfunction(v)}
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # a learner's debug prints
            report = check_functions(functions)
    except Exception:  # a function that cannot be run alone says nothing here
        return ()
    if report is None:
        return ()
    return tuple(
        f"{r.name} ({r.where}), of the book's functions in the network's file, is wrong: {r.reason}"
        for r in report
        if not r.passed
    )
