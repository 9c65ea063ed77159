"""Check a learner's own network: its backprop gradient against the numerical gradient.

:func:`check_network` takes any object with the book's interface -- ``params`` (name -> array),
``loss(x, t)``, ``gradient(x, t)`` -- of any Array API library, and runs five steps:

1. keep a copy of every parameter (restored at the end, also when the learner's code raises);
2. call ``loss`` once: it must return a scalar and leave x and t as they were;
3. call ``gradient``: a dict (keyed like ``params``) that leaves x, t and params as they were;
4. the numerical gradient of ``loss`` for each parameter, perturbed in place, as the book does
   (:func:`xpnet.numerical_gradient`, the only way to reach layers that hold the arrays);
5. compare (:func:`xpnet.gradcheck.compare_gradients`) and name the likely mistake.

The criterion is the relative error scaled by the gradient's magnitude,
``max|backprop - numerical| / max(max|backprop|, max|numerical|)``, at most ``TOLERANCE``:

- float64 (1e-4): the central difference with h = 1e-4 is exact to ~h^2/6 (1e-9, relative) and
  its rounding adds ~eps |loss| / h (1e-11, absolute). The book's loss ``-log(y + 1e-7)`` moves
  the numerical gradient by ~1e-7/y relative to backprop, which ignores the 1e-7 (b2: ~1.4e-7
  absolute, ~1e-6 relative at initialization, y ~ 0.1): 1e-4 passes it with 100x margin while
  y >= 1e-3. The mistakes this check is for give errors from 0.1 (a factor 1/N, N >= 2) to 1.
- float32 (5e-2): perturbing in place cannot change a parameter's dtype; in float32 the loss
  rounds at ~1e-7 |loss|, so h = 1e-3 and the coarse bound, which still catches a factor of the
  batch size, a wrong layer or a missing dependence. The report says so.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from .backend import Array, array_namespace, on_device_of
from .gradcheck import compare_gradients
from .gradient import H, numerical_gradient
from .netreport import NetworkCheck, ParameterResult

__all__ = ["TOLERANCE", "check_network"]

TOLERANCE = {"float64": 1e-4, "float32": 5e-2}
STEP = {"float64": H, "float32": 1e-3}
FACTOR_FIT = 1e-3  # backprop = c * numerical when the rest is this small, relative


def check_network(net: Any, x: Array, t: Array, *, tolerance: float | None = None) -> NetworkCheck:
    """Compare ``net.gradient(x, t)`` with the numerical gradient of ``net.loss(x, t)``.

    net: any object with ``params`` (dict name -> floating-point array), ``loss(x, t)`` returning
    a scalar and ``gradient(x, t)`` returning a dict keyed like ``params``. x: the inputs the
    net takes, (N, ...); cast to float64 when the parameters are float64. t: labels (N,) or
    one-hot (N, C), passed as given. The parameters are perturbed in place one entry at a time
    (2 calls of ``loss`` per entry: small nets and batches are fast) and restored exactly.
    tolerance: the largest relative error that passes (default: ``TOLERANCE`` by dtype).
    Returns a :class:`~xpnet.netreport.NetworkCheck`; exceptions of the learner's code pass
    through, after the parameters are restored.

    >>> import numpy as np
    >>> from xpnet import TwoLayerNet
    >>> net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, seed=1)
    >>> check = check_network(net, np.array([[0.5, -1.0, 2.0, 0.25]]), np.array([1]))
    >>> check.passed, check["W1"].error < 1e-6
    (True, True)
    """
    params = _params_of(net)
    with on_device_of(next(iter(params.values()))):  # CuPy: work on the parameters' GPU
        return _check(net, params, x, t, tolerance)


def _check(net, params, x, t, tolerance) -> NetworkCheck:
    saved = {name: (p, _copy(p)) for name, p in params.items()}
    dtype = _dtype_name(params)
    tol = TOLERANCE[dtype] if tolerance is None else float(tolerance)
    x = _as_dtype(x, next(iter(params.values())))
    problems, notes = [], []
    if dtype == "float32":
        notes.append(
            f"the parameters are float32, so the check is coarse (h={STEP[dtype]:g}, tolerance"
            f" {tol:g}); build the net in float64 for a sharp one"
        )
    try:
        with _Watch(x, t, "loss(x, t)", problems):
            loss = net.loss(x, t)
        problems += [p for p in [_not_scalar(loss)] if p]
        if problems:  # no figure means anything while loss is no scalar or changes its inputs
            return NetworkCheck((), tuple(problems), tuple(notes), tol, x.shape[0], dtype)
        with _Watch(x, t, "gradient(x, t)", problems), _Watch(params, None, "", problems):
            grads = net.gradient(x, t)
        grads = _gradients(grads, params, problems, notes)
        if problems:
            return NetworkCheck((), tuple(problems), tuple(notes), tol, x.shape[0], dtype)
        numerical = _numerical(net, x, t, params, STEP[dtype])
    finally:
        for name, (p, copy) in saved.items():  # also after gradient() replaced or changed them
            net.params[name] = p
            p[...] = copy
    results = tuple(
        _judge(name, params[name], grads.get(name), numerical, grads, x.shape[0], tol)
        for name in params
    )
    return NetworkCheck(results, tuple(problems), tuple(notes), tol, x.shape[0], dtype)


def _params_of(net: Any) -> dict[str, Array]:
    for method in ("loss", "gradient"):
        if not callable(getattr(net, method, None)):
            raise TypeError(
                f"net must have a method {method}(x, t), as the book's TwoLayerNet does; "
                f"{type(net).__name__} has none"
            )
    params = getattr(net, "params", None)
    if not isinstance(params, dict) or not params:
        raise TypeError(
            f"net.params must be a non-empty dict of parameter name -> array; got "
            f"{type(params).__name__}"
        )
    return dict(params)


def _numerical(net, x, t, params, h) -> dict[str, Array]:
    def loss(_):  # the book's lambda W: net.loss(x, t): W is perturbed in place
        return _scalar(net.loss(x, t))

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "numerical_gradient: ", UserWarning)  # float32 noted
        return {name: numerical_gradient(loss, p, h=h) for name, p in params.items()}


def _gradients(grads, params, problems, notes) -> dict[str, Array]:
    """The backprop gradients, copied (layers may reuse their arrays), or {} with a problem."""
    if not isinstance(grads, dict):
        problems.append(
            f"gradient(x, t) must return a dict name -> array like params; got"
            f" {type(grads).__name__}"
        )
        return {}
    extra = [name for name in grads if name not in params]
    if extra:
        notes.append(f"gradient(x, t) also returns {', '.join(map(str, extra))}, not in params")
    return {name: _copy(g) if hasattr(g, "shape") else g for name, g in grads.items()}


def _judge(name, param, grad, numerical, grads, N, tol) -> ParameterResult:
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


class _Watch:
    """A with-block that notes a problem when it changed x and t (or the params dict's arrays)."""

    def __init__(self, x, t, call: str, problems: list[str]) -> None:
        self.call, self.problems = call, problems
        self.items = x.items() if isinstance(x, dict) else (("x", x), ("t", t))
        self.saved = [(name, a, _copy(a)) for name, a in self.items if hasattr(a, "shape")]

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            return
        for name, a, copy in self.saved:
            if not _equal(a, copy):
                self.problems.append(
                    f"gradient(x, t) changes params[{name!r}]: computing a gradient must not"
                    " update the parameters (the optimizer does that)"
                    if not self.call
                    else f"{self.call} changes {name} in place: work on a copy (x = x - m,"
                    f" not x -= m), or every later call sees other data"
                )


def _equal(a, b) -> bool:
    xp = array_namespace(b)
    return tuple(a.shape) == tuple(b.shape) and bool(xp.all((a == b) | (a != a)))


def _size(a: Array) -> int:
    return math.prod(a.shape)  # torch's .size is a method


def _copy(a: Array) -> Array:
    return array_namespace(a).asarray(a, copy=True)


def _not_scalar(loss) -> str:
    if loss is None:
        return "loss(x, t) returns None: it must return the loss (a return statement missing?)"
    if isinstance(loss, int | float):
        return ""
    shape = tuple(getattr(loss, "shape", ()))
    if math.prod(shape) != 1:
        return (
            f"loss(x, t) must return a scalar; got shape {shape}: one value per sample?"
            " Take the mean over the batch"
        )
    return ""


def _scalar(loss):
    return loss if isinstance(loss, int | float) else array_namespace(loss).reshape(loss, ())


def _dtype_name(params: dict[str, Array]) -> str:
    names = set()
    for name, p in params.items():
        xp = array_namespace(p)
        if not xp.isdtype(p.dtype, "real floating"):
            raise TypeError(
                f"net.params[{name!r}] must be a floating-point array; got dtype {p.dtype}."
                " Build the parameters with floats (the book: weight_init_std * randn)"
            )
        names.add("float64" if p.dtype == xp.float64 else "float32")
    return "float32" if "float32" in names else "float64"


def _as_dtype(x: Array, param: Array) -> Array:
    """x in float64 when the parameters are float64 and x is floating-point; else x as it is."""
    xp = array_namespace(x)
    if xp.isdtype(x.dtype, "real floating") and param.dtype == array_namespace(param).float64:
        return xp.astype(x, xp.float64)
    return x
