"""Activation and loss functions of chapters 3-5, for arrays of any Array API library.

Each function takes its namespace from its inputs (``xp = array_namespace(x)``), so it returns an
array of the caller's library, on the caller's device, in the caller's dtype.
"""

from __future__ import annotations

from array_api_compat import device as device_of
from array_api_compat import is_numpy_array

from .arguments import array_namespace, check_count
from .backends import Array, Namespace, library_of, on_device_of

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
        When x is no array (a Python list or number), with the fix: numpy.asarray(...).

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
        The targets (one-hot for classification), of y's library and device.

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
        When t's shape fits neither form, y holds no sample, NumPy labels lie outside 0..C-1, or y
        and t sit on two devices.
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
    if y.ndim == 1:
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


def pick_true_class(y: Array, t: Array) -> Array:
    """y's entry of the true class, per row. y: (N, C); t: labels (N,) or one-hot (N, C) -> (N,)."""
    xp = array_namespace(y, t)
    if t.shape == y.shape:  # one-hot: the sum keeps only the true class
        return xp.sum(y * xp.astype(t, y.dtype), axis=-1)
    check_labels_shape(y, t)
    labels, valid = checked_labels(t, y.shape[-1], "cross_entropy_error")
    if hasattr(xp, "take_along_axis"):
        picked = xp.take_along_axis(y, xp.reshape(labels, (-1, 1)), axis=-1)[:, 0]
    else:  # array-api-compat's Dask namespace (1.16) lacks it: the one-hot sum, same numbers
        picked = xp.sum(y * one_hot(labels, y.shape[-1], dtype=y.dtype), axis=-1)
    if valid is None:
        return picked
    with on_device_of(y):
        return xp.where(valid, picked, xp.full_like(picked, xp.nan))


def checked_labels(t: Array, num_classes: int, caller: str) -> tuple[Array, Array | None]:
    """Integer labels t as int64 indices that are safe to gather with, and where they are valid.

    NumPy labels (host data) are checked: ValueError naming the bad values unless all lie in
    0..num_classes-1; valid is then None. Labels of other libraries are not read (on a GPU that
    check would wait for the device): labels out of range become 0 for the gather, and valid
    marks them, for the caller to put NaN there -- never a plausible number.
    """
    xp = array_namespace(t)
    labels = xp.astype(t, xp.int64)
    if is_numpy_array(t):  # host memory: reading the values costs no device sync
        if labels.size and not (0 <= int(xp.min(labels)) and int(xp.max(labels)) < num_classes):
            bad = xp.nonzero((labels < 0) | (labels >= num_classes))[0]
            raise ValueError(
                f"{caller}: labels t must lie in 0..{num_classes - 1} for {num_classes} classes;"
                f" got {int(labels[bad[0]])} at index {int(bad[0])} ({bad.shape[0]} out of"
                f" range). Fix the labels, or use as many classes as the labels need"
            )
        return labels, None
    valid = (labels >= 0) & (labels < num_classes)
    with on_device_of(t):  # CuPy: zeros_like on t's GPU, not the current one
        return xp.where(valid, labels, xp.zeros_like(labels)), valid


def check_labels_shape(y: Array, t: Array) -> None:
    """Raise unless t is labels (N,) of an integer dtype or one-hot (N, C) for y of shape (N, C)."""
    xp = array_namespace(t)
    if t.shape == y.shape:
        return
    if t.shape != y.shape[:-1]:
        raise ValueError(
            f"t must be labels of shape {tuple(y.shape[:-1])} or one-hot of shape"
            f" {tuple(y.shape)} for y of shape {tuple(y.shape)}; got {tuple(t.shape)}"
        )
    if not xp.isdtype(t.dtype, "integral"):
        raise TypeError(
            f"labels t must have an integer dtype; got {t.dtype}. "
            "Convert with xp.astype(t, xp.int64), or pass one-hot targets of y's shape"
        )


def one_hot(t: Array, num_classes: int, *, dtype=None) -> Array:
    """The one-hot encoding of integer labels, on t's device.

    Parameters
    ----------
    t : array of shape (N,)
        Integer labels in 0..num_classes-1.
    num_classes : int
        C, the number of classes (a positive integer).
    dtype : dtype, optional
        A dtype of t's namespace; default float64.

    Returns
    -------
    array of shape (N, num_classes)
        1 in each row's label column, 0 elsewhere. For labels of libraries other than NumPy, a
        label out of range gives a row of NaN (all 0 for a non-float dtype), never a plausible row.

    Raises
    ------
    ValueError
        When NumPy labels lie outside 0..num_classes-1, or num_classes is not positive.
    TypeError
        When num_classes is not an integer.

    Examples
    --------
    >>> import numpy as np
    >>> one_hot(np.array([2, 0]), 3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    xp = array_namespace(t)
    num_classes = check_count("one_hot", "num_classes", num_classes)
    valid = checked_labels(t, num_classes, "one_hot")[1]
    dtype = dtype if dtype is not None else xp.float64
    with on_device_of(t):
        classes = xp.arange(num_classes, dtype=t.dtype, device=device_of(t))
        rows = xp.astype(t[..., None] == classes, dtype)  # a label out of range: a row of 0
        if valid is None or not xp.isdtype(dtype, "real floating"):
            return rows
        return xp.where(valid[..., None], rows, xp.full_like(rows, xp.nan))


def namespace_of(caller: str, **arrays: Array) -> Namespace:
    """The one namespace of the named arrays, checked like a public boundary: TypeError when they
    come from two libraries, ValueError when they sit on two devices (metadata only: no sync)."""
    (first, a), *rest = arrays.items()
    try:
        xp = array_namespace(*arrays.values())
    except TypeError:
        libraries = {name: library_of(b) for name, b in arrays.items()}
        for name, library in libraries.items():
            if library is None:
                raise TypeError(
                    f"{caller}: {name} must be an array; got {type(arrays[name]).__name__}"
                ) from None
        names = " and ".join(arrays)
        found = " and ".join(f"{name} from {library}" for name, library in libraries.items())
        other = next(name for name in libraries if libraries[name] != libraries[first])
        raise TypeError(
            f"{caller} needs {names} from one array library; got {found}. Convert {other} "
            f"first: {other} = xp.asarray({other}) with xp = array_api_compat.array_namespace"
            f"({first})"
        ) from None
    for name, b in rest:
        # None is no device but "unknown": a JAX tracer's, inside jax.jit or jax.grad
        if device_of(b) != device_of(a) and None not in (device_of(a), device_of(b)):
            raise ValueError(
                f"{caller}: {first} is on device {device_of(a)} but {name} is on"
                f" {device_of(b)}; move {name} first: {name} = array_api_compat.to_device("
                f"{name}, array_api_compat.device({first}))"
            )
    return xp


def _check_same_shape(y: Array, t: Array) -> None:
    if y.shape != t.shape:
        raise ValueError(
            f"y and t must have the same shape; got y {tuple(y.shape)} and t {tuple(t.shape)}"
        )
