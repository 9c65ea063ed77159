"""Checks of the plain arguments of public functions (sizes, rates, step counts, seeds, keyword
names, a list where an array belongs).

Each raises where the argument is given, naming it, what it must be and what came, so that a
``TwoLayerNet(784, -3, 10)`` fails on ``hidden_size`` and not, later, inside NumPy. Only Python
values and array types are read here: no array's values, so no GPU wait. The one bound of a
network's size is here too (:data:`MAX_LAYER_SIZE`, :func:`largest_hidden_size`): TwoLayerNet,
``--hidden-size`` and a checkpoint's ``meta.net`` share it.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .backends import array_namespace as _array_namespace
from .errors import Arg, Use, XpnetValueError
from .npyfiles import memory_available, size_text

__all__ = [
    "MAX_LAYER_SIZE",
    "array_namespace",
    "check_count",
    "check_hidden_size",
    "check_keywords",
    "check_positive_number",
    "check_seed",
    "is_plain",
    "largest_hidden_size",
    "plain_value",
]

MAX_LAYER_SIZE = 2**31 - 1  # a layer's size: TwoLayerNet's, --hidden-size's, a checkpoint's
DRAWN_AS = 8  # bytes of a weight as it is drawn: float64, on the host, before its cast

BOOK_NAMES = {  # what a user types -> the book's name, which xpnet's functions take
    "lr": "learning_rate",
    "iters": "iters_num",
    "iterations": "iters_num",
    "steps": "iters_num",
    "batchsize": "batch_size",
}


def array_namespace(*arrays: Any) -> Any:
    """xpnet.backends.array_namespace for the public functions: a Python list, tuple or number
    where an array belongs gets a TypeError saying what to pass (``softmax([1.0, 2.0])``), not
    array-api-compat's "list is not a supported array type"."""
    try:
        return _array_namespace(*arrays)
    except TypeError:
        plain = [a for a in arrays if is_plain(a)]
        if not plain:
            raise
        import sys

        caller = sys._getframe(1).f_code.co_name  # the public function: softmax, relu, ...
        raise TypeError(
            f"{caller} takes arrays of an Array API library (NumPy, PyTorch, CuPy, JAX, ...), "
            f"and returns arrays of that library; {plain_value(plain[0])}"
        ) from None


def is_plain(value: Any) -> bool:
    """Whether value is a Python value where an array belongs: a list, tuple, number or None."""
    return value is None or isinstance(value, list | tuple | numbers.Number)


def plain_value(value: Any) -> str:
    """ "got a list, [...]. Pass an array: numpy.asarray([...]) (or torch.asarray, ...)"."""
    if value is None:
        return "got None. Pass an array: numpy.asarray([...]) (or torch.asarray, ...)"
    given = repr(value)
    given = given if len(given) <= 40 else given[:37] + "..."
    return (
        f"got {'an' if type(value).__name__[0] in 'aeiou' else 'a'} {type(value).__name__},"
        f" {given}. "
        f"Pass an array: numpy.asarray({given}) (or torch.asarray, ...)"
    )


def check_count(
    caller: str,
    name: str,
    value: Any,
    *,
    minimum: int = 1,
    maximum: int | None = None,
    hint: str = "",
) -> int:
    """value as an int when it is an integer (not a bool) from minimum up to maximum; else
    TypeError or ValueError naming ``name``. hint: how to fix it, appended to the message."""
    kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{caller}: {name} must be {kind}; got {value!r}{_fix(hint)}")
    if value < minimum:
        raise ValueError(f"{caller}: {name} must be {kind}; got {value}{_fix(hint)}")
    if maximum is not None and value > maximum:
        raise ValueError(
            f"{caller}: {name} must be {kind} up to {maximum}; got {value}{_fix(hint)}"
        )
    return int(value)


def largest_hidden_size(input_size: int, output_size: int, dtype: str) -> tuple[int, str]:
    """The most hidden units that a (input_size, H, output_size) network may have here, and why.

    MAX_LAYER_SIZE, or fewer where this process could not allocate the parameters: each is
    drawn in float64 on the host and then copied as ``dtype`` ("float32" or "float64"), so for
    one hidden unit (a column of W1, an entry of b1, a row of W2) both copies are counted.

    Examples
    --------
    >>> most, why = largest_hidden_size(784, 10, "float32")
    >>> 50 < most <= MAX_LAYER_SIZE
    True
    """
    itemsize = 4 if dtype == "float32" else 8
    per_unit = (input_size + 1 + output_size) * (DRAWN_AS + itemsize)
    available = memory_available()
    if available // per_unit >= MAX_LAYER_SIZE:
        return MAX_LAYER_SIZE, "the largest layer a checkpoint holds"
    return max(0, available // per_unit), (
        f"the most whose {input_size}-N-{output_size} network in {dtype} fits in the"
        f" {size_text(available)} this process can allocate"
    )


def check_hidden_size(caller: str, sizes: dict[str, int], dtype: str) -> None:
    """Raise XpnetValueError naming hidden_size where the network of ``sizes`` (input_size,
    hidden_size, output_size) in ``dtype`` could not be allocated here (largest_hidden_size)."""
    i, h, o = sizes["input_size"], sizes["hidden_size"], sizes["output_size"]
    most, why = largest_hidden_size(i, o, dtype)
    if h <= most:
        return
    need = (i * h + h + h * o + o) * (DRAWN_AS + (4 if dtype == "float32" else 8))
    raise XpnetValueError(
        f"{caller}: {{given}} needs {size_text(need)} for the parameters of a {i}-{h}-{o}"
        f" network (drawn in float64 on the host, then copied as {dtype}); {{name}} can be at"
        f" most {most} here, {why} (the book's is {{book}})",
        given=Use("hidden_size", h),
        name=Arg("hidden_size"),
        book=Use("hidden_size", 50),
    )


def check_positive_number(caller: str, name: str, value: Any, *, hint: str = "") -> float:
    """value as a float when it is a finite real number > 0 (not a bool, not a string)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{caller}: {name} must be a positive number; got {type(value).__name__} {value!r}"
            f"{_fix(hint)}"
        )
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{caller}: {name} must be a finite number > 0; got {value!r}{_fix(hint)}")
    return float(value)


def check_tolerance(caller: str, value: Any, *, hint: str = "") -> float:
    """A tolerance as a float when it is a finite real number >= 0 (0 passes only exact
    agreement); negative or NaN would fail every check, a correct one too."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{caller}: tolerance must be a number >= 0; got {type(value).__name__} {value!r}"
            f"{_fix(hint)}"
        )
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(
            f"{caller}: tolerance must be a finite number >= 0; got {value!r}{_fix(hint)}"
        )
    return float(value)


def check_seed(caller: str, seed: Any) -> int | None:
    """seed as given when it is None or an integer >= 0 (what numpy.random.default_rng takes)."""
    if seed is None:
        return None
    return check_count(caller, "seed", seed, minimum=0, hint="or None for a fresh draw")


def check_keywords(caller: str, given: dict[str, Any], function: Any) -> None:
    """Raise TypeError for keyword arguments that ``function`` (named ``caller``) does not take,
    naming the one to pass instead: ``train(..., lr=0.1)`` -> ``learning_rate=0.1``, the book's
    name. given: the function's ``**unexpected``; its keyword-only parameters are the choices."""
    if not given:
        return
    import difflib
    import inspect

    known = [
        p.name
        for p in inspect.signature(function).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    name, value = next(iter(given.items()))
    meant = BOOK_NAMES.get(name.lower())
    if meant not in known:
        near = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        meant = near[0] if near else None
    fix = f"; pass {meant}={value!r}" if meant else f"; it takes {', '.join(known)}"
    raise TypeError(f"{caller}() got an unexpected keyword argument {name}={value!r}{fix}")


def _fix(hint: str) -> str:
    return f"; {hint}" if hint else ""
