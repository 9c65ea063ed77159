"""Check a learner's own network: its backprop gradient against the numerical gradient.

:func:`check_network` takes any object with the book's interface -- ``params`` (name -> array),
``loss(x, t)``, ``gradient(x, t)`` -- of any Array API library, and runs five steps:

1. keep a copy of every parameter (restored at the end, also when the learner's code raises);
2. call ``loss`` once: it must return a scalar and leave x and t as they were;
3. call ``gradient``: a dict (keyed like ``params``) that leaves x, t and params as they were
   (steps 1-3 hold the net to the book's interface: :mod:`xpnet.check.interface`);
4. the numerical gradient of ``loss`` for each parameter, perturbed in place, as the book does
   (:func:`xpnet.numerical_gradient`, the only way to reach layers that hold the arrays); on
   immutable arrays (JAX) each perturbed copy is stored in ``net.params[name]``, which reaches
   a net whose layers read their parameters from ``params`` (xpnet's own do);
5. compare and name the likely mistake (:mod:`xpnet.check.diagnosis`);
6. hold ``loss`` to the mean of the images' own losses, each image alone
   (:mod:`xpnet.check.batch`): a loss wrong for a batch, which its own gradient follows.

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

from ..arguments import check_tolerance
from ..backends import Array, array_namespace, on_device_of, writes_in_place
from ..gradient import H, IgnoredArgumentError, numerical_gradient
from .batch import batch_mistake
from .corners import judge_corners
from .diagnosis import Diagnosis
from .interface import (
    METHODS,
    _as_dtype,
    _copy,
    _dtype_name,
    _gradients,
    _not_scalar,
    _params_of,
    _scalar,
    _Watch,
    _write,
)
from .layers import probe_layers
from .report import GradientCheck

__all__ = ["METHODS", "TOLERANCE", "check_network"]

TOLERANCE = {"float64": 1e-4, "float32": 5e-2}
STEP = {"float64": H, "float32": 1e-3}


def check_network(
    net: Any,
    x: Array,
    t: Array,
    *,
    tolerance: float | None = None,
    method: str = "gradient",
) -> GradientCheck:
    """Compare ``net.gradient(x, t)`` with the numerical gradient of ``net.loss(x, t)``.

    The parameters are perturbed in place one entry at a time (2 calls of ``loss`` per entry:
    small nets and batches are fast) and restored exactly. When a parameter is wrong and the
    net keeps its layers as the book does (``net.layers``, ``net.lastLayer``), each layer's
    backward is checked against its own forward too, so that the report names the layer.

    Parameters
    ----------
    net : object
        Any object with ``params`` (dict name -> floating-point array), ``loss(x, t)``
        returning a scalar and ``gradient(x, t)`` returning a dict keyed like ``params``.
    x : array, shape (N, ...)
        The inputs the net takes; cast to float64 when the parameters are float64.
    t : array, shape (N,) or (N, C)
        Labels or one-hot targets, passed as given.
    tolerance : float, optional
        The largest relative error that passes (default: ``TOLERANCE`` by dtype).
    method : str
        The method checked: "gradient" (backprop), or "numerical_gradient" for a net of
        chapter 4 that has no backprop yet (its own numerical gradient against xpnet's).

    Returns
    -------
    GradientCheck
        The one result type of the checks (also named NetworkCheck), deciding by
        ``criterion="rel error"``.

    Raises
    ------
    TypeError
        When net lacks the book's interface, a parameter is not floating-point, or tolerance
        is no number. Exceptions of the learner's code pass through, after the parameters are
        restored.
    ValueError
        When tolerance is given and is negative or NaN (no network would pass).

    Examples
    --------
    >>> import numpy as np
    >>> from xpnet import TwoLayerNet
    >>> net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, seed=1)
    >>> check = check_network(net, np.array([[0.5, -1.0, 2.0, 0.25]]), np.array([1]))
    >>> check.passed, check["W1"].error < 1e-6
    (True, True)
    """
    if tolerance is not None:  # negative or NaN: a check no network passes
        tolerance = check_tolerance(
            "check_network", tolerance, hint="or None for the dtype's default"
        )
    params = _params_of(net, method)
    with on_device_of(next(iter(params.values()))):  # CuPy: work on the parameters' GPU
        return _check(net, params, x, t, tolerance, method)


def _check(net, params, x, t, tolerance, method) -> GradientCheck:
    saved = {name: (p, _copy(p)) for name, p in params.items()}
    for name, (p, copy) in saved.items():
        if writes_in_place(p):
            _write(name, p, copy)
    dtype = _dtype_name(params)
    tol = TOLERANCE[dtype] if tolerance is None else float(tolerance)
    x = _as_dtype(x, next(iter(params.values())))
    problems, notes, layers, batch = [], [], (), ""
    if dtype == "float32":
        notes.append(
            f"the parameters are float32, so the check is coarse (h={STEP[dtype]:g}, tolerance"
            f" {tol:g}); build the net in float64 for a sharp one"
        )
    N = int(x.shape[0])

    def result(parameters=(), placement=()) -> GradientCheck:
        return GradientCheck(
            parameters=tuple(parameters),
            criterion="rel error",
            tolerance=tol,
            problems=tuple(problems),
            notes=tuple(notes),
            layers=tuple(layers),
            batch_size=N,
            dtype=dtype,
            method=method,
            placement=tuple(placement),
            batch=batch,
        )

    try:
        with _Watch(x, t, "loss(x, t)", problems):
            loss = net.loss(x, t)
        again = lambda: net.loss(x, t)  # noqa: E731 (where a None comes from)
        problems += [p for p in [_not_scalar(loss, again) or _not_finite(loss)] if p]
        if problems:  # no figure means anything while loss is no scalar or changes its inputs
            return result()
        call = f"{method}(x, t)"
        with _Watch(x, t, call, problems), _Watch(params, None, call, problems):
            try:
                grads = getattr(net, method)(x, t)
            except Exception as error:  # loss(x, t) ran: backprop raises (a verdict for check)
                error.xpnet_in_backward = method == "gradient"
                raise
        grads = _gradients(grads, params, problems, notes, call)
        if problems:
            return result()
        numerical = _numerical(net, x, t, params, STEP[dtype])
        diagnosis = Diagnosis(grads, numerical, N, "rel error", tol)
        parameters = tuple(diagnosis.parameter(name, params[name]) for name in params)
        if dtype == "float64" and not all(p.passed for p in parameters):
            parameters = _finer(net, x, t, params, parameters, diagnosis, notes)
            parameters = judge_corners(
                parameters, grads, numerical, params, lambda k, W: _loss_at(net, k, W, x, t)
            )
        if method == "gradient" and not all(p.passed or not p.judged for p in parameters):
            layers = probe_layers(net, x, t)
        batch = batch_mistake(net, x, t, loss, dtype)
    finally:
        for name, (p, copy) in saved.items():  # also after gradient() replaced or changed them
            net.params[name] = p
            if writes_in_place(p):
                p[...] = copy
    judged = tuple(p for p in parameters if p.judged)
    return result(parameters, diagnosis.placement(judged, layers) if judged else ())


def _not_finite(loss) -> str:
    """The problem of a loss that is nan or inf: no gradient of it means anything."""
    value = float(_scalar(loss))
    if math.isfinite(value):
        return ""
    return (
        f"loss(x, t) is {value} on the check's x and t, so no gradient of it can be checked: a"
        " log of a probability of 0 or below (the scores of predict(x) put into"
        " cross_entropy_error without softmax, or log(y) without the book's + 1e-7), or an"
        " overflow (exp without subtracting the max)"
    )


def _numerical(net, x, t, params, h) -> dict[str, Array]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "numerical_gradient: ", UserWarning)  # float32 noted
        return {name: _numerical_one(net, name, p, x, t, h) for name, p in params.items()}


def _loss_at(net, name: str, W: Array, x: Array, t: Array) -> float:
    """The loss with net.params[name] set to W (p perturbed in place, or a perturbed copy)."""
    net.params[name] = W
    return _scalar(net.loss(x, t))


def _numerical_one(net, name: str, p: Array, x: Array, t: Array, h: float) -> Array:
    def loss(W):  # W is p perturbed in place (the book's way), or a perturbed copy (JAX)
        return _loss_at(net, name, W, x, t)

    try:
        return numerical_gradient(loss, p, h=h)
    except IgnoredArgumentError:  # immutable arrays: the loss does not read params[name]
        return array_namespace(p).zeros_like(p)


FINE_STEP = 1e-6  # float64: rounding ~ eps |loss| / h ~ 5e-10, still far below the tolerance


def _finer(net, x, t, params, parameters, diagnosis, notes) -> tuple:
    """Parameters that disagree without a shape or a factor to show for it, again with a step
    h 100 times finer: where a ReLU input lies within h of its kink the central difference
    straddles it, and the points that do shrink with h; a mistake does not."""
    again = []
    for p in parameters:
        if p.passed or p.factor is not None or p.gradient_shape != p.shape or not p.numerical_max:
            again.append(p)
            continue
        numerical = {**diagnosis.numerical}
        numerical[p.name] = _numerical_one(net, p.name, params[p.name], x, t, FINE_STEP)
        finer = Diagnosis(diagnosis.grads, numerical, diagnosis.batch_size, "rel error",
                          diagnosis.tolerance).parameter(p.name, params[p.name])  # fmt: skip
        if finer.passed:
            notes.append(
                f"{p.name} disagreed with h={H:g} (rel error {p.error:.2g}) and agrees with"
                f" h={FINE_STEP:g}: a ReLU input lay within h of its kink, where the central"
                " difference straddles it; backprop is right"
            )
        again.append(finer if finer.passed else p)
    return tuple(again)
