"""MNIST's cache: the four uint8 arrays in one .npz file, written atomically, read bounded.

The cache is plain uint8 arrays, loaded with allow_pickle=False: files are data, never code.
:func:`read_cache` reads it bounded (:mod:`xpnet.npyfiles`): the zip directory and each
member's header first, which must declare uint8 images (N, 28, 28) and labels (N,) with N at
most MNIST's own; :func:`write_cache` writes it atomically (a temporary file, then a rename).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..atomic import atomic_write
from ..npyfiles import Archive, UnreadableFile
from .common import IMAGE_SHAPE, DatasetError, check_digits

__all__ = ["CACHE_NAME", "KEYS", "read_cache", "write_cache"]

CACHE_NAME = "mnist.npz"
KEYS = ("x_train", "t_train", "x_test", "t_test")
CACHE_MEMBERS = tuple(f"{key}.npy" for key in KEYS)
SPLIT_SIZES = {"train": 60_000, "test": 10_000}

Arrays = dict[str, np.ndarray]


def read_cache(path: Path) -> Arrays:
    """The arrays of a cache file, checked; DatasetError when it is missing or not valid.

    Parameters
    ----------
    path : pathlib.Path
        The cache file, ``mnist.npz``.

    Returns
    -------
    dict of str to ndarray
        uint8 x_train, t_train, x_test and t_test.

    Raises
    ------
    DatasetError
        The file is missing, no valid cache (a foreign member, a header that declares other
        shapes or dtypes), or holds labels outside 0..9.
    """
    try:
        rule = f"an MNIST cache holds {', '.join(CACHE_MEMBERS)}"
        with Archive(
            path, kind="MNIST cache", allowed=CACHE_MEMBERS.__contains__, rule=rule
        ) as cache:
            missing = [name for name in CACHE_MEMBERS if name not in cache.members]
            if missing:
                raise cache.refuse(None, f"lacks {', '.join(missing)}")
            headers = {key: cache.header(f"{key}.npy") for key in KEYS}
            _check_cache_headers(cache, headers)
            arrays = {key: cache.read(f"{key}.npy", headers[key]) for key in KEYS}
    except UnreadableFile as error:  # never unpickles: data, not code
        raise DatasetError(f"{path} is not a valid MNIST cache ({error.detail})") from None
    for split in ("train", "test"):
        check_digits(arrays[f"x_{split}"], arrays[f"t_{split}"], f"{path} ({split})")
    return arrays


def _check_cache_headers(cache: Archive, headers: dict) -> None:
    """uint8 images (N, 28, 28) with N up to MNIST's size of the split, and N uint8 labels."""
    for split, limit in SPLIT_SIZES.items():
        images, labels = headers[f"x_{split}"], headers[f"t_{split}"]
        n = images.shape[0] if len(images.shape) == 3 else 0
        if images.dtype != np.uint8 or images.shape[1:] != IMAGE_SHAPE or not 0 < n <= limit:
            raise cache.refuse(
                f"x_{split}.npy",
                f"declares {images}; expected uint8 images of shape (N, 28, 28), N from 1 to"
                f" {limit}",
            )
        if labels.dtype != np.uint8 or labels.shape != (n,):
            raise cache.refuse(
                f"t_{split}.npy", f"declares {labels}; expected uint8 labels of shape ({n},)"
            )


def write_cache(path: Path, arrays: Arrays) -> None:
    """Write ``arrays`` to ``path`` atomically: a temporary file in the same folder, then a rename.

    Parameters
    ----------
    path : pathlib.Path
        The cache file.
    arrays : dict of str to ndarray
        The uint8 arrays, by key (``KEYS``).

    Raises
    ------
    OSError
        The file cannot be written; a previous cache is kept.
    """
    # uncompressed: loads in milliseconds; uint8 keeps it small
    atomic_write(path, lambda file: np.savez(file, **arrays))
