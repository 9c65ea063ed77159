"""What numerical_gradient accepts: the step h, the x it may perturb, the value f must return,
and the error for an f that ignores its argument (``xpnet.gradient`` imports them back).

x must be a floating-point array that can be written element by element (no integer, float16
or Dask x); f(x) must be a number or a one-element array; on immutable arrays (JAX), f must
compute from its argument, or its gradient would come out all zero.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable

from .arguments import array_namespace, check_positive_number
from .backends import LAZY_BACKENDS, Array, library_for, library_of

__all__ = ["IgnoredArgumentError", "check_float_input", "check_function", "check_step"]


class IgnoredArgumentError(ValueError):
    """numerical_gradient on immutable arrays (JAX): f does not depend on its argument."""

    __module__ = "xpnet.gradient"  # tracebacks name it where it is imported from


def _check_reads_argument(f: Callable[[Array], Array], x: Array, grad: Array) -> None:
    """Raise when a gradient made from perturbed copies is all zero because f ignores its
    argument: f stays finite when every element of x is NaN (one more call, one sync)."""
    xp = array_namespace(x)
    if math.prod(x.shape) == 0:  # no element: nothing to perturb, the empty gradient is right
        return
    if bool(xp.any(grad != 0)) or not math.isfinite(float(f(xp.full_like(x, xp.nan)))):
        return
    raise IgnoredArgumentError(
        "numerical_gradient: f ignores its argument (its value did not move when x did, and"
        " stays finite when x is all NaN). Arrays of this library are immutable, so f is called"
        " with perturbed copies of x, and a closure such as lambda W: net.loss(x, t), which reads"
        " the network's own weights, never sees them (the gradient would be all zero). Compute"
        " from the argument instead: def f(W): net.params['W1'] = W; return net.loss(x, t)"
        " -- or use net.numerical_gradient(x, t)"
    )


def check_step(caller: str, h: object) -> float:
    """h as a float when it is a finite number > 0; else a TypeError or ValueError naming h (h=0
    divides by zero, h=nan gives a gradient of NaN)."""
    return check_positive_number(caller, "h", h, hint="the book uses h=1e-4")


def check_function(caller: str, f: object) -> None:
    """Raise TypeError unless f can be called (f and x swapped, or a loss value passed)."""
    if not callable(f):
        raise TypeError(
            f"{caller}: f must be a function of x (callable), such as lambda W: net.loss(x, t);"
            f" got {type(f).__name__} {f!r:.40}. Pass the function first: {caller}(f, x)"
        )


def _scalar(value):
    """f's value as a number or 0-d array; an error naming f when it is anything else."""
    shape = getattr(value, "shape", None)
    if shape is None:
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return value
        raise TypeError(
            f"numerical_gradient: f must return a scalar (a number or a 0-d array); f(x) returned"
            f" {type(value).__name__} {value!r:.60}. Return the function's value"
        )
    if math.prod(shape) != 1:
        raise ValueError(
            f"numerical_gradient: f must return a scalar (a number or a 0-d array); f(x) returned"
            f" an array of shape {tuple(shape)}. Reduce it to one number, e.g. with xp.sum"
        )
    return value if len(shape) == 0 else array_namespace(value).reshape(value, ())


def check_float_input(x: Array, name: str, caller: str, *, h: float, in_place: bool = True) -> None:
    """Raise for integer, bool, float16 or bfloat16 x, warn for float32 x: the numerical gradient
    perturbs x in place by h, so it cannot upcast. in_place=False: the caller perturbs copies of
    x, so x need not be writable (a read-only NumPy x is fine)."""
    xp = array_namespace(x)
    if library_of(x) in LAZY_BACKENDS:
        raise TypeError(
            f"{caller} perturbs {name} in place, element by element, and every write to a"
            f" {library_of(x)} array extends its task graph (quadratic in its size): pass a NumPy"
            f" array ({name} = {name}.compute()); a TwoLayerNet of {library_of(x)} arrays has"
            " net.numerical_gradient(x, t), which works on them"
        )
    fix = library_for(x).in_place_fix(x, name) if in_place else None
    if fix is not None:
        raise TypeError(f"{caller} perturbs {name} in place by h={h}, but {fix}")
    if not xp.isdtype(x.dtype, "real floating"):
        raise TypeError(
            f"{caller} perturbs {name} in place by h={h}, so {name} must be a floating-point "
            f"array; got dtype {x.dtype}. Convert it first: {name} = xp.astype({name}, xp.float64)"
        )
    eps = float(xp.finfo(x.dtype).eps)
    if eps > float(xp.finfo(xp.float32).eps):  # float16, bfloat16: 1 + h rounds back to 1
        raise TypeError(
            f"{caller} perturbs {name} in place by h={h}, a step too small for dtype {x.dtype} "
            f"(spacing {eps:g} near 1: {name} + h rounds back to {name} and the gradient comes "
            f"out 0). Convert it first: {name} = xp.astype({name}, xp.float64)"
        )
    if x.dtype == xp.float32:
        warnings.warn(
            f"{caller}: {name} is float32, whose rounding error at h={h} is about 1e-3 of the "
            f"result; use float64 for accurate numerical gradients",
            UserWarning,
            stacklevel=3,
        )
