"""Gradient check of xpnet's own TwoLayerNet: backprop against the numerical gradient.

:func:`gradient_check` runs both on a float64 copy of the network and returns the one result type
of the checks (:class:`~xpnet.check.report.GradientCheck`), deciding by the book's own figure,
the mean absolute difference (``criterion="mean abs"``). Where a hidden ReLU input lies within a
few h of 0, the central difference straddles ReLU's kink and is itself wrong there (backprop is
not); :func:`count_near_kink` finds those points, and the report counts them so that such a
failure reads as what it is.
"""

from __future__ import annotations

from ..backends import Array, array_namespace, compute, on_device_of
from ..gradient import H
from .diagnosis import Diagnosis, compare_gradients
from .interface import check_own_net_arguments
from .report import GradientCheck, ParameterCheck

__all__ = [
    "GradientCheck",
    "ParameterCheck",
    "compare_gradients",
    "count_near_kink",
    "gradient_check",
]

KINK_MARGIN = 10 * H  # a pre-activation this close to 0 may cross it when a weight moves by h


def gradient_check(net, x: Array, t: Array, *, tolerance: float = 1e-7) -> GradientCheck:
    """Compare net.gradient with net.numerical_gradient, in float64 whatever net's dtype.

    The numerical gradient is slow: two forward passes per parameter.

    Parameters
    ----------
    net : TwoLayerNet
        A network with ``params``, ``copy(dtype=)``, ``gradient`` and ``numerical_gradient``;
        it is not changed.
    x : array, shape (N, D_in)
        Inputs.
    t : array, shape (N,) or (N, C)
        Labels or one-hot targets.
    tolerance : float
        A parameter passes when its mean absolute difference is at most this (the book's figure).

    Returns
    -------
    GradientCheck
        ``passed``, ``check["W1"].mean_abs`` and every other figure, ``near_kink``; ``str()``
        the table that ``xpnet gradcheck`` prints.

    Raises
    ------
    TypeError
        When net lacks loss, gradient, numerical_gradient, backend or copy (a network of your
        own: use check_network), or x or t is no array of the net's library (a list).

    Examples
    --------
    >>> import numpy as np
    >>> from xpnet import TwoLayerNet
    >>> net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, seed=1)
    >>> check = gradient_check(net, np.array([[0.5, -1.0, 2.0, 0.25]]), np.array([1]))
    >>> check.passed, check["W1"].mean_abs < 1e-9
    (True, True)
    """
    check_own_net_arguments("gradient_check", net, x, t)
    with net.backend.activate():
        net = net.copy(dtype="float64")
        xp = net.backend.xp
        x = xp.astype(x, xp.float64)
        backprop = net.gradient(x, t)
        numerical = net.numerical_gradient(x, t)
        keys = [key for key in net.params if key in backprop]
        # both gradients to the host at once: for Dask one compute, not one per figure
        host = compute(*(backprop[key] for key in keys), *(numerical[key] for key in keys))
        kinks = count_near_kink(net, x)
        diagnosis = Diagnosis(
            grads=dict(zip(keys, host[: len(keys)], strict=True)),
            numerical=dict(zip(keys, host[len(keys) :], strict=True)),
            batch_size=int(x.shape[0]),
            criterion="mean abs",
            tolerance=float(tolerance),
            kinks=kinks,
        )
        parameters = tuple(diagnosis.parameter(key, diagnosis.numerical[key]) for key in keys)
        notes = ()
        if kinks:
            notes = (
                f"{kinks} hidden pre-activation(s) lie within {KINK_MARGIN:g} of ReLU's kink at"
                f" 0; there the central difference (h={H:g}) straddles the kink and is itself"
                " wrong, not backprop. Check at another x to confirm.",
            )
        return GradientCheck(
            parameters=parameters,
            criterion="mean abs",
            tolerance=float(tolerance),
            notes=notes,
            batch_size=int(x.shape[0]),
            dtype="float64",
            near_kink=kinks,
            title="gradient check",
            placement=tuple(diagnosis.placement(parameters, ())),
        )


def count_near_kink(net, x: Array, *, margin: float = KINK_MARGIN) -> int:
    """How many hidden pre-activations x @ W1 + b1 lie within ``margin`` of ReLU's kink at 0.

    At such a point a central difference with step h ~ margin / 10 may straddle the kink.

    Parameters
    ----------
    net : TwoLayerNet
        0 when its activation is not "relu".
    x : array, shape (N, D_in) or (N, ...)
        Inputs.
    margin : float
        How close to 0 counts.

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> from xpnet import TwoLayerNet
    >>> net = TwoLayerNet(2, 3, 2, seed=0)
    >>> count_near_kink(net, np.array([[0.0, 0.0], [1.0, 2.0]]))  # b1 = 0: the first row
    3
    """
    if net.config.get("activation") != "relu":
        return 0
    xp = array_namespace(x)
    with on_device_of(x):
        x = xp.reshape(x, (x.shape[0], -1))
        hidden = x @ net.params["W1"] + net.params["b1"]
        return int(xp.count_nonzero(xp.abs(hidden) < margin))
