"""What every data set here shares: its error, where its files live, and the book's output format.

The loaders keep images as uint8 (N, 28, 28) and labels as uint8 (N,) until the last step;
`book_format` then gives them the shapes and dtypes of the book's `load_mnist`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import Explained

NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)


class DatasetError(Explained, RuntimeError):
    """A data set is missing, unverified or unreadable; the message says what to do (a template
    with fields, :mod:`xpnet.errors`)."""


def data_dir(root: str | os.PathLike | None = None) -> Path:
    """The folder that holds downloaded data files (not created here).

    Parameters
    ----------
    root : path, optional
        Used when given; else ``$XPNET_DATA_DIR``, ``$XDG_CACHE_HOME/xpnet`` or ``~/.cache/xpnet``,
        the first one set.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> str(data_dir("/tmp/mnist"))
    '/tmp/mnist'
    """
    if root is not None:
        return Path(root).expanduser()
    if os.environ.get("XPNET_DATA_DIR"):
        return Path(os.environ["XPNET_DATA_DIR"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "xpnet"
    return Path.home() / ".cache" / "xpnet"


def check_digits(images: np.ndarray, labels: np.ndarray, source: str) -> None:
    """Raise DatasetError unless images are uint8 (N, 28, 28) and labels uint8 (N,) in 0..9.

    Parameters
    ----------
    images : ndarray
    labels : ndarray
    source : str
        Where they came from, for the message.

    Raises
    ------
    DatasetError
        Naming source and what is wrong.
    """
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise DatasetError(
            f"{source}: images must be uint8 of shape (N, 28, 28); "
            f"got {images.dtype} of shape {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.shape != images.shape[:1]:
        raise DatasetError(
            f"{source}: labels must be uint8 of shape ({images.shape[0]},) to match the images; "
            f"got {labels.dtype} of shape {labels.shape}"
        )
    if labels.size and int(labels.max()) >= NUM_CLASSES:
        raise DatasetError(f"{source}: labels must be digits 0..9; found {int(labels.max())}")


def book_format(
    images: np.ndarray,
    labels: np.ndarray,
    *,
    normalize: bool,
    flatten: bool,
    one_hot_label: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The book's arrays from uint8 images (N, 28, 28) and uint8 labels (N,).

    Parameters
    ----------
    images : ndarray of shape (N, 28, 28), uint8
    labels : ndarray of shape (N,), uint8
    normalize : bool
        x as float32 in [0, 1], else uint8 (a copy).
    flatten : bool
        x as (N, 784), else (N, 1, 28, 28).
    one_hot_label : bool
        t as float32 one-hot (N, 10), else int64 labels (N,).

    Returns
    -------
    x, t : ndarray
    """
    n = images.shape[0]
    x = images.reshape(n, -1) if flatten else images.reshape(n, 1, *IMAGE_SHAPE)
    x = x.astype(np.float32) / np.float32(255.0) if normalize else x.copy()
    if one_hot_label:
        t = np.eye(NUM_CLASSES, dtype=np.float32)[labels]
    else:
        t = labels.astype(np.int64)
    return x, t
