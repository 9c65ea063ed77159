"""Activation and loss functions of chapters 3-5, for arrays of any Array API library.

Each function takes its namespace from its inputs (``xp = array_namespace(x)``), so it returns an
array of the caller's library, on the caller's device, in the caller's dtype.
"""

from __future__ import annotations

from array_api_compat import device as device_of

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
    """1 where x > 0, else 0, in x's dtype."""
    xp = array_namespace(x)
    return xp.astype(x > 0, x.dtype)


def identity_function(x: Array) -> Array:
    """The output activation of regression: x itself."""
    return x


def sigmoid(x: Array) -> Array:
    """1 / (1 + exp(-x)), computed without overflow for large |x|.

    >>> import numpy as np
    >>> sigmoid(np.array([-1.0, 0.0, 1000.0])).round(4).tolist()
    [0.2689, 0.5, 1.0]
    """
    xp = array_namespace(x)
    e = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x: Array) -> Array:
    """d sigmoid(x) / dx = s (1 - s)."""
    s = sigmoid(x)
    return (1 - s) * s


def relu(x: Array) -> Array:
    """max(0, x): negative inputs give 0.0, NaN stays NaN.

    The zero is a 0-d array made on x's device, not a Python 0.0: array-api-compat's PyTorch
    maximum would turn 0.0 into a new tensor at every call, on CUDA a blocking copy from the host.

    >>> import numpy as np
    >>> relu(np.array([-2.0, 0.0, 3.0, np.nan])).tolist()
    [0.0, 0.0, 3.0, nan]
    """
    xp = array_namespace(x)
    return xp.maximum(x, xp.zeros((), dtype=x.dtype, device=device_of(x)))


def relu_grad(x: Array) -> Array:
    """1 where x > 0, else 0 (the Relu layer's choice at the kink x = 0)."""
    xp = array_namespace(x)
    return xp.astype(x > 0, x.dtype)


def softmax(x: Array) -> Array:
    """Softmax over the last axis. x: (C,) or (N, C) -> same shape, rows sum to 1.

    Stable for large inputs: the row maximum is subtracted before exp(). Raises ValueError on
    every backend when the last axis is empty (or x is 0-d).

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
    """0.5 * sum((y - t)**2) over all elements. y, t: same shape -> 0-d array."""
    xp = namespace_of("sum_squared_error", y=y, t=t)
    _check_same_shape(y, t)
    return 0.5 * xp.sum((y - t) ** 2)


def cross_entropy_error(y: Array, t: Array) -> Array:
    """Mean cross-entropy of probabilities y against targets t (the book's, with its 1e-7 guard).

    y: (C,) or (N, C) probabilities. t: one-hot of y's shape, or integer labels of shape (N,)
    (or a 0-d label for 1-D y), in 0..C-1: out of range, ValueError for NumPy labels, NaN for
    other libraries (no check that waits for a GPU). Returns a 0-d array:
    -sum(t * log(y + 1e-7)) / N, finite when y holds exact zeros. Raises ValueError when t's
    shape fits neither form or y holds no sample, TypeError/ValueError when y and t come from
    two libraries or two devices.

    >>> import numpy as np
    >>> t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0.0])
    >>> y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    >>> round(float(cross_entropy_error(y, t)), 4)
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
    if library_of(t) == "numpy":
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
    """One-hot encoding of integer labels. t: (N,) -> (N, num_classes), on t's device.

    dtype: a dtype of t's namespace (default float64). Labels outside 0..num_classes-1 raise
    ValueError for NumPy t; for other libraries (a check would wait for a GPU) their rows are NaN
    (all 0 for a non-float dtype), so a loss computed from them is NaN, not a plausible number.
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
