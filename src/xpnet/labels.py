"""The targets t of chapter 4's losses, and the checks of t against the outputs y.

t comes in two forms: integer labels of shape (N,) or one-hot rows of y's shape (N, C).
``check_labels_shape`` says which one t is (or raises), ``checked_labels`` makes labels safe to
gather with, ``pick_true_class`` reads y's entry of each row's true class, and ``one_hot`` turns
labels into rows. ``namespace_of`` checks that y and t come from one library, on one device.
"""

from __future__ import annotations

from array_api_compat import device as device_of
from array_api_compat import is_numpy_array

from .arguments import array_namespace, check_count, is_plain, plain_value
from .backends import Array, Namespace, library_of, on_device_of

__all__ = ["one_hot"]  # the public one; the others are the helpers of functions, layers and nets


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
    """Integer labels t as indices (the library's default index dtype: int64, or JAX's int32
    without jax_enable_x64) that are safe to gather with, and where they are valid.

    NumPy labels (host data) are checked: ValueError naming the bad values unless all lie in
    0..num_classes-1; valid is then None. Labels of other libraries are not read (on a GPU that
    check would wait for the device): labels out of range become 0 for the gather, and valid
    marks them, for the caller to put NaN there -- never a plausible number.
    """
    xp = array_namespace(t)
    labels = xp.astype(t, index_dtype(xp))
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


def index_dtype(xp: Namespace):
    """xp's default dtype of indices (the standard's inspection API): int64, except JAX's int32
    when jax_enable_x64 is off, where asking for int64 warns at every call and gives int32."""
    info = getattr(xp, "__array_namespace_info__", None)
    return info().default_dtypes()["indexing"] if info is not None else xp.int64


def check_labels_shape(y: Array, t: Array) -> None:
    """Raise unless t is labels (N,) of an integer dtype or one-hot (N, C) for y of shape (N, C)."""
    if t.shape == y.shape:
        return
    if t.shape != y.shape[:-1]:
        raise ValueError(
            f"t must be labels of shape {tuple(y.shape[:-1])} or one-hot of shape"
            f" {tuple(y.shape)} for y of shape {tuple(y.shape)}; got {tuple(t.shape)}"
        )
    check_integer_labels(t, "", "or pass one-hot targets of y's shape")


def check_integer_labels(t: Array, caller: str, alternative: str = "") -> None:
    """Raise TypeError unless t has an integer dtype (a float label 0.5 matches no class).
    caller: the public function, or "" where the message is known without it."""
    xp = array_namespace(t)
    if not xp.isdtype(t.dtype, "integral"):
        raise TypeError(
            f"{caller + ': ' if caller else ''}labels t must have an integer dtype; got {t.dtype}."
            f" Convert with xp.astype(t, xp.int64){', ' + alternative if alternative else ''}"
        )


def one_hot(t: Array, num_classes: int, *, dtype=None) -> Array:
    """The one-hot encoding of integer labels, on t's device.

    Parameters
    ----------
    t : array of shape (N,)
        Integer labels in 0..num_classes-1.
    num_classes : int
        C, the number of classes (a positive integer).
    dtype : dtype or str, optional
        A dtype of t's namespace, or its name ("float32", "int64", "bool", ...); default
        float64.

    Returns
    -------
    array of shape (N, num_classes)
        1 in each row's label column, 0 elsewhere. For labels of libraries other than NumPy, a
        label out of range gives a row of NaN (all 0 for a non-float dtype), never a plausible row.

    Raises
    ------
    ValueError
        When NumPy labels lie outside 0..num_classes-1, num_classes is not positive, or dtype
        names no dtype of the standard.
    TypeError
        When t has no integer dtype (float labels, even whole ones: convert them with
        ``xp.astype(t, xp.int64)``), or num_classes is not an integer.

    Examples
    --------
    >>> import numpy as np
    >>> one_hot(np.array([2, 0]), 3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    return encoded(t, num_classes, dtype=dtype, caller="one_hot")


def encoded(t: Array, num_classes: int, *, dtype=None, caller: str) -> Array:
    """:func:`one_hot` for ``caller``, the public name its errors give (a layer's forward)."""
    xp = array_namespace(t)
    num_classes = check_count(caller, "num_classes", num_classes)
    check_integer_labels(t, caller)
    valid = checked_labels(t, num_classes, caller)[1]
    dtype = _dtype_named(xp, dtype) if dtype is not None else xp.float64
    with on_device_of(t):
        classes = xp.arange(num_classes, dtype=t.dtype, device=device_of(t))
        rows = xp.astype(t[..., None] == classes, dtype)  # a label out of range: a row of 0
        if valid is None or not xp.isdtype(dtype, "real floating"):
            return rows
        return xp.where(valid[..., None], rows, xp.full_like(rows, xp.nan))


DTYPE_NAMES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
DTYPE_NAMES += ("float32", "float64")


def _dtype_named(xp: Namespace, dtype):
    """xp's dtype of the name dtype ("float32"), or dtype itself when it is no string: NumPy takes
    names in astype, PyTorch and array-api-strict do not."""
    if not isinstance(dtype, str):
        return dtype
    if dtype in DTYPE_NAMES and hasattr(xp, dtype):
        return getattr(xp, dtype)
    raise ValueError(
        f"one_hot: dtype must be a dtype of t's namespace or its name ({', '.join(DTYPE_NAMES)});"
        f" got {dtype!r}"
    )


def namespace_of(caller: str, **arrays: Array) -> Namespace:
    """The one namespace of the named arrays, checked like a public boundary: TypeError when they
    come from two libraries, ValueError when they sit on two devices (metadata only: no sync)."""
    (first, a), *rest = arrays.items()
    for name, b in arrays.items():  # array_namespace passes over None and Python numbers
        if is_plain(b) and not hasattr(b, "shape"):  # a NumPy scalar (labels[0]) is 0-d
            raise TypeError(f"{caller}: {name} must be an array; {plain_value(b)}")
    try:
        xp = array_namespace(*arrays.values())
    except TypeError:
        libraries = {name: library_of(b) for name, b in arrays.items()}
        for name, library in libraries.items():
            if library is None:
                given = arrays[name]
                got = plain_value(given) if is_plain(given) else f"got {type(given).__name__}"
                raise TypeError(f"{caller}: {name} must be an array; {got}") from None
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
