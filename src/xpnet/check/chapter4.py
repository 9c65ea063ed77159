"""A file of chapters 3-4 with no network: its functions and simpleNet, checked by their book names.

Many of a learner's files hold no TwoLayerNet: ``gradient_1d.py`` (``numerical_diff``),
``gradient_2d.py`` (``numerical_gradient``), ``gradient_method.py`` (``gradient_descent``),
``gradient_simplenet.py`` (``simpleNet``, a ``loss`` and no ``gradient``), ``common/functions.py``
(``softmax``, ``cross_entropy_error``, ...). :func:`check_functions` finds each such function by
its book name among what the module defines or imports from the learner's own files, runs it on
the book's own examples and holds the result to the book's published numbers and to xpnet's own
functions, and says what is wrong in words. A function that works for one sample only (a softmax
of one row) is right with a note: chapter 4's batches need more. :class:`FunctionsCheck` is the
report, ``str()`` the text ``xpnet check`` prints.

The checks live by family: :mod:`~xpnet.check.losses` (sigmoid, softmax, the losses),
:mod:`~xpnet.check.numerical` (numerical_diff, numerical_gradient, gradient_descent),
:mod:`~xpnet.check.simplenet`; :mod:`~xpnet.check.examples` holds the book's examples and the
report.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .examples import NAMES, Y1, Y2, FunctionResult, FunctionsCheck, T, _is_learners, _named, _run
from .locating import _is_theirs, _where
from .losses import _cross_entropy_error, _sigmoid, _softmax, _sum_squared_error
from .names import none_of_the_books, read_as
from .numerical import _gradient_descent, _numerical_diff, _numerical_gradient, function_second
from .simplenet import _simple_net, simple_net_like

__all__ = [
    "Y1",
    "Y2",
    "FunctionResult",
    "FunctionsCheck",
    "T",
    "check_functions",
    "simple_net_like",
]


def check_functions(namespace: dict, *, only: type | None = None) -> FunctionsCheck | None:
    """The check of the book's functions and simpleNet-like classes in ``namespace`` (a learner's
    module's ``vars``), those of the learner's own files; None where it holds none.

    ``only``: a class named by the learner (``FILE.py:simpleNet``), checked alone.
    """
    results, skipped = [], []
    if only is None:
        for name, checker in CHECKS.items():
            learner, function = _named(namespace, name)
            unfit = "" if function is None else _unfit(name, learner, function)
            if unfit:  # another function under the book's name: it cannot take the book's call
                skipped.append(unfit)
            elif function is not None:
                result = _run(name, function, checker, namespace)
                if learner not in NAMES.get(name, (name,)):
                    said = read_as(learner, name, result.where)
                    result = replace(result, note=f"{said}; {result.note}" if result.note else said)
                results.append(result)
    classes = [only] if only is not None else [v for v in namespace.values() if inspect.isclass(v)]
    for cls in classes:
        if simple_net_like(cls):
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                result = _simple_net(cls, namespace)
                if result is not None:
                    results.append(result)
    if results or skipped:
        return FunctionsCheck(tuple(results), tuple(skipped))
    if only is None and not any(inspect.isclass(v) and _is_theirs(v) for v in namespace.values()):
        said = none_of_the_books(namespace, tuple(CHECKS), _is_learners)
        return FunctionsCheck((), (said,)) if said else None
    return None


def _unfit(name: str, learner: str, function) -> str:
    """What to say of a function under the book's name that cannot be called as the book calls
    it (``gradient_descent(X, y, weights, bias, learning_rate, epochs)``, a linear regression's);
    "" where it can (or has no signature to read)."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return ""
    calls = BOOK_CALLS[name]
    for count, keywords in calls:
        try:
            signature.bind(*range(count), **dict.fromkeys(keywords, 0))
        except TypeError:
            continue
        return ""
    return (
        f"{learner} ({_where(function)}) takes ({', '.join(signature.parameters)}), not the"
        f" book's {BOOK_SIGNATURES[name]}: not checked, since xpnet calls it as the book does"
        " (give its other parameters defaults to have it checked)"
    )


# how xpnet calls each (positional arguments, keywords), one of which the function must take
BOOK_CALLS: dict[str, tuple[tuple[int, tuple[str, ...]], ...]] = {
    "sigmoid": ((1, ()),),
    "softmax": ((1, ()),),
    "mean_squared_error": ((2, ()),),
    "cross_entropy_error": ((2, ()),),
    "numerical_diff": ((2, ()),),
    "numerical_gradient": ((2, ()),),
    "gradient_descent": ((2, ("lr", "step_num")), (4, ())),
}
BOOK_SIGNATURES = {
    "sigmoid": "(x)",
    "softmax": "(a)",
    "mean_squared_error": "(y, t)",
    "cross_entropy_error": "(y, t)",
    "numerical_diff": "(f, x)",
    "numerical_gradient": "(f, x)",
    "gradient_descent": "(f, init_x, lr=0.01, step_num=100)",
}

CHECKS: dict[str, Callable] = {  # the book's order
    "sigmoid": _sigmoid,
    "softmax": _softmax,
    "mean_squared_error": _sum_squared_error,
    "cross_entropy_error": _cross_entropy_error,
    "numerical_diff": function_second(_numerical_diff),
    "numerical_gradient": function_second(_numerical_gradient),
    "gradient_descent": function_second(_gradient_descent),
}
