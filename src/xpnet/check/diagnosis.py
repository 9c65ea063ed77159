"""The diagnosis: backprop's gradients against the numerical ones, parameter by parameter, in words.

A :class:`Diagnosis` holds what every parameter's verdict needs -- all the gradients (to tell a
gradient taken from another layer), the batch size (to tell a factor N or a sum over the wrong
axis), the criterion and its tolerance -- and :meth:`Diagnosis.parameter` turns one parameter into
a :class:`~xpnet.check.report.ParameterCheck`: the figures (:func:`compare_gradients`) and, when
they disagree, the likely mistake -- a shape taken from another layer, transposed, summed over
every axis or over the units instead of the batch, a factor of the batch size, a loss that does
not depend on the parameter, or a few entries at ReLU's kink. :meth:`Diagnosis.placement` then
says where the mistake is: which gradients are right, which wrong, and what they share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..backends import Array, array_namespace
from .report import MEASURES, ParameterCheck

__all__ = ["Diagnosis", "compare_gradients"]

FACTOR_FIT = 1e-3  # backprop = c * numerical when the rest is this small, relative
NEAR_ONE = 1e-5  # a factor this close to 1 is no factor (the check passes far from it)
ZERO = "the numerical gradient is exactly 0"  # the start of the reason for a loss that ignores it


def compare_gradients(name: str, backprop: Array, numerical: Array) -> ParameterCheck:
    """Every figure of one parameter's two gradients, as Python floats.

    Parameters
    ----------
    name : str
        The parameter's name.
    backprop, numerical : array
        The two gradients, of one shape.

    Returns
    -------
    ParameterCheck
        ``max_abs``, ``mean_abs`` of |backprop - numerical|, ``error`` (``rel error``: max_abs
        over the largest |entry| of either), ``max_relative`` (element-wise), the largest
        |entry| of each; ``passed`` is left False for the caller to decide.

    Examples
    --------
    >>> import numpy as np
    >>> p = compare_gradients("b", np.array([1.0, 2.0]), np.array([1.0, 2.5]))
    >>> p.max_abs, p.mean_abs, p.error
    (0.5, 0.25, 0.2)
    """
    xp = array_namespace(backprop, numerical)
    diff = xp.abs(backprop - numerical)
    scale = xp.maximum(xp.abs(backprop), xp.abs(numerical))
    nonzero = scale > 0
    relative = xp.where(nonzero, diff / xp.where(nonzero, scale, xp.ones_like(scale)), 0.0 * diff)
    empty = _size(diff) == 0
    max_abs = 0.0 if empty else float(xp.max(diff))
    backprop_max = 0.0 if empty else float(xp.max(xp.abs(backprop)))
    numerical_max = 0.0 if empty else float(xp.max(xp.abs(numerical)))
    largest = max(backprop_max, numerical_max)
    finite = math.isfinite(max_abs) and math.isfinite(largest)
    error = (max_abs / largest if largest > 0 else 0.0) if finite else math.inf
    return ParameterCheck(
        name=name,
        shape=tuple(numerical.shape),
        gradient_shape=tuple(backprop.shape),
        backprop_max=backprop_max,
        numerical_max=numerical_max,
        error=error,
        max_abs=max_abs,
        mean_abs=0.0 if empty else float(xp.mean(diff)),
        max_relative=0.0 if empty else float(xp.max(relative)),
    )


@dataclass(frozen=True)
class Diagnosis:
    """What the verdict of each parameter needs.

    grads, numerical: every parameter's backprop (as returned, possibly missing or misshapen) and
    numerical gradient; batch_size: N of the check's batch; criterion, tolerance: the measure
    that decides (a key of MEASURES) and its bound; kinks: hidden pre-activations near ReLU's
    kink, when known (None: unknown, so a few disagreeing entries may be the kink).
    """

    grads: dict
    numerical: dict
    batch_size: int
    criterion: str
    tolerance: float
    kinks: int | None = None

    def parameter(self, name: str, param: Array) -> ParameterCheck:
        """The figures and the verdict of ``params[name]``."""
        n, grad = self.numerical[name], self.grads.get(name)
        xp = array_namespace(n)
        shape = tuple(param.shape)
        numerical_max = float(xp.max(xp.abs(n))) if _size(n) else 0.0
        if grad is None:
            reason = (
                f"gradient(x, t) returns no {name!r}: it must return a gradient for every key of"
                f" params; add grads[{name!r}] = ..."
            )
            return ParameterCheck(
                name=name, shape=shape, numerical_max=numerical_max, reason=reason
            )
        if not hasattr(grad, "shape") or tuple(grad.shape) != shape:
            return ParameterCheck(
                name=name,
                shape=shape,
                gradient_shape=tuple(getattr(grad, "shape", ())),
                numerical_max=numerical_max,
                reason=self._shape_reason(name, param, grad),
            )
        b = xp.astype(xp.asarray(grad), n.dtype)
        figures = compare_gradients(name, b, n)
        passed = getattr(figures, MEASURES[self.criterion][0]) <= self.tolerance
        factor = None if passed else _factor(b, n)
        reason = "" if passed else self._value_reason(name, b, n, factor, figures)
        return replace(figures, factor=factor, passed=passed, reason=reason)

    def _shape_reason(self, name: str, param: Array, grad) -> str:
        if not hasattr(grad, "shape"):
            return f"gradient()[{name!r}] is {type(grad).__name__}, not an array (a dW never set?)"
        got, want = tuple(grad.shape), tuple(param.shape)
        said = f"the gradient has shape {got} but {name} has shape {want}"
        for other, n in self.numerical.items():
            if other != name and tuple(n.shape) == got:
                same = _close(grad, n) or _close(grad, self.grads.get(other))
                return f"{said}, the shape of {other}: probably taken from {other}'s layer" + (
                    f" (it equals {other}'s gradient)" if same else ""
                )
        if len(want) == 2 and got == want[::-1]:
            return f"{said}: transposed; for y = x @ W the gradient is dW = x.T @ dout"
        N = self.batch_size
        if len(want) == 1 and got == (N,) and want != (N,):
            return (
                f"{said}: {N} is the batch size N, so the sum ran over the units (axis=1) instead"
                f" of the batch: db = sum(dout, axis=0)"
            )
        if got == () or math.prod(got) == 1:
            return f"{said}: a sum over every axis; sum over the batch only: db = sum(dout, axis=0)"
        return f"{said}; a gradient has its parameter's shape"

    def _value_reason(self, name, b, n, factor, figures) -> str:
        xp, N = array_namespace(n), self.batch_size
        for gradient, what in ((b, "backprop"), (n, "the numerical gradient")):
            bad = _size(n) - int(xp.count_nonzero(xp.isfinite(gradient)))
            if bad:
                return f"{what} has {bad} of {_size(n)} entries nan or inf" + (
                    ": backprop divides by 0 or takes the log of 0 or less (a softmax missing?)"
                    if what == "backprop"
                    else f": the loss is nan or inf where params[{name!r}] moves by h"
                )
        if not bool(xp.any(n != 0)):
            return (
                f"{ZERO}: the loss does not change when params[{name!r}] changes. The layers hold"
                f" copies of the parameters (e.g. Affine(W.copy())), or loss() ignores"
                f" params[{name!r}]; the layers must use the arrays in net.params"
            )
        for other, m in self.numerical.items():
            if other != name and tuple(m.shape) == tuple(b.shape) and _close(b, m):
                return f"it equals {other}'s gradient: probably taken from {other}'s layer"
        if factor is not None:
            said = f"backprop is {_shown(factor)} times the numerical gradient"
            if N > 1 and abs(factor - N) <= FACTOR_FIT * N:
                return (
                    f"{said}, the batch size N={N}: the backward pass sums over the batch where"
                    " the loss takes the mean (divide by the batch size in"
                    " SoftmaxWithLoss.backward)"
                )
            if N > 1 and abs(factor * N - 1) <= FACTOR_FIT:
                return (
                    f"{said}, 1/N for the batch size N={N}: the backward pass divides by the"
                    " batch size where the loss sums (or divides twice)"
                )
            if abs(factor + 1) <= FACTOR_FIT:
                return f"{said}: the sign is flipped"
            if 1 < factor <= 1.05:
                return (
                    f"{said}, a little over 1: the loss probably adds more than the book's 1e-7"
                    " inside its log (-log(y + 1e-4) makes about 1.001), which backprop's"
                    " (y - t) / N does not follow; add 1e-7 as cross_entropy_error does"
                )
            return f"{said}: a constant factor is wrong"
        scale = max(figures.backprop_max, figures.numerical_max)
        off = int(xp.count_nonzero(xp.abs(b - n) > self.tolerance * scale))
        few = 0 < off <= max(3, _size(n) // 100) and 10 * off <= _size(n)
        if few and self.kinks != 0 and self.criterion == "rel error":
            return (
                f"only {off} of {_size(n)} entries disagree. Where a ReLU input lies within h of"
                " 0, the numerical gradient straddles the kink and is itself wrong: check again"
                " with other x or weights before hunting a bug"
            )
        return "backprop and the numerical gradient differ"

    def placement(self, results: tuple[ParameterCheck, ...], layers: tuple[str, ...]) -> list[str]:
        """Where the mistake is: which gradients are right, which wrong, and what they share."""
        right = [p.name for p in results if p.passed]
        wrong = [p for p in results if not p.passed]
        if not wrong:
            return []
        lines = []
        factors = [p.factor for p in wrong]
        same = None not in factors and max(factors) - min(factors) <= 1e-3 * abs(factors[0])
        if len(wrong) == len(results) > 1 and same:
            lines.append(
                f"every gradient is off by the same factor {_shown(wrong[0].factor)}: the mistake"
                " is in what all of them share, the loss layer's backward (SoftmaxWithLoss) or the"
                " loss"
            )
        if not right:
            return lines
        named = f"right: {', '.join(right)}; wrong: {', '.join(p.name for p in wrong)}"
        if all(p.reason.startswith(ZERO) for p in wrong):
            lines.append(
                f"{named}. The loss does not change with the wrong ones at all: that is the"
                " forward pass (their layer computes with copies, or ignores them), not"
                " backprop, whose gradients for them may well be right"
            )
        elif layers:
            lines.append(
                f"{named}. Look at the layer(s) named above: each fails on its own, its backward"
                " against the derivative of its forward"
            )
        else:
            lines.append(
                f"{named}. The backward pass that feeds the right ones works: look where the"
                " wrong ones are computed (their layer's backward, the layers between) and"
                " collected (gradient())"
            )
        return lines


def _factor(b: Array, n: Array) -> float | None:
    """c when b = c * n (least squares) up to FACTOR_FIT of b's size, c not within NEAR_ONE of
    1; else None. A c of 1.001 is kept: a loss's log(y + 1e-4) makes it."""
    xp = array_namespace(n)
    nn = float(xp.sum(n * n))
    if nn == 0 or not math.isfinite(nn):
        return None
    c = float(xp.sum(b * n)) / nn
    if not math.isfinite(c):
        return None
    rest = float(xp.max(xp.abs(b - c * n)))
    size = float(xp.max(xp.abs(b)))
    if size == 0 or rest > FACTOR_FIT * size or abs(c - 1) <= NEAR_ONE:
        return None
    return c


def _shown(factor: float) -> str:
    """4 figures, 6 near 1: a factor 1.0004 is not shown as 1."""
    return f"{factor:.4g}" if abs(factor - 1) > 1e-2 else f"{factor:.6g}"


def _close(a, n) -> bool:
    if not hasattr(a, "shape") or n is None or tuple(a.shape) != tuple(n.shape):
        return False
    xp = array_namespace(n)
    a = xp.astype(xp.asarray(a), n.dtype)
    scale = float(xp.max(xp.maximum(xp.abs(a), xp.abs(n)))) if _size(n) else 0.0
    return scale > 0 and float(xp.max(xp.abs(a - n))) <= 1e-3 * scale


def _size(a: Array) -> int:
    return math.prod(a.shape)  # torch's .size is a method
