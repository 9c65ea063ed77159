"""Gradient check: backpropagation against the numerical gradient, parameter by parameter.

:func:`gradient_check` runs both on a float64 copy of the network and reports, for each
parameter, the largest and the mean absolute difference and the largest relative difference.
Where a hidden ReLU input lies within a few h of 0, the central difference straddles ReLU's kink
and is itself wrong there (backprop is not); :func:`count_near_kink` finds those points, and the
report counts them so that such a failure reads as what it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..backends import Array, array_namespace, compute, on_device_of
from ..gradient import H

__all__ = [
    "GradientCheck",
    "ParameterCheck",
    "compare_gradients",
    "count_near_kink",
    "gradient_check",
]

KINK_MARGIN = 10 * H  # a pre-activation this close to 0 may cross it when a weight moves by h


@dataclass(frozen=True)
class ParameterCheck:
    """Differences between backprop and numerical gradient for one parameter (Python floats).

    max_relative is max |b - n| / max(|b|, |n|) over elements where either is nonzero: large
    for entries whose gradient is tiny, so the pass criterion is the mean absolute difference.
    """

    name: str
    max_abs: float
    mean_abs: float
    max_relative: float


@dataclass(frozen=True)
class GradientCheck:
    """The result of :func:`gradient_check`: one :class:`ParameterCheck` per parameter.

    ``passed``: the mean absolute difference is at most ``tolerance`` for every parameter.
    ``near_kink``: hidden pre-activations within ``KINK_MARGIN`` of ReLU's kink (0 for sigmoid).
    ``str()`` gives a table and a verdict.
    """

    parameters: tuple[ParameterCheck, ...]
    tolerance: float
    near_kink: int

    @property
    def passed(self) -> bool:
        return all(p.mean_abs <= self.tolerance for p in self.parameters)

    def __getitem__(self, name: str) -> ParameterCheck:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def __str__(self) -> str:
        lines = [f"{'param':<6} {'max abs':>10} {'mean abs':>10} {'max rel':>10}"]
        for p in self.parameters:
            mark = "" if p.mean_abs <= self.tolerance else "  <- over tolerance"
            lines.append(
                f"{p.name:<6} {p.max_abs:10.3e} {p.mean_abs:10.3e} {p.max_relative:10.3e}{mark}"
            )
        verdict = "PASSED" if self.passed else "FAILED"
        lines.append(
            f"gradient check {verdict}: mean abs difference"
            f" {'<=' if self.passed else '>'} {self.tolerance:g}"
            f" {'for every parameter' if self.passed else 'for some parameter'}"
        )
        if self.near_kink:
            lines.append(
                f"note: {self.near_kink} hidden pre-activation(s) lie within {KINK_MARGIN:g} of"
                f" ReLU's kink at 0; there the central difference (h={H:g}) straddles the kink"
                " and is itself wrong, not backprop. Check at another x to confirm."
            )
        return "\n".join(lines)


def gradient_check(net, x: Array, t: Array, *, tolerance: float = 1e-7) -> GradientCheck:
    """Compare net.gradient with net.numerical_gradient, in float64 whatever net's dtype.

    net: a network with ``params``, ``copy(dtype=)``, ``gradient`` and ``numerical_gradient``
    (TwoLayerNet); it is not changed. x: (N, D_in) inputs, t: labels (N,) or one-hot (N, C).
    The numerical gradient is slow: two forward passes per parameter.

    >>> import numpy as np
    >>> from xpnet import TwoLayerNet
    >>> net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, seed=1)
    >>> check = gradient_check(net, np.array([[0.5, -1.0, 2.0, 0.25]]), np.array([1]))
    >>> check.passed, check["W1"].mean_abs < 1e-9
    (True, True)
    """
    with net.backend.activate():
        net = net.copy(dtype="float64")
        xp = net.backend.xp
        x = xp.astype(x, xp.float64)
        backprop = net.gradient(x, t)
        numerical = net.numerical_gradient(x, t)
        keys = [key for key in net.params if key in backprop]
        # both gradients to the host at once: for Dask one compute, not one per figure
        host = compute(*(backprop[key] for key in keys), *(numerical[key] for key in keys))
        parameters = tuple(
            compare_gradients(key, host[i], host[len(keys) + i]) for i, key in enumerate(keys)
        )
        return GradientCheck(parameters, float(tolerance), count_near_kink(net, x))


def compare_gradients(name: str, backprop: Array, numerical: Array) -> ParameterCheck:
    """max and mean |backprop - numerical| and the largest element-wise relative difference, as
    Python floats. backprop, numerical: arrays of one shape (also used by check_network)."""
    xp = array_namespace(backprop, numerical)
    diff = xp.abs(backprop - numerical)
    scale = xp.maximum(xp.abs(backprop), xp.abs(numerical))
    nonzero = scale > 0
    relative = xp.where(nonzero, diff / xp.where(nonzero, scale, xp.ones_like(scale)), 0.0 * diff)
    return ParameterCheck(name, float(xp.max(diff)), float(xp.mean(diff)), float(xp.max(relative)))


def count_near_kink(net, x: Array, *, margin: float = KINK_MARGIN) -> int:
    """How many hidden pre-activations x @ W1 + b1 lie within ``margin`` of ReLU's kink at 0.

    net: a TwoLayerNet (0 when its activation is not "relu"); x: (N, D_in) or (N, ...).
    At such a point a central difference with step h ~ margin / 10 may straddle the kink.

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
