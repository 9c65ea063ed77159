"""The diagnosis of one parameter: backprop's gradient against the numerical one, in words.

:func:`judge` turns the two gradients into a :class:`~xpnet.check.report.ParameterResult`: the
figures (:func:`~xpnet.check.gradcheck.compare_gradients`, the relative error scaled by the
gradient's magnitude) and, when they disagree, the likely mistake -- a shape taken from another
layer, a transposed or fully summed gradient, a factor of the batch size, a loss that does not
depend on the parameter, or a few entries at ReLU's kink.
"""

from __future__ import annotations

import math

from ..backends import Array, array_namespace
from .gradcheck import compare_gradients
from .report import ParameterResult

__all__ = ["judge"]

FACTOR_FIT = 1e-3  # backprop = c * numerical when the rest is this small, relative


def judge(name, param, grad, numerical, grads, N, tol) -> ParameterResult:
    """One parameter's result. param: net.params[name]; grad: backprop's gradient (None when
    missing); numerical, grads: every parameter's numerical and backprop gradients (to tell a
    gradient taken from another layer); N: the batch size; tol: the largest passing error."""
    n = numerical[name]
    xp = array_namespace(n)
    shape, numerical_max = tuple(param.shape), float(xp.max(xp.abs(n))) if _size(n) else 0.0
    if grad is None:
        return ParameterResult(
            name, shape, None, None, numerical_max, None, None, None, None, False,
            f"gradient(x, t) returns no {name!r}: it must return a gradient for every key of"
            f" params; add grads[{name!r}] = ...",
        )  # fmt: skip
    if not hasattr(grad, "shape") or tuple(grad.shape) != shape:
        reason = _shape_reason(name, param, grad, grads, numerical)
        return ParameterResult(
            name, shape, tuple(getattr(grad, "shape", ())), None, numerical_max, None, None,
            None, None, False, reason,
        )  # fmt: skip
    b = xp.astype(xp.asarray(grad), n.dtype)
    figures = compare_gradients(name, b, n)
    backprop_max = float(xp.max(xp.abs(b))) if _size(b) else 0.0
    scale = max(backprop_max, numerical_max)
    error = figures.max_abs / scale if scale > 0 else 0.0
    passed = error <= tol
    factor = None if passed else _factor(b, n)
    reason = "" if passed else _value_reason(name, b, n, factor, N, scale, tol, grads, numerical)
    return ParameterResult(
        name, shape, shape, backprop_max, numerical_max, error, figures.max_abs,
        figures.mean_abs, factor, passed, reason,
    )  # fmt: skip


def _shape_reason(name, param, grad, grads, numerical) -> str:
    if not hasattr(grad, "shape"):
        return f"gradient()[{name!r}] is {type(grad).__name__}, not an array (a dW never set?)"
    got, want = tuple(grad.shape), tuple(param.shape)
    said = f"the gradient has shape {got} but {name} has shape {want}"
    for other, n in numerical.items():
        if other != name and tuple(n.shape) == got:
            same = _close(grad, n) or _close(grad, grads.get(other))
            return f"{said}, the shape of {other}: probably taken from {other}'s layer" + (
                f" (it equals {other}'s gradient)" if same else ""
            )
    if len(want) == 2 and got == want[::-1]:
        return f"{said}: transposed; for y = x @ W the gradient is dW = x.T @ dout"
    if got == () or math.prod(got) == 1:
        return f"{said}: a sum over every axis; sum over the batch only: db = sum(dout, axis=0)"
    return f"{said}; a gradient has its parameter's shape"


def _value_reason(name, b, n, factor, N, scale, tol, grads, numerical) -> str:
    xp = array_namespace(n)
    if not bool(xp.any(n != 0)):
        return (
            f"the numerical gradient is exactly 0: the loss does not change when params[{name!r}]"
            " changes. The layers hold copies of the parameters (e.g. Affine(W.copy())), or"
            f" loss() ignores params[{name!r}]; the layers must use the arrays in net.params"
        )
    for other, m in numerical.items():
        if other != name and tuple(m.shape) == tuple(b.shape) and _close(b, m):
            return f"it equals {other}'s gradient: probably taken from {other}'s layer"
    if factor is not None:
        said = f"backprop is {factor:.4g} times the numerical gradient"
        if N > 1 and abs(factor - N) <= FACTOR_FIT * N:
            return (
                f"{said}, the batch size N={N}: the backward pass sums over the batch where the"
                " loss takes the mean (divide by the batch size in SoftmaxWithLoss.backward)"
            )
        if N > 1 and abs(factor * N - 1) <= FACTOR_FIT:
            return (
                f"{said}, 1/N for the batch size N={N}: the backward pass divides by the batch"
                " size where the loss sums (or divides twice)"
            )
        if abs(factor + 1) <= FACTOR_FIT:
            return f"{said}: the sign is flipped"
        return f"{said}: a constant factor is wrong"
    diff = xp.abs(b - n)
    off = int(xp.count_nonzero(diff > tol * scale))
    if off <= max(3, _size(n) // 100) and 10 * off <= _size(n):
        return (
            f"only {off} of {_size(n)} entries disagree. Where a ReLU input lies within h of 0,"
            " the numerical gradient straddles the kink and is itself wrong: check again with"
            " other x or weights before hunting a bug"
        )
    return "backprop and the numerical gradient differ"


def _factor(b: Array, n: Array) -> float | None:
    """c when b = c * n (least squares) up to FACTOR_FIT of b's size, c not ~1; else None."""
    xp = array_namespace(n)
    nn = float(xp.sum(n * n))
    if nn == 0:
        return None
    c = float(xp.sum(b * n)) / nn
    rest = float(xp.max(xp.abs(b - c * n)))
    size = float(xp.max(xp.abs(b)))
    if size == 0 or rest > FACTOR_FIT * size or abs(c - 1) <= FACTOR_FIT:
        return None
    return c


def _close(a, n) -> bool:
    if not hasattr(a, "shape") or n is None or tuple(a.shape) != tuple(n.shape):
        return False
    xp = array_namespace(n)
    a = xp.astype(xp.asarray(a), n.dtype)
    scale = float(xp.max(xp.maximum(xp.abs(a), xp.abs(n)))) if _size(n) else 0.0
    return scale > 0 and float(xp.max(xp.abs(a - n))) <= 1e-3 * scale


def _size(a: Array) -> int:
    return math.prod(a.shape)  # torch's .size is a method
