"""The book's ``common/layers.py`` of chapter 5: Relu, Sigmoid, Affine(W, b), SoftmaxWithLoss.

Relu, Sigmoid and SoftmaxWithLoss are :mod:`xpnet.layers`'. Affine is the book's form, which
holds the arrays themselves (``Affine(self.params["W1"], self.params["b1"])``), so that a
numerical gradient that perturbs ``params["W1"]`` in place is seen by the layer; xpnet's own
Affine reads them from the params dict by name.
"""

import numpy as np  # noqa: F401  (the book's module offers np to `import *`)

from xpnet.arguments import array_namespace
from xpnet.functions import cross_entropy_error, sigmoid, softmax  # noqa: F401  (the book's names)
from xpnet.layers import Relu, Sigmoid, SoftmaxWithLoss  # noqa: F401


class Affine:
    """y = x @ W + b on the arrays W (D_in, D_out) and b (D_out,) themselves; backward keeps dW
    and db on the layer and returns dx in x's shape (an image batch is flattened first)."""

    def __init__(self, W, b) -> None:
        self.W, self.b = W, b
        self.x = self.original_x_shape = None
        self.dW = self.db = None

    def forward(self, x):
        xp = array_namespace(x)
        self.original_x_shape = x.shape
        self.x = xp.reshape(x, (x.shape[0], -1))
        return self.x @ self.W + self.b

    def backward(self, dout):
        xp = array_namespace(dout)
        dx = dout @ self.W.T
        self.dW = self.x.T @ dout
        self.db = xp.sum(dout, axis=0)
        return xp.reshape(dx, self.original_x_shape)
