"""The backpropagation layers of chapter 5, for arrays of any Array API library.

Read each class top to bottom: ``forward`` keeps what the chain rule needs (named as in the book:
``x``, ``y``, ``mask``, ``out``, ``t``), and ``backward`` right under it turns the upstream
gradient ``dout`` into the gradients of the inputs. A backward before its forward raises
RuntimeError; no method writes into its arguments.

Parameters are not held by the layers: :class:`Affine` reads ``W`` and ``b`` by name from the
network's ``params`` dict, their single owner, and keeps only the gradients ``dW`` and ``db``.
"""

from __future__ import annotations

from .backends import Array, array_namespace
from .functions import check_labels_shape, one_hot, relu, sigmoid

__all__ = ["AddLayer", "Affine", "MulLayer", "Relu", "Sigmoid", "SoftmaxWithLoss"]


def _check_forward_ran(layer: object, cached: object) -> None:
    if cached is None:
        name = type(layer).__name__
        raise RuntimeError(
            f"{name}.backward was called before {name}.forward: backward uses what forward"
            " keeps, so run forward first"
        )


class MulLayer:
    """out = x * y, for arrays of one shape or the book's plain Python numbers.

    >>> apple_layer = MulLayer()
    >>> apple_layer.forward(100, 2)
    200
    >>> apple_layer.backward(1.1)  # (d out/dx, d out/dy) * dout = (y, x) * dout
    (2.2, 110.00000000000001)
    """

    def __init__(self) -> None:
        self.x = self.y = None

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        _check_forward_ran(self, self.x)
        return dout * self.y, dout * self.x  # swap: d(xy)/dx = y, d(xy)/dy = x


class AddLayer:
    """out = x + y, for arrays of one shape or plain Python numbers; backward passes dout on.

    >>> add_layer = AddLayer()
    >>> add_layer.forward(200, 450)
    650
    >>> add_layer.backward(1.1)
    (1.1, 1.1)
    """

    def __init__(self) -> None:
        self.forwarded = None  # nothing to keep: d(x + y)/dx = d(x + y)/dy = 1

    def forward(self, x, y):
        self.forwarded = True
        return x + y

    def backward(self, dout):
        _check_forward_ran(self, self.forwarded)
        return dout, dout


class Relu:
    """out = max(0, x).  x: any shape -> out: same shape; backward passes dout where x > 0.

    >>> import numpy as np
    >>> layer = Relu()
    >>> layer.forward(np.array([[1.0, -0.5], [-2.0, 3.0]])).tolist()
    [[1.0, 0.0], [0.0, 3.0]]
    >>> layer.backward(np.ones((2, 2))).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """

    def __init__(self) -> None:
        self.mask = None  # 1 where x > 0, else 0, in x's dtype: d out / d x

    def forward(self, x: Array) -> Array:
        xp = array_namespace(x)
        self.mask = xp.astype(x > 0, x.dtype)
        return relu(x)  # max(0, x) with a zero made on x's device: see relu

    def backward(self, dout: Array) -> Array:
        _check_forward_ran(self, self.mask)
        return dout * self.mask  # a new array: dout is not written


class Sigmoid:
    """out = 1 / (1 + exp(-x)).  x: any shape -> out: same shape.

    >>> import numpy as np
    >>> layer = Sigmoid()
    >>> layer.forward(np.array([0.0])).tolist()
    [0.5]
    >>> layer.backward(np.array([1.0])).tolist()
    [0.25]
    """

    def __init__(self) -> None:
        self.out = None

    def forward(self, x: Array) -> Array:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: Array) -> Array:
        _check_forward_ran(self, self.out)
        return dout * (1.0 - self.out) * self.out  # d sigmoid = y (1 - y)


class Affine:
    """y = x @ W + b, with W and b read by name from ``params``.

    params: the network's dict of parameters; W: (D_in, D_out) and b: (D_out,) are the keys of
    the weight and bias in it (e.g. "W1", "b1"). x: (N, D_in), or (N, ...) with D_in values per
    sample (an image batch), which is flattened -> y: (N, D_out). backward returns dx in x's
    original shape and keeps dW: (D_in, D_out) and db: (D_out,).

    >>> import numpy as np
    >>> params = {"W1": np.array([[1.0, 2.0], [3.0, 4.0]]), "b1": np.array([0.5, -0.5])}
    >>> layer = Affine(params, "W1", "b1")
    >>> layer.forward(np.array([[1.0, 1.0]])).tolist()
    [[4.5, 5.5]]
    >>> layer.backward(np.array([[1.0, 0.0]])).tolist(), layer.dW.tolist(), layer.db.tolist()
    ([[1.0, 3.0]], [[1.0, 0.0], [1.0, 0.0]], [1.0, 0.0])
    """

    def __init__(self, params: dict, W: str, b: str) -> None:
        self.params, self.W, self.b = params, W, b  # read by name: the dict is the one owner
        self.x = None  # forward input, flattened to (N, D_in), kept for backward
        self.original_x_shape = None
        self.dW = self.db = None

    def forward(self, x: Array) -> Array:
        xp = array_namespace(x)
        self.original_x_shape = x.shape
        self.x = xp.reshape(x, (x.shape[0], -1)) if x.ndim != 2 else x
        return self.x @ self.params[self.W] + self.params[self.b]

    def backward(self, dout: Array, *, need_dx: bool = True) -> Array | None:
        """dout: (N, D_out) -> dx: x's shape; None with need_dx=False (a first layer's dx is
        never used, and dout @ W.T costs about a fifth of a training step)."""
        _check_forward_ran(self, self.x)
        xp = array_namespace(dout)
        self.dW = self.x.T @ dout
        self.db = xp.sum(dout, axis=0)
        if not need_dx:
            return None
        dx = dout @ self.params[self.W].T
        return xp.reshape(dx, self.original_x_shape)


class SoftmaxWithLoss:
    """Softmax and mean cross-entropy in one layer: loss = mean(logsumexp(x) - x[true class]).

    x: (N, C) logits; t: labels (N,) of an integer dtype, or one-hot (N, C). forward returns the
    loss as a 0-d array -- computed from the logits, so it is exact and finite even when softmax
    rounds the true class to 0 (unlike the book's log(y + 1e-7)). backward(dout=1) returns
    (softmax(x) - one_hot(t)) * dout / N, of shape (N, C).

    >>> import numpy as np
    >>> layer = SoftmaxWithLoss()
    >>> round(float(layer.forward(np.array([[2.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))), 4)
    500.0635
    >>> layer.backward().round(4).tolist()
    [[-0.0596, 0.0596], [-0.5, 0.5]]
    """

    def __init__(self) -> None:
        self.loss = None
        self.y = None  # softmax output (N, C)
        self.t = None  # targets as one-hot (N, C), in y's dtype

    def forward(self, x: Array, t: Array) -> Array:
        xp = array_namespace(x, t)
        check_labels_shape(x, t)
        z = x - xp.max(x, axis=-1, keepdims=True)  # shift so exp() cannot overflow
        e = xp.exp(z)
        total = xp.sum(e, axis=-1, keepdims=True)
        self.y = e / total
        if t.shape == x.shape:
            self.t = xp.astype(t, x.dtype, copy=False)
        else:
            self.t = one_hot(t, x.shape[-1], dtype=x.dtype)
        # -log softmax of the true class = log(total) - z[true]: exact, finite for finite x
        self.loss = xp.sum(xp.log(total)) / x.shape[0] - xp.sum(z * self.t) / x.shape[0]
        return self.loss

    def backward(self, dout: float | Array = 1.0) -> Array:
        _check_forward_ran(self, self.y)
        return (self.y - self.t) * (dout / self.y.shape[0])
