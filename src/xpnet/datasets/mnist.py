"""MNIST: verified download from mirrors, IDX parsing, and one .npz cache; the book's load_mnist.

How to read it: `load_mnist` asks `_mnist_arrays` for four uint8 arrays. Those come from the
cache `mnist.npz` when it is valid, else from the four published .gz files, which `fetch_mnist`
downloads (mirror after mirror, each file checked against its SHA-256 before it is kept) and
`read_idx` parses; the cache is then written atomically. `book_format` gives the book's shapes.
The cache is plain uint8 arrays, loaded with allow_pickle=False: files are data, never code.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..atomic import atomic_write
from ..errors import Do
from ..npyfiles import Archive, UnreadableFile
from .common import IMAGE_SHAPE, DatasetError, book_format, check_digits, data_dir
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
CACHE_NAME = "mnist.npz"
CACHE_MEMBERS = tuple(f"{key}.npy" for key in PARTS)
SPLIT_SIZES = {"train": 60_000, "test": 10_000}
_SAMPLE_HINT = "or use the bundled 5,000-image sample: {sample}"  # a field of SAMPLE

SAMPLE = {"sample": Do("use_sample_data")}

Arrays = dict[str, np.ndarray]


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
    arrays = _mnist_arrays(data_dir(root), download=download, progress=True)
    options = {"normalize": normalize, "flatten": flatten, "one_hot_label": one_hot_label}
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
    directory = data_dir(root)
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
    directory = data_dir(root)
    try:
        _read_cache(directory / CACHE_NAME)
        return True
    except DatasetError:
        return _local_files(directory, CHECKSUMS) is not None


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
    import pooch  # imported here so that `import xpnet` stays fast

    directory = data_dir(root)
    checksums = CHECKSUMS if checksums is None else checksums
    mirrors = mnist_mirrors() if mirrors is None else list(mirrors)
    show = progress and sys.stderr.isatty()
    paths = {}
    for name, sha256 in checksums.items():
        path = directory / name
        if path.is_file() and pooch.file_hash(str(path)) == sha256:
            paths[name] = path
            continue
        failures = []
        for base in mirrors:
            url = base + name
            try:
                pooch.retrieve(
                    url,
                    known_hash=f"sha256:{sha256}",
                    fname=name,
                    path=directory,
                    progressbar=show,
                )
            except (OSError, ValueError) as error:  # requests' errors are OSErrors
                failures.append(f"{url}: {_reason(error)}")
            else:
                paths[name] = path
                break
        else:
            tried = "; ".join(failures) or "no mirror given"
            raise DatasetError(
                f"could not download a verified {name} ({tried}). Check the network, "
                f"set XPNET_MNIST_MIRRORS to mirrors that have the files, "
                f"or put the files into {directory}, {_SAMPLE_HINT}",
                **SAMPLE,
            )
    return paths


def _reason(error: BaseException) -> str:
    """A short reason for a failed download: the checksum pair, or the innermost cause."""
    match = re.search(r"expected (?:sha256:)?(\w+) but got (\w+)", str(error))
    if isinstance(error, ValueError) and match:
        return f"SHA-256 mismatch, expected {match[1]}, got {match[2]}"
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__
    return str(error) or type(error).__name__


def _local_files(directory: Path, checksums: Mapping[str, str]) -> dict[str, Path] | None:
    """{file name: path} when every file is in `directory` with its SHA-256, else None."""
    import pooch

    paths = {name: directory / name for name in checksums}
    for name, path in paths.items():
        if not path.is_file() or pooch.file_hash(str(path)) != checksums[name]:
            return None
    return paths


def _mnist_arrays(directory: Path, *, download: bool, progress: bool) -> Arrays:
    """uint8 x_train, t_train, x_test, t_test: from the cache, else from verified .gz files."""
    cache = directory / CACHE_NAME
    problem = None
    if cache.exists():
        try:
            return _read_cache(cache)
        except DatasetError as error:
            problem = str(error)
    if download:
        paths = fetch_mnist(directory, progress=progress)
    else:
        paths = _local_files(directory, CHECKSUMS)
        if paths is None and problem:
            raise DatasetError(f"{problem}; delete it and run `xpnet download mnist`")
        if paths is None:
            raise DatasetError(
                f"MNIST is not in {directory} and download=False: call "
                f"xpnet.load_mnist(download=True), put the four verified .gz files there, "
                f"{_SAMPLE_HINT}",
                **SAMPLE,
            )
    if problem:
        warnings.warn(f"{problem}; rebuilding it from the verified .gz files", stacklevel=3)
    arrays = {key: read_idx(paths[name], magic) for key, (name, magic) in PARTS.items()}
    for split in ("train", "test"):
        images, labels = PARTS[f"x_{split}"][0], PARTS[f"t_{split}"][0]
        source = f"MNIST {split} files {images} and {labels} in {directory}"
        check_digits(arrays[f"x_{split}"], arrays[f"t_{split}"], source)
    _write_cache(cache, arrays)
    return arrays


def _read_cache(path: Path) -> Arrays:
    """The arrays of a cache file, checked; DatasetError when it is missing or not valid.

    Read bounded (:mod:`xpnet.npyfiles`): the zip directory and each member's header first,
    which must declare uint8 images (N, 28, 28) and labels (N,) with N at most MNIST's own.
    """
    try:
        rule = f"an MNIST cache holds {', '.join(CACHE_MEMBERS)}"
        with Archive(
            path, kind="MNIST cache", allowed=CACHE_MEMBERS.__contains__, rule=rule
        ) as cache:
            missing = [name for name in CACHE_MEMBERS if name not in cache.members]
            if missing:
                raise cache.refuse(None, f"lacks {', '.join(missing)}")
            headers = {key: cache.header(f"{key}.npy") for key in PARTS}
            _check_cache_headers(cache, headers)
            arrays = {key: cache.read(f"{key}.npy", headers[key]) for key in PARTS}
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


def _write_cache(path: Path, arrays: Arrays) -> None:
    """Write `arrays` to `path` atomically: a temporary file in the same folder, then a rename."""
    # uncompressed: loads in milliseconds; uint8 keeps it small
    atomic_write(path, lambda file: np.savez(file, **arrays))
