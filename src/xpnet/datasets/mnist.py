"""MNIST: its mirrors, checksums and files, and the book's load_mnist.

How to read it: `load_mnist` asks `_mnist_arrays` for four uint8 arrays. Those come from the
cache `mnist.npz` when it is valid (:mod:`.cache`), else from the four published .gz files, which
`fetch_mnist` downloads (:mod:`.download`: mirror after mirror, each file checked against its
SHA-256 before it is kept) and `read_idx` parses (:mod:`.idx`); the cache is then written
atomically. `book_format` gives the book's shapes. Within `answered_from_sample()`,
`load_mnist` answers from the bundled sample instead (xpnet check imports a learner's file so).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..errors import Do
from .cache import CACHE_NAME, read_cache, write_cache
from .common import CacheNotice, DatasetError, book_format, check_digits, data_folder
from .download import (
    SAMPLE,
    SAMPLE_HINT,
    _braced,
    damaged_files,
    download_verified,
    remove_stale_temporaries,
    verified_files,
)
from .idx import IMAGES_MAGIC, LABELS_MAGIC, read_idx

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
CHECKSUMS = {  # file name -> SHA-256; the sizes are 9912422, 28881, 1648877 and 4542 bytes
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
PARTS = {  # cache key -> (file name, IDX magic number)
    "x_train": ("train-images-idx3-ubyte.gz", IMAGES_MAGIC),
    "t_train": ("train-labels-idx1-ubyte.gz", LABELS_MAGIC),
    "x_test": ("t10k-images-idx3-ubyte.gz", IMAGES_MAGIC),
    "t_test": ("t10k-labels-idx1-ubyte.gz", LABELS_MAGIC),
}

Arrays = dict[str, np.ndarray]

_FROM_SAMPLE = contextvars.ContextVar("load_mnist_from_sample", default=None)


@contextlib.contextmanager
def answered_from_sample():
    """Within it, load_mnist answers from the bundled sample, never the files or the network
    (``xpnet check`` imports a learner's file so, offline).

    Yields
    ------
    list
        One entry per call of load_mnist answered from the sample while the context is open.
    """
    answered: list = []
    token = _FROM_SAMPLE.set(answered)
    try:
        yield answered
    finally:
        _FROM_SAMPLE.reset(token)


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    *,
    root: str | os.PathLike | None = None,
    download: bool = True,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST as in the book: ((x_train, t_train), (x_test, t_test)), host NumPy arrays.

    The four original IDX files are downloaded once (about 11 MB) from public mirrors, each
    checked against its SHA-256, and kept with a uint8 cache in ``data_dir(root)``.

    Parameters
    ----------
    normalize : bool, optional
        x as float32 in [0, 1] (True) or uint8 pixels 0..255.
    flatten : bool, optional
        x as (N, 784) (True) or (N, 1, 28, 28).
    one_hot_label : bool, optional
        t as float32 one-hot rows (N, 10), or int64 labels (N,) (False).
    root : path, optional
        The data folder; default ``data_dir()``.
    download : bool, optional
        Download what is missing (True), or only read what is there.

    Returns
    -------
    (x_train, t_train), (x_test, t_test) : tuple of tuples of ndarray
        60,000 training and 10,000 test images.

    Raises
    ------
    DatasetError
        When the data cannot be had (offline, no verified file, a damaged cache), saying what to
        do: another mirror ($XPNET_MNIST_MIRRORS), the files' folder, or the bundled sample.

    Examples
    --------
    >>> (x_train, t_train), (x_test, t_test) = load_mnist()  # doctest: +SKIP
    >>> x_train.shape, t_test.shape  # doctest: +SKIP
    ((60000, 784), (10000,))
    """
    options = {"normalize": normalize, "flatten": flatten, "one_hot_label": one_hot_label}
    answered = _FROM_SAMPLE.get()
    if answered is not None:  # see answered_from_sample
        from .sample import load_mnist_sample

        answered.append(options)
        return load_mnist_sample(**options)
    arrays = _mnist_arrays(data_folder(root), download=download, progress=True)
    train = book_format(arrays["x_train"], arrays["t_train"], **options)
    test = book_format(arrays["x_test"], arrays["t_test"], **options)
    return train, test


def download_mnist(root: str | os.PathLike | None = None, *, progress: bool = True) -> Path:
    """Download and verify MNIST into ``data_dir(root)`` and build its cache (xpnet download).

    Nothing is downloaded when a valid cache is already there.

    Parameters
    ----------
    root : path, optional
        The data folder; default ``data_dir()``.
    progress : bool, optional
        Show a progress bar per file.

    Returns
    -------
    pathlib.Path
        The cache file, ``mnist.npz``.

    Raises
    ------
    DatasetError
        When no mirror gives a verified file.
    """
    directory = data_folder(root)
    _mnist_arrays(directory, download=True, progress=progress)
    return directory / CACHE_NAME


def mnist_available(root: str | os.PathLike | None = None) -> bool:
    """Whether MNIST loads without the network: a valid cache or the four verified .gz files.

    Parameters
    ----------
    root : path, optional
        The data folder; default ``data_dir()``.

    Returns
    -------
    bool

    Examples
    --------
    >>> import tempfile
    >>> mnist_available(tempfile.mkdtemp())
    False
    """
    try:
        directory = data_folder(root)
    except DatasetError:  # a folder this user may not look into: nothing loads from it
        return False
    try:
        read_cache(directory / CACHE_NAME)
        return True
    except DatasetError:
        return verified_files(directory, CHECKSUMS) is not None


def mnist_problem(root: str | os.PathLike | None = None) -> str | None:
    """Why MNIST in the data folder cannot be used although files of it are there, or None.

    Parameters
    ----------
    root : path, optional
        The data folder; default ``data_dir()``.

    Returns
    -------
    str or None
        The damaged cache's error, or the .gz files that fail their SHA-256; None where MNIST
        loads, or where nothing of it is there (not downloaded).

    Examples
    --------
    >>> import tempfile
    >>> mnist_problem(tempfile.mkdtemp()) is None  # nothing there: not downloaded
    True
    """
    try:
        directory = data_folder(root)
    except DatasetError as error:
        return str(error)
    if verified_files(directory, CHECKSUMS) is not None:
        return None
    if (directory / CACHE_NAME).exists():
        try:
            read_cache(directory / CACHE_NAME)
            return None
        except DatasetError as error:
            return str(error)
    damaged = damaged_files(directory, CHECKSUMS)
    if damaged:
        fail = "fails" if len(damaged) == 1 else "fail"
        return f"{', '.join(damaged)} in {directory} {fail} its SHA-256 (partial or damaged)"
    return None


def mnist_mirrors() -> list[str]:
    """The base URLs to try in turn: ``$XPNET_MNIST_MIRRORS`` (comma-separated), else MIRRORS.

    Returns
    -------
    list of str
        Each ending in "/".
    """
    bases = [b.strip() for b in os.environ.get("XPNET_MNIST_MIRRORS", "").split(",")]
    bases = [b for b in bases if b] or list(MIRRORS)
    return [b if b.endswith("/") else b + "/" for b in bases]


def fetch_mnist(
    root: str | os.PathLike | None = None,
    *,
    mirrors: Sequence[str] | None = None,
    checksums: Mapping[str, str] | None = None,
    progress: bool = False,
) -> dict[str, Path]:
    """Make sure every file of ``checksums`` is in ``data_dir(root)``, verified.

    A file already there with the right SHA-256 is kept; any other is downloaded from each mirror
    in turn into a temporary file, verified, then renamed.

    Parameters
    ----------
    root : path, optional
        The data folder; default ``data_dir()``.
    mirrors : sequence of str, optional
        Base URLs; default ``mnist_mirrors()``.
    checksums : mapping of str to str, optional
        File name to SHA-256; default the four MNIST files.
    progress : bool, optional
        Show a progress bar per file.

    Returns
    -------
    dict of str to pathlib.Path
        Each file's path.

    Raises
    ------
    DatasetError
        When no mirror gives a verified file.
    """
    directory = data_folder(root)
    checksums = CHECKSUMS if checksums is None else checksums
    mirrors = mnist_mirrors() if mirrors is None else list(mirrors)
    return download_verified(directory, checksums, mirrors, progress=progress)


def _mnist_arrays(directory: Path, *, download: bool, progress: bool) -> Arrays:
    """uint8 x_train, t_train, x_test, t_test: from the cache, else from verified .gz files."""
    cache = directory / CACHE_NAME  # directory: a data_folder()
    problem = None
    if cache.exists():
        try:
            return read_cache(cache)
        except DatasetError as error:
            problem = str(error)
    if download:
        try:
            paths = fetch_mnist(directory, progress=progress)
        except DatasetError as error:
            if not problem:
                raise
            said = problem.replace("{", "{{").replace("}", "}}")
            raise DatasetError(
                f"{said}; to rebuild it from the .gz files, " + error.template, **error.fields
            ) from None
    else:
        paths = verified_files(directory, CHECKSUMS)
        if paths is None and problem:
            raise DatasetError(f"{problem}; delete it and run `xpnet download mnist`")
        if paths is None:
            raise DatasetError(
                "MNIST is not in {directory} and {not_downloading}: {download}, put the four"
                f" verified .gz files there, {SAMPLE_HINT}",
                directory=directory,
                not_downloading=Do("not_downloading"),
                download=Do("download_mnist"),
                **SAMPLE,
            )
    if problem:
        warnings.warn(f"{problem}; rebuilding it from the verified .gz files", stacklevel=3)
    arrays = {key: read_idx(paths[name], magic) for key, (name, magic) in PARTS.items()}
    for split in ("train", "test"):
        images, labels = PARTS[f"x_{split}"][0], PARTS[f"t_{split}"][0]
        source = f"MNIST {split} files {images} and {labels} in {directory}"
        check_digits(arrays[f"x_{split}"], arrays[f"t_{split}"], source)
    remove_stale_temporaries(directory, [CACHE_NAME])
    try:
        write_cache(cache, arrays)
    except OSError as error:  # a read-only folder, a full disk: the data is whole all the same
        warnings.warn(
            CacheNotice(
                f"the MNIST cache {_braced(str(cache))} could not be written"
                f" ({error.strerror or error}); MNIST is read from its verified .gz files, each"
                " time until the cache can be written there"
            ),
            stacklevel=3,
        )
    return arrays
