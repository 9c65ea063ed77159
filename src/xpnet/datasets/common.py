"""What every data set here shares: its error, where its files live, and the book's output format.

The loaders keep images as uint8 (N, 28, 28) and labels as uint8 (N,) until the last step;
`book_format` then gives them the shapes and dtypes of the book's `load_mnist`.
"""

from __future__ import annotations

import functools
import os
import stat
import tempfile
import warnings
from pathlib import Path

import numpy as np

from ..errors import Explained, Use

NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)


class DatasetError(Explained, RuntimeError):
    """A data set is missing, unverified or unreadable; the message says what to do (a template
    with fields, :mod:`xpnet.errors`)."""


class DataDirNotice(Explained, UserWarning):
    """There is no home folder to keep downloads in, so a temporary folder holds them."""


class CacheNotice(Explained, UserWarning):
    """MNIST's cache could not be written (a read-only folder, a full disk); the data loaded
    from its verified files all the same."""


def data_dir(root: str | os.PathLike | None = None) -> Path:
    """The folder that holds downloaded data files.

    Parameters
    ----------
    root : str or os.PathLike, optional
        The folder to use; None: the first one set of `$XPNET_DATA_DIR`,
        `$XDG_CACHE_HOME/xpnet`, `~/.cache/xpnet`.

    Returns
    -------
    pathlib.Path
        The folder, not created here; except where there is no home folder (HOME unset and no
        passwd entry for the user, as in some containers): then a private temporary folder
        (0700, this user's own) is made and used, and a DataDirNotice says so, once per
        process.

    Raises
    ------
    DatasetError
        A path with ``~`` where there is no home folder to expand it to.

    Examples
    --------
    >>> str(data_dir("/tmp/mnist"))
    '/tmp/mnist'
    """
    if root is not None:
        return _expanded(root)
    if os.environ.get("XPNET_DATA_DIR"):
        return _expanded(os.environ["XPNET_DATA_DIR"])
    if os.environ.get("XDG_CACHE_HOME"):
        return _expanded(os.environ["XDG_CACHE_HOME"]) / "xpnet"
    try:
        return Path.home() / ".cache" / "xpnet"
    except (RuntimeError, KeyError, OSError):  # "Could not determine home directory"
        return _temporary_data_dir()


def _expanded(path: str | os.PathLike) -> Path:
    try:
        return Path(path).expanduser()
    except (RuntimeError, KeyError, OSError):
        raise DatasetError(
            f"{path}: ~ cannot be expanded, as there is no home folder (HOME is not set and"
            " this user has no passwd entry); give the folder as an absolute path"
        ) from None


@functools.cache
def _temporary_data_dir() -> Path:
    """A temporary data folder of this user's own (made 0700; another user's is never used)."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    folder = Path(tempfile.gettempdir()) / f"xpnet-cache-{uid if uid is not None else 'user'}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
        if uid is not None and (info.st_uid != uid or not stat.S_ISDIR(info.st_mode)):
            raise PermissionError(f"{folder} is not this user's")
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="xpnet-cache-"))
    warnings.warn(
        DataDirNotice(
            f"there is no home folder (HOME is not set and user {uid} has no passwd entry), so"
            f" downloaded data is kept in {folder}, which the system may clear; set"
            " XPNET_DATA_DIR (or HOME) to keep it"
        ),
        stacklevel=4,
    )
    return folder


def data_folder(root: str | os.PathLike | None = None) -> Path:
    """:func:`data_dir`, once it is known to be no file and a folder this user may look into.

    Parameters
    ----------
    root : str or os.PathLike, optional
        As for :func:`data_dir`.

    Returns
    -------
    pathlib.Path
        The folder (it may not exist yet).

    Raises
    ------
    DatasetError
        The path is a file (``--data-dir /tmp/afile is a file, not a folder``), naming where it
        came from (root=, ``$XPNET_DATA_DIR``); or as :func:`looked_into`.

    Examples
    --------
    >>> str(data_folder("/tmp/mnist"))
    '/tmp/mnist'
    """
    directory = data_dir(root)
    if directory.exists() and not directory.is_dir():
        if root is not None:
            given = Use("root", str(directory))
        elif os.environ.get("XPNET_DATA_DIR"):
            given = f"XPNET_DATA_DIR={os.environ['XPNET_DATA_DIR']}"
        else:
            given = f"the data folder {directory}"
        raise DatasetError(
            "{given} is a file, not a folder: give a folder for the data (it is made where it"
            " does not exist), or move the file away",
            given=given,
        )
    return looked_into(directory)


def looked_into(directory: Path) -> Path:
    """The data folder, once it is known that this user may look into it (where it exists).

    Parameters
    ----------
    directory : pathlib.Path
        The data folder (:func:`data_dir`).

    Returns
    -------
    pathlib.Path
        ``directory`` itself.

    Raises
    ------
    DatasetError
        It exists and this user may not read it (another user's folder of mode 700, where each
        file's stat would fail with a raw PermissionError), naming it and the fix.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> looked_into(folder) == folder
    True
    """
    try:
        exists = directory.is_dir()
    except PermissionError:
        exists = True  # a folder above it may not be looked into either
    if exists and not os.access(directory, os.R_OK | os.X_OK):
        raise DatasetError(
            f"the data folder {directory} cannot be read: permission denied; give a folder of"
            " yours (--data-dir DIR, XPNET_DATA_DIR, or root=)"
        )
    return directory


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
