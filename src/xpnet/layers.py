"""The backpropagation layers of chapter 5, for arrays of any Array API library.

Read each class top to bottom: ``forward`` keeps what the chain rule needs (named as in the book:
``x``, ``y``, ``mask``, ``out``, ``t``), and ``backward`` right under it turns the upstream
gradient ``dout`` into the gradients of the inputs. A backward before its forward raises
RuntimeError; no method writes into its arguments.

Parameters are not held by the layers: :class:`Affine` reads ``W`` and ``b`` by name from the
network's ``params`` dict, their single owner, and keeps only the gradients ``dW`` and ``db``.
The book's first nodes, MulLayer and AddLayer (5.4), are in ``xpnet.layer_naive``, re-exported.
"""

from __future__ import annotations

import math

from .backends import Array, array_namespace
from .functions import relu, sigmoid
from .labels import check_labels_shape, encoded
from .layer_naive import AddLayer, MulLayer, check_forward_ran

__all__ = ["AddLayer", "Affine", "MulLayer", "Relu", "Sigmoid", "SoftmaxWithLoss"]


class Relu:
    """The ReLU layer (5.5.1): out = max(0, x); backward passes dout where x > 0.

    Attributes
    ----------
    mask : array, x's shape
        1 where x > 0, else 0, in x's dtype: d out / d x (None before the first forward).

    Examples
    --------
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
        """max(0, x), keeping the mask for backward.

        Parameters
        ----------
        x : array, any shape

        Returns
        -------
        array, x's shape
        """
        xp = array_namespace(x)
        self.mask = xp.astype(x > 0, x.dtype)
        return relu(x)  # max(0, x) with a zero made on x's device: see relu

    def backward(self, dout: Array) -> Array:
        """dout where x > 0, else 0; dout is not written.

        Parameters
        ----------
        dout : array, x's shape

        Returns
        -------
        array, x's shape
            d loss / d x.

        Raises
        ------
        RuntimeError
            When forward has not run yet.
        """
        check_forward_ran(self, self.mask)
        return dout * self.mask  # a new array: dout is not written


class Sigmoid:
    """The sigmoid layer (5.5.2): out = 1 / (1 + exp(-x)); backward uses out (1 - out).

    Attributes
    ----------
    out : array, x's shape
        forward's output, kept for backward (None before the first forward).

    Examples
    --------
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
        """sigmoid(x), keeping it for backward.

        Parameters
        ----------
        x : array, any shape

        Returns
        -------
        array, x's shape
        """
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: Array) -> Array:
        """dout * out * (1 - out).

        Parameters
        ----------
        dout : array, x's shape

        Returns
        -------
        array, x's shape
            d loss / d x.

        Raises
        ------
        RuntimeError
            When forward has not run yet.
        """
        check_forward_ran(self, self.out)
        return dout * (1.0 - self.out) * self.out  # d sigmoid = y (1 - y)


class Affine:
    """The Affine layer (5.6.2): y = x @ W + b, with W and b read by name from ``params``.

    Parameters
    ----------
    params : dict
        The network's parameters, their one owner: replacing an entry takes effect here too.
    W, b : str
        The keys of the weight (D_in, D_out) and the bias (D_out,) in params, e.g. "W1", "b1".

    Raises
    ------
    TypeError
        When params is no dict or W or b no key, as in the book's ``Affine(W, b)`` of arrays:
        that one is ``Affine({"W": W, "b": b}, "W", "b")`` here.

    Attributes
    ----------
    x : array of shape (N, D_in)
        forward's input, flattened, kept for backward.
    dW : array of shape (D_in, D_out)
        The weight's gradient, after backward.
    db : array of shape (D_out,)
        The bias's gradient, after backward.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"W1": np.array([[1.0, 2.0], [3.0, 4.0]]), "b1": np.array([0.5, -0.5])}
    >>> layer = Affine(params, "W1", "b1")
    >>> layer.forward(np.array([[1.0, 1.0]])).tolist()
    [[4.5, 5.5]]
    >>> layer.backward(np.array([[1.0, 0.0]])).tolist(), layer.dW.tolist(), layer.db.tolist()
    ([[1.0, 3.0]], [[1.0, 0.0], [1.0, 0.0]], [1.0, 0.0])
    """

    def __init__(self, params: dict, W: str, b: str | None = None) -> None:
        _check_affine_arguments(params, W, b)  # b's default: the book's Affine(W, b) gets told
        self.params, self.W, self.b = params, W, b  # read by name: the dict is the one owner
        self.x = None  # forward input, flattened to (N, D_in), kept for backward
        self.original_x_shape = None
        self.dW = self.db = None

    def forward(self, x: Array) -> Array:
        """x @ W + b.

        Parameters
        ----------
        x : array of shape (N, D_in), or (N, ...) with D_in values per sample
            An image batch is flattened to (N, D_in).

        Returns
        -------
        array of shape (N, D_out)
        """
        xp = array_namespace(x)
        self.original_x_shape = x.shape
        self.x = xp.reshape(x, (x.shape[0], _row_size(x))) if x.ndim != 2 else x
        return self.x @ self.params[self.W] + self.params[self.b]

    def backward(self, dout: Array, *, need_dx: bool = True) -> Array | None:
        """The gradients: dW and db kept on the layer, dx returned.

        Parameters
        ----------
        dout : array of shape (N, D_out)
        need_dx : bool, optional
            False skips dx (a first layer's dx is never used, and dout @ W.T costs about a fifth of
            a training step).

        Returns
        -------
        array of x's original shape, or None
            d loss / d x; None with need_dx=False.

        Raises
        ------
        RuntimeError
            When forward has not run yet.
        """
        check_forward_ran(self, self.x)
        xp = array_namespace(dout)
        self.dW = self.x.T @ dout
        self.db = xp.sum(dout, axis=0)
        if not need_dx:
            return None
        dx = dout @ self.params[self.W].T
        return xp.reshape(dx, self.original_x_shape)


def _row_size(x: Array) -> int:
    """D_in of x (N, ...): -1 lets the library count it, except for N = 0, where -1 is ambiguous
    (NumPy and PyTorch refuse it)."""
    return -1 if x.shape[0] != 0 else math.prod(x.shape[1:])


def _check_affine_arguments(params, W, b) -> None:
    """TypeError unless params is a dict and W and b are its keys, saying how the book's
    Affine(W, b) of arrays is written here."""
    if isinstance(params, dict) and isinstance(W, str) and isinstance(b, str):
        return
    given = ", ".join(type(a).__name__ for a in (params, W, b) if a is not None)
    raise TypeError(
        f'Affine reads W and b by name from the network\'s params: Affine(params, "W1", "b1");'
        f" got Affine({given}). The book's Affine(W, b) of arrays is"
        ' Affine({"W": W, "b": b}, "W", "b") here'
    )


class SoftmaxWithLoss:
    """Softmax and mean cross-entropy in one layer (5.6.3): mean(logsumexp(x) - x[true class]).

    The loss is computed from the logits, so it is exact and finite even where softmax rounds the
    true class to 0 (unlike the book's log(y + 1e-7)).

    Attributes
    ----------
    y : array of shape (N, C)
        softmax(x), after forward.
    t : array of shape (N, C)
        The targets as one-hot rows, in y's dtype.
    loss : 0-d array
        The last forward's loss.

    Examples
    --------
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
        """The mean cross-entropy of softmax(x) against t.

        Parameters
        ----------
        x : array of shape (N, C), or (C,) for one sample
            Logits.
        t : array
            Integer labels (N,) or one-hot targets (N, C), of x's library and device; for x of
            shape (C,), a 0-d label or one-hot (C,).

        Returns
        -------
        0-d array
            The loss.

        Raises
        ------
        ValueError, TypeError
            When t is neither labels of an integer dtype nor one-hot of x's shape.
        """
        xp = array_namespace(x, t)
        check_labels_shape(x, t)
        z = x - xp.max(x, axis=-1, keepdims=True)  # shift so exp() cannot overflow
        e = xp.exp(z)
        total = xp.sum(e, axis=-1, keepdims=True)
        self.y = e / total
        if t.shape == x.shape:
            self.t = xp.astype(t, x.dtype, copy=False)
        else:
            self.t = encoded(t, x.shape[-1], dtype=x.dtype, caller="SoftmaxWithLoss")
        # -log softmax of the true class = log(total) - z[true]: exact, finite for finite x
        n = _batch_size(x)
        self.loss = xp.sum(xp.log(total)) / n - xp.sum(z * self.t) / n
        return self.loss

    def backward(self, dout: float | Array = 1.0) -> Array:
        """(softmax(x) - one_hot(t)) * dout / N.

        Parameters
        ----------
        dout : float or 0-d array, optional
            d L / d loss, 1 by default.

        Returns
        -------
        array of x's shape, (N, C) or (C,)
            d L / d x.

        Raises
        ------
        RuntimeError
            When forward has not run yet.
        """
        check_forward_ran(self, self.y)
        return (self.y - self.t) * (dout / _batch_size(self.y))


def _batch_size(x: Array) -> int:
    """N of logits (N, C); 1 for one sample's (C,), whose x.shape[0] is C, not N."""
    return x.shape[0] if x.ndim > 1 else 1
