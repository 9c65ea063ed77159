"""Activation and loss functions of chapters 3-5, for arrays of any Array API library.

Each function takes its namespace from its inputs (``xp = array_namespace(x)``), so it returns an
array of the caller's library, on the caller's device, in the caller's dtype.
"""

from __future__ import annotations

from array_api_compat import device as device_of

from .arguments import array_namespace
from .backends import Array
from .labels import _check_same_shape, namespace_of, one_hot, pick_true_class
from .labels import check_labels_shape as check_labels_shape  # re-exported: it was defined here

__all__ = [
    "cross_entropy_error",
    "identity_function",
    "one_hot",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "step_function",
    "sum_squared_error",
]

CROSS_ENTROPY_DELTA = 1e-7  # the book's guard against log(0)


def step_function(x: Array) -> Array:
    """The step function of chapter 3: 1 where x > 0, else 0.

    Parameters
    ----------
    x : array, any shape
        Inputs of any Array API library.

    Returns
    -------
    array, x's shape
        1 where x > 0 and 0 elsewhere, in x's dtype, library and device.

    Raises
    ------
    TypeError
        When x is no array (a Python list, number or None), with the fix: numpy.asarray(...).

    Examples
    --------
    >>> import numpy as np
    >>> step_function(np.array([-1.0, 0.0, 2.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    xp = array_namespace(x)
    return xp.astype(x > 0, x.dtype)


def identity_function(x: Array) -> Array:
    """The output activation of regression: x itself.

    Parameters
    ----------
    x : array, any shape

    Returns
    -------
    array
        x, unchanged (the same object).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, -2.0])
    >>> identity_function(x) is x
    True
    """
    return x


def sigmoid(x: Array) -> Array:
    """The sigmoid 1 / (1 + exp(-x)), computed without overflow for large ``abs(x)``.

    Parameters
    ----------
    x : array, any shape
        Inputs of any Array API library, real floating-point.

    Returns
    -------
    array, x's shape
        Values in (0, 1) (exactly 0 or 1 where they round there), in x's dtype, library and device.

    Raises
    ------
    TypeError
        When x is no array (a Python list, number or None), with the fix: numpy.asarray(...).

    Examples
    --------
    >>> import numpy as np
    >>> sigmoid(np.array([-1.0, 0.0, 1000.0])).round(4).tolist()
    [0.2689, 0.5, 1.0]
    """
    xp = array_namespace(x)
    e = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x: Array) -> Array:
    """The derivative of the sigmoid, s (1 - s) with s = sigmoid(x).

    Parameters
    ----------
    x : array, any shape
        The sigmoid's inputs (not its outputs).

    Returns
    -------
    array, x's shape
        d sigmoid(x) / dx, at most 0.25 (at x = 0).

    Raises
    ------
    TypeError
        When x is no array (a Python list, number or None), with the fix: numpy.asarray(...).

    Examples
    --------
    >>> import numpy as np
    >>> sigmoid_grad(np.array([0.0, 100.0])).tolist()
    [0.25, 0.0]
    """
    s = sigmoid(x)
    return (1 - s) * s


def relu(x: Array) -> Array:
    """The rectified linear unit, max(0, x): negative inputs give 0.0, NaN stays NaN.

    The zero is a 0-d array made on x's device, not a Python 0.0: array-api-compat's PyTorch
    maximum would turn 0.0 into a new tensor at every call, on CUDA a blocking copy from the host.

    Parameters
    ----------
    x : array, any shape
        Inputs of any Array API library, real floating-point.

    Returns
    -------
    array, x's shape
        max(0, x) elementwise, in x's dtype, library and device.

    Raises
    ------
    TypeError
        When x is no array (a Python list, number or None), with the fix: numpy.asarray(...).

    Examples
    --------
    >>> import numpy as np
    >>> relu(np.array([-2.0, 0.0, 3.0, np.nan])).tolist()
    [0.0, 0.0, 3.0, nan]
    """
    xp = array_namespace(x)
    return xp.maximum(x, xp.zeros((), dtype=x.dtype, device=device_of(x)))


def relu_grad(x: Array) -> Array:
    """The derivative of relu: 1 where x > 0, else 0 (the Relu layer's choice at the kink x = 0).

    Parameters
    ----------
    x : array, any shape
        relu's inputs.

    Returns
    -------
    array, x's shape
        1 or 0, in x's dtype.

    Raises
    ------
    TypeError
        When x is no array (a Python list, number or None), with the fix: numpy.asarray(...).

    Examples
    --------
    >>> import numpy as np
    >>> relu_grad(np.array([-1.0, 0.0, 2.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    xp = array_namespace(x)
    return xp.astype(x > 0, x.dtype)


def softmax(x: Array) -> Array:
    """Softmax over the last axis: each row becomes probabilities that sum to 1.

    Stable for large inputs: the row maximum is subtracted before exp().

    Parameters
    ----------
    x : array of shape (C,) or (N, C)
        Scores of any Array API library, real floating-point; C >= 1 classes.

    Returns
    -------
    array, x's shape
        exp(x) / sum(exp(x)) along the last axis, in x's dtype, library and device.

    Raises
    ------
    ValueError
        When the last axis is empty or x is 0-d, on every backend.
    TypeError
        When x is no array (a Python list, number or None), with the fix: numpy.asarray(...).

    Examples
    --------
    >>> import numpy as np
    >>> softmax(np.array([1010.0, 1000.0, 990.0])).round(5).tolist()
    [0.99995, 5e-05, 0.0]
    """
    xp = array_namespace(x)
    if x.ndim == 0 or x.shape[-1] == 0:  # numpy: ValueError, torch: IndexError; one error here
        raise ValueError(
            f"softmax needs at least one class along x's last axis; got x of shape"
            f" {tuple(x.shape)}. Pass scores of shape (C,) or (N, C) with C >= 1"
        )
    z = x - xp.max(x, axis=-1, keepdims=True)  # shift so exp() cannot overflow
    e = xp.exp(z)
    return e / xp.sum(e, axis=-1, keepdims=True)


def sum_squared_error(y: Array, t: Array) -> Array:
    """The sum of squared errors, 0.5 * sum((y - t)**2), over all elements (4.2.1).

    Parameters
    ----------
    y : array
        The network's outputs.
    t : array, y's shape
        The targets (one-hot for classification, of any real or boolean dtype), of y's library
        and device.

    Returns
    -------
    0-d array
        The loss, in y's dtype.

    Raises
    ------
    ValueError
        When y and t differ in shape, or sit on two devices.
    TypeError
        When y and t come from two array libraries.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    >>> t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0.0])
    >>> round(float(sum_squared_error(y, t)), 4)
    0.0975
    """
    xp = namespace_of("sum_squared_error", y=y, t=t)
    _check_same_shape(y, t)
    if t.dtype != y.dtype and xp.isdtype(y.dtype, "real floating"):
        t = xp.astype(t, y.dtype)  # one-hot of ints (the book's t) or bools; the loss in y's dtype
    return 0.5 * xp.sum((y - t) ** 2)


def cross_entropy_error(y: Array, t: Array) -> Array:
    """Mean cross-entropy of probabilities y against targets t (4.2.2), with the 1e-7 guard.

    Parameters
    ----------
    y : array of shape (C,) or (N, C)
        Probabilities (softmax's output).
    t : array
        One-hot targets of y's shape, or integer labels of shape (N,) (a 0-d label for 1-D y) in
        0..C-1, of y's library and device. Labels out of range raise for NumPy labels; labels of
        other libraries are not read (that would wait for a GPU) and give NaN instead.

    Returns
    -------
    0-d array
        -sum(t * log(y + 1e-7)) / N, finite where y holds exact zeros.

    Raises
    ------
    ValueError
        When y is 0-d (or has more than 2 axes, with labels t), t's shape fits neither form, y
        holds no sample, NumPy labels lie outside 0..C-1, or y and t sit on two devices.
    TypeError
        When labels are not integers, or y and t come from two array libraries.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    >>> t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0.0])
    >>> round(float(cross_entropy_error(y, t)), 4)
    0.5108
    >>> round(float(cross_entropy_error(y, np.array(2))), 4)  # the same target as a label
    0.5108
    """
    xp = namespace_of("cross_entropy_error", y=y, t=t)
    if y.ndim == 0 or (y.ndim > 2 and t.shape != y.shape):  # one-hot t of more axes: the book's
        raise ValueError(
            f"cross_entropy_error: y must be probabilities of shape (C,) or (N, C); got shape"
            f" {tuple(y.shape)}. For more axes, reshape both: y = xp.reshape(y, (-1, C)) and t"
            " = xp.reshape(t, (-1,))"
        )
    if y.ndim == 1:
        check_labels_shape(y, t)  # in the caller's shapes, not the batch of one's
        y = xp.reshape(y, (1, y.shape[0]))
        t = xp.reshape(t, (1, -1)) if t.ndim == 1 else xp.reshape(t, (1,))
    n = y.shape[0]
    if n == 0:
        raise ValueError(
            f"cross_entropy_error: y is an empty batch of shape {tuple(y.shape)}; the mean over"
            " no samples is undefined (NaN). Pass at least one sample"
        )
    picked = pick_true_class(y, t)
    return -xp.sum(xp.log(picked + CROSS_ENTROPY_DELTA)) / n
