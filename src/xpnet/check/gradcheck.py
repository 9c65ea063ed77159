"""Gradient check of xpnet's own TwoLayerNet: backprop against the numerical gradient.

:func:`gradient_check` runs both on a float64 copy of the network and returns the one result type
of the checks (:class:`~xpnet.check.report.GradientCheck`), deciding by the book's own figure,
the mean absolute difference (``criterion="mean abs"``). A parameter that disagrees gets a second
look with a finer step where the central difference itself may be what is wrong (ReLU's kink, a
large gradient): :mod:`xpnet.check.finer`.
"""

from __future__ import annotations

from ..arguments import check_tolerance
from ..backends import Array, array_namespace, compute
from .diagnosis import Diagnosis, compare_gradients
from .finer import (
    KINK_MARGIN,
    UNCHECKED,
    count_near_kink,
    finer_at_the_kink,
    smaller_step,
    straddling_entries,
)
from .interface import check_own_net_arguments
from .report import GradientCheck, ParameterCheck

__all__ = [
    "KINK_MARGIN",
    "GradientCheck",
    "ParameterCheck",
    "compare_gradients",
    "count_near_kink",
    "gradient_check",
    "straddling_entries",
]


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
        A ReLU net's W1 or b1 that does not, at entries whose central difference straddles the
        kink (:func:`straddling_entries`), passes when it does with h = ``FINE_STEP`` on the
        entries that step does not straddle; a note says so. Any other parameter that does not,
        without a constant factor to show for it, is checked again with h = ``FINE_STEP``: the
        central difference's own error, about h**2 times the loss's third derivative, is large
        where the gradient is (inputs not scaled to 0..1) and shrinks 10**4 times with that
        step, while a mistake in backprop does not; it passes when it agrees then, with a note.

    Returns
    -------
    GradientCheck
        ``passed``, ``check["W1"].mean_abs`` and every other figure (those of the finer step for
        a parameter that passed with it), ``near_kink``; ``str()`` the table that
        ``xpnet gradcheck`` prints.

    Raises
    ------
    TypeError
        When net lacks loss, gradient, numerical_gradient, backend or copy (a network of your
        own: use check_network), or x or t is no array of the net's library (a list); or
        tolerance is no number.
        Also when x is not floating-point (pixels 0..255: divide them by 255).
    ValueError
        When tolerance is negative or NaN (no network would pass).

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
    if not array_namespace(x).isdtype(x.dtype, "real floating"):  # as net.loss refuses it
        raise TypeError(
            f"gradient_check: x must be floating-point, as net.loss takes it; got dtype"
            f" {x.dtype}. Pixels 0..255? Scale them as the book's load_mnist(normalize=True)"
            " does: x = xp.astype(x, xp.float64) / 255"
        )
    tolerance = check_tolerance(
        "gradient_check", tolerance, hint="the book's figure is tolerance=1e-7"
    )  # negative or NaN: a check no network passes
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
        notes = []
        if not all(p.passed for p in parameters):
            parameters = finer_at_the_kink(net, x, t, parameters, diagnosis, notes)
        if not all(p.passed or not p.judged for p in parameters):
            parameters = smaller_step(net, x, t, parameters, diagnosis, notes)
        checked = tuple(p for p in parameters if not p.reason.startswith(UNCHECKED))  # placed
        return GradientCheck(
            parameters=parameters,
            criterion="mean abs",
            tolerance=float(tolerance),
            notes=tuple(notes),
            batch_size=int(x.shape[0]),
            dtype="float64",
            near_kink=kinks,
            title="gradient check",
            placement=tuple(diagnosis.placement(checked, ())),
        )
