"""The networks of chapters 4-5: SimpleNet and TwoLayerNet.

A network's parameters live in one dict, ``net.params``, which is their only owner: the layers
read them from it by name, so replacing an entry or updating it in place both take effect.
"""

from __future__ import annotations

from typing import Any

from .backend import Array, Backend, get_backend, host_rng
from .functions import cross_entropy_error, softmax

__all__ = ["SimpleNet"]


class SimpleNet:
    """The book's simpleNet: one 2x3 weight W, predict = x @ W, loss = softmax cross-entropy.

    W: an initial (2, 3) weight (host data or an array); by default drawn from a standard normal
    with the seeded host generator. xp/device/dtype choose where the weight lives (default: NumPy,
    float64).

    >>> import numpy as np
    >>> W = [[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]]
    >>> net = SimpleNet(W=W)
    >>> round(float(net.loss(np.array([0.6, 0.9]), np.array([0, 0, 1]))), 6)
    0.928068
    """

    def __init__(
        self,
        W: Any = None,
        *,
        xp: Any = None,
        device: Any = None,
        dtype: Any = "float64",
        seed: int | None = None,
    ) -> None:
        self.backend: Backend = get_backend(device, xp=xp)
        if W is None:
            W = host_rng(seed).standard_normal((2, 3))
        self.params = {"W": self.backend.asarray(W, dtype=dtype)}

    @property
    def W(self) -> Array:
        return self.params["W"]

    @W.setter
    def W(self, value: Array) -> None:
        self.params["W"] = value

    def predict(self, x: Array) -> Array:
        """x: (2,) or (N, 2) -> scores (3,) or (N, 3)."""
        return x @ self.W

    def loss(self, x: Array, t: Array) -> Array:
        """Cross-entropy of softmax(predict(x)) against t (labels or one-hot) -> 0-d array."""
        return cross_entropy_error(softmax(self.predict(x)), t)
