"""Checks of the plain-number arguments of public functions (sizes, rates, step counts, seeds).

Each raises where the argument is given, naming it, what it must be and what came, so that a
``TwoLayerNet(784, -3, 10)`` fails on ``hidden_size`` and not, later, inside NumPy. Only Python
values are read here: no array, so no GPU wait.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["check_count", "check_positive_number", "check_seed"]


def check_count(caller: str, name: str, value: Any, *, minimum: int = 1, hint: str = "") -> int:
    """value as an int when it is an integer (not a bool) of at least minimum; else TypeError or
    ValueError naming ``name``. hint: how to fix it, appended to the message."""
    kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{caller}: {name} must be {kind}; got {value!r}{_fix(hint)}")
    if value < minimum:
        raise ValueError(f"{caller}: {name} must be {kind}; got {value}{_fix(hint)}")
    return int(value)


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


def check_seed(caller: str, seed: Any) -> int | None:
    """seed as given when it is None or an integer >= 0 (what numpy.random.default_rng takes)."""
    if seed is None:
        return None
    return check_count(caller, "seed", seed, minimum=0, hint="or None for a fresh draw")


def _fix(hint: str) -> str:
    return f"; {hint}" if hint else ""
