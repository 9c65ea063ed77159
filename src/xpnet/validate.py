"""Checks on a training set, made once where the data enters (on the host, before any device).

Checks on values (labels in range, finite pixels) read every element, so they belong here and
never in the training loop, where each would be a GPU synchronization.
"""

from __future__ import annotations

import numpy as np

from .backends import to_numpy
from .errors import Arg, Do, Use, XpnetValueError

__all__ = ["check_training_data", "refuse_lazy_backend", "refuse_lazy_training"]

Pair = tuple[np.ndarray, np.ndarray]  # (x, t) on the host


def check_training_data(net, train_data, test_data, batch_size: int) -> tuple[int, Pair, Pair]:
    """Raise ValueError/TypeError naming the argument for unusable data.

    train_data, test_data: (x, t) pairs of any library, x (N, ...) flattening to the net's input
    size and t integer labels (N,) in 0..C-1 or one-hot (N, C), C the net's output size.
    Returns the class count C and both pairs as host NumPy arrays: the one host copy of each
    device array (NumPy arrays are handed back as they are), for the caller to move on from.
    """
    refuse_lazy_training(net)
    num_classes = int(net.config["output_size"])
    input_size = int(net.config["input_size"])
    host = []
    for name, data in (("train_data", train_data), ("test_data", test_data)):
        if not (isinstance(data, tuple | list) and len(data) == 2):
            raise TypeError(f"{name} must be a pair (x, t); got {type(data).__name__}")
        x, t = (to_numpy(a) for a in data)
        _check_pair(name, x, t, input_size, num_classes)
        host.append((x, t))
    train_size = host[0][0].shape[0]
    whole = isinstance(batch_size, int | np.integer) and not isinstance(batch_size, bool)
    if not whole or not 0 < batch_size <= train_size:
        raise XpnetValueError(
            "{arg} must be an integer from 1 to the training set's size {size}; got {got}",
            arg=Arg("batch_size"),
            size=train_size,
            got=repr(batch_size),
        )
    return num_classes, host[0], host[1]


def refuse_lazy_training(net) -> None:
    """Raise ValueError for a net whose parameters are lazy (Dask) arrays, before the data is
    gathered: each SGD step takes batch_size random rows from across the chunks and grows the
    parameters' task graph, so mini-batch SGD is no Dask workload."""
    refuse_lazy_backend(getattr(net, "backend", None))


def refuse_lazy_backend(backend) -> None:
    """refuse_lazy_training for a Backend, before any network is built (``xpnet train
    --backend dask`` refuses before it prints its header or loads the data)."""
    if backend is None or not getattr(backend, "lazy", False):
        return
    raise XpnetValueError(
        "training refuses a network of {name} arrays: each mini-batch SGD step gathers"
        " batch_size random rows from across the chunks and adds to the parameters' task graph,"
        " which is no Dask workload. Train on NumPy, PyTorch or CuPy ({numpy}), then evaluate"
        " the trained network on Dask with {evaluate}",
        name=backend.name,
        numpy=Use("xp", "numpy"),
        evaluate=Do("evaluate_on_dask"),
    )


def _check_pair(name: str, x: np.ndarray, t: np.ndarray, input_size: int, classes: int) -> None:
    if x.ndim < 2 or x.shape[0] == 0:
        raise ValueError(
            f"{name}: x must hold a batch of shape (N, {input_size}) with N > 0; "
            f"got shape {x.shape}"
        )
    features = int(np.prod(x.shape[1:]))
    if features != input_size:
        raise ValueError(
            f"{name}: x has {features} features per sample (shape {x.shape}) but the "
            f"network's input_size is {input_size}; build the net with "
            f"input_size={features} or flatten the data"
        )
    if t.shape[0] != x.shape[0]:
        raise ValueError(
            f"{name}: x has {x.shape[0]} samples but t has {t.shape[0]}; they must match one to one"
        )
    if not (np.issubdtype(x.dtype, np.number) and not np.issubdtype(x.dtype, np.complexfloating)):
        raise TypeError(f"{name}: x must hold real numbers; got dtype {x.dtype}")
    if not np.issubdtype(x.dtype, np.floating):  # raw pixels 0..255 train to ~10% accuracy
        raise TypeError(
            f"{name}: x must be floating-point, like the pixels of load_mnist(normalize=True)"
            f" in [0, 1]; got dtype {x.dtype} (values {x.min()}..{x.max()}). Load with"
            f" normalize=True, or pass x.astype(np.float32) / 255"
        )
    where = _first_non_finite(x) if np.issubdtype(x.dtype, np.floating) else None
    if where is not None:
        raise ValueError(
            f"{name}: x holds NaN or infinity (first at index {where}); "
            "clean the data before training"
        )
    if t.shape == (x.shape[0],):
        if not np.issubdtype(t.dtype, np.integer):
            raise TypeError(f"{name}: labels t must be integers; got dtype {t.dtype}")
        low, high = int(t.min()), int(t.max())
        if low < 0 or high >= classes:
            raise ValueError(
                f"{name}: labels t must lie in 0..{classes - 1} for a network with "
                f"output_size={classes}; got values from {low} to {high}"
            )
    elif t.shape != (x.shape[0], classes):
        raise ValueError(
            f"{name}: t must be labels of shape ({x.shape[0]},) or one-hot of shape "
            f"({x.shape[0]}, {classes}); got {t.shape}"
        )
    else:
        _check_one_hot(name, t)


def _first_non_finite(x: np.ndarray, rows: int = 4096) -> tuple[int, ...] | None:
    """The index of x's first NaN or infinity, or None. A float64 sum first (it is finite when
    every element is, and makes no temporary); only when it is not, a search in chunks of rows
    (so no 60000x784 boolean array either way)."""
    with np.errstate(over="ignore", invalid="ignore"):  # the search below says what was wrong
        total = x.sum(dtype=np.float64)
    if np.isfinite(total):
        return None
    for start in range(0, x.shape[0], rows):
        bad = np.argwhere(~np.isfinite(x[start : start + rows]))
        if len(bad):
            return (start + int(bad[0][0]), *(int(i) for i in bad[0][1:]))
    return None  # finite values whose sum overflowed


def _check_one_hot(name: str, t: np.ndarray) -> None:
    """One 1 per row, 0 elsewhere: NaN or soft targets here would surface much later, as a
    DivergenceError that blames the learning rate, or as an accuracy that means nothing."""
    if not (t.dtype == np.bool_ or np.issubdtype(t.dtype, np.number)):
        raise TypeError(f"{name}: one-hot targets t must be numbers; got dtype {t.dtype}")
    good = ((t == 0) | (t == 1)).all(axis=1) & (np.count_nonzero(t, axis=1) == 1)
    if not good.all():
        row = int(np.flatnonzero(~good)[0])
        raise ValueError(
            f"{name}: one-hot targets t of shape {t.shape} must hold a single 1 per row and 0 "
            f"elsewhere; row {row} is {np.array2string(t[row], threshold=12)}. Pass integer "
            "labels (N,) instead, or fix the encoding"
        )
