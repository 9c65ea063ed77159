"""Data sets read by row ranges, for evaluating on sets larger than memory.

A :class:`RowSource` knows the shapes of its images x and labels t and reads rows
[start, stop) as host NumPy arrays: x in the float dtype asked (uint8 pixels are divided by 255,
the book's ``normalize``), t as int64 labels (N,) or float one-hot rows (N, C). Two kinds:

- :class:`ArrayFiles`: x and t in ``.npy`` files (memory-mapped: only the rows asked are read)
  or Zarr arrays (a ``.zarr`` folder);
- :class:`TiledDigits`: the test split of MNIST or of the bundled sample, repeated ``repeat``
  times: a large set of real digits that takes no disk space.

:func:`as_dask` turns a source into one lazy (x, t) pair whose every chunk reads its own rows
where it is computed -- on a ``dask.distributed`` worker, from the same path, so workers must
see the files -- and so the data is never sent from the client nor gathered in one process.
A source is opened anew in each process (it holds paths and names, never open files).
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np

from .common import DatasetError

__all__ = ["ArrayFiles", "RowSource", "TiledDigits", "as_dask"]


class RowSource:
    """Rows of (x, t) on the host, read a block at a time. Subclasses set x_shape, t_shape and
    classes, and define ``_rows``.

    Attributes
    ----------
    x_shape, t_shape : tuple of int
        The shapes of all of x and t.
    classes : int
        The number of classes.
    """

    x_shape: tuple[int, ...]
    t_shape: tuple[int, ...]
    classes: int

    def read(self, start: int, stop: int, dtype: str = "float32") -> tuple[np.ndarray, np.ndarray]:
        """Rows [start, stop) of x and t.

        Parameters
        ----------
        start, stop : int
            The rows.
        dtype : str, optional
            x's dtype ("float32" or "float64"); uint8 pixels are scaled to [0, 1].

        Returns
        -------
        x : ndarray of shape (stop - start, ...)
        t : ndarray
            int64 labels, or one-hot rows in dtype.

        Raises
        ------
        DatasetError
            For a label outside 0..classes-1.
        """
        x, t = self._rows(start, stop)
        x = x / np.float32(255) if x.dtype == np.uint8 else x
        x = np.asarray(x, dtype=dtype)
        if t.ndim == 1:
            t = np.asarray(t, dtype=np.int64)
            if t.size and (t.min() < 0 or t.max() >= self.classes):
                bad = t[(t < 0) | (t >= self.classes)][0]
                raise DatasetError(
                    f"{self}: rows {start}..{stop - 1} hold label {bad}; labels must be 0.."
                    f"{self.classes - 1}"
                )
        else:
            t = np.asarray(t, dtype=dtype)
        return x, t

    def _rows(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    @property
    def samples(self) -> int:
        """The number of rows, N."""
        return self.x_shape[0]

    def nbytes(self, dtype: str = "float32") -> int:
        """The bytes of all of x in dtype: the size of the set as the network reads it.

        Parameters
        ----------
        dtype : str, optional
            x's dtype as read.

        Returns
        -------
        int
        """
        return math.prod(self.x_shape) * np.dtype(dtype).itemsize

    def __dask_tokenize__(self):  # a source's identity is its description
        return (type(self).__name__, str(self))


def _open(path: str):
    """A .npy file memory-mapped, or a Zarr array; DatasetError naming the path otherwise."""
    try:
        if path.endswith(".npy"):
            return np.load(path, mmap_mode="r", allow_pickle=False)
        import zarr

        return zarr.open_array(path, mode="r")
    except ImportError:
        raise DatasetError(f"{path}: reading Zarr needs zarr: pip install zarr") from None
    except Exception as error:  # FileNotFoundError, ValueError (a pickle), zarr's errors
        raise DatasetError(
            f"{path} is not a readable .npy file or Zarr array ({type(error).__name__}: {error})"
        ) from None


class ArrayFiles(RowSource):
    """x and t from .npy files (memory-mapped) or Zarr arrays.

    Parameters
    ----------
    x_path, t_path : path
        x: (N, ...) uint8 pixels or floats; t: integer labels (N,) or one-hot (N, classes).
    classes : int, optional
        The number of classes.

    Raises
    ------
    DatasetError
        When a file cannot be opened, or the shapes do not match.
    """

    def __init__(self, x_path: str | Path, t_path: str | Path, classes: int = 10) -> None:
        self.x_path, self.t_path, self.classes = str(x_path), str(t_path), int(classes)
        x, t = _open(self.x_path), _open(self.t_path)
        self.x_shape, self.t_shape = tuple(x.shape), tuple(t.shape)
        if x.dtype != np.uint8 and not np.issubdtype(x.dtype, np.floating):
            raise DatasetError(f"{self.x_path}: x must be uint8 pixels or floats; got {x.dtype}")
        if len(x.shape) < 2 or x.shape[0] == 0:
            raise DatasetError(f"{self.x_path}: x must have shape (N, ...), N > 0; got {x.shape}")
        labels = t.ndim == 1 and np.issubdtype(t.dtype, np.integer)
        if t.shape[:1] != x.shape[:1] or not (labels or t.shape[1:] == (self.classes,)):
            raise DatasetError(
                f"{self.t_path}: t must be integer labels of shape ({x.shape[0]},) or one-hot of"
                f" shape ({x.shape[0]}, {self.classes}) for x of shape {x.shape}; got"
                f" {t.dtype} {t.shape}"
            )

    def _rows(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        x, t = _open(self.x_path), _open(self.t_path)
        return np.asarray(x[start:stop]), np.asarray(t[start:stop])

    def __str__(self) -> str:
        return f"{self.x_path} and {self.t_path}"


@functools.cache
def _test_split(dataset: str, data_dir: str | None) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (N, 784) and labels of the test split, read once per process."""
    from .mnist import load_mnist
    from .sample import load_mnist_sample

    if dataset == "mnist":
        _, test = load_mnist(normalize=False, root=data_dir, download=False)
    else:
        _, test = load_mnist_sample(normalize=False)
    return test


class TiledDigits(RowSource):
    """The test split of "mnist" (from its cache in data_dir) or "sample", repeated: a data set as
    large as wanted, read block by block.

    Parameters
    ----------
    dataset : {"mnist", "sample"}
    repeat : int, optional
        How many times the test split is repeated.
    data_dir : path, optional
        Where MNIST's cache is.

    Raises
    ------
    ValueError
        For another dataset or a repeat that is not a positive integer.

    Examples
    --------
    >>> source = TiledDigits("sample", repeat=3)
    >>> source.samples, str(source)
    (3000, "the bundled sample's 1000 test images, repeated 3 times")
    """

    classes = 10

    def __init__(self, dataset: str, repeat: int = 1, data_dir: str | None = None) -> None:
        if dataset not in ("mnist", "sample"):
            raise ValueError(f"dataset must be 'mnist' or 'sample'; got {dataset!r}")
        if not (isinstance(repeat, int) and repeat > 0):
            raise ValueError(f"repeat must be a positive integer; got {repeat!r}")
        self.dataset, self.repeat, self.data_dir = dataset, repeat, data_dir
        x, t = _test_split(dataset, data_dir)
        self.x_shape, self.t_shape = (x.shape[0] * repeat, *x.shape[1:]), (t.shape[0] * repeat,)

    def _rows(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        x, t = _test_split(self.dataset, self.data_dir)
        index = np.arange(start, stop) % x.shape[0]
        return x[index], t[index]

    def __str__(self) -> str:
        name = "MNIST" if self.dataset == "mnist" else "the bundled sample"
        times = f", repeated {self.repeat} times" if self.repeat > 1 else ""
        return f"{name}'s {self.samples // self.repeat} test images{times}"


def _read(source: RowSource, start: int, stop: int, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    return source.read(start, stop, dtype)


def as_dask(source: RowSource, chunk_rows: int, dtype: str = "float32"):
    """(x, t) as Dask arrays of chunk_rows rows per chunk, each chunk read where it is computed.

    The task graph holds the source once (paths and names, a few bytes) and one read task per
    chunk; nothing is read until a compute.

    Parameters
    ----------
    source : RowSource
    chunk_rows : int
        Rows per chunk.
    dtype : str, optional
        x's dtype.

    Returns
    -------
    x, t : dask.array.Array
    """
    import dask
    import dask.array as da

    shared = dask.delayed(source, pure=True)  # one key for the source, shared by every chunk
    xs, ts = [], []
    t_dtype = np.int64 if len(source.t_shape) == 1 else np.dtype(dtype)
    for start in range(0, source.samples, chunk_rows):
        stop = min(start + chunk_rows, source.samples)
        x, t = dask.delayed(_read, pure=True, nout=2)(shared, start, stop, dtype)
        rows = stop - start
        xs.append(da.from_delayed(x, shape=(rows, *source.x_shape[1:]), dtype=dtype))
        ts.append(da.from_delayed(t, shape=(rows, *source.t_shape[1:]), dtype=t_dtype))
    return da.concatenate(xs, axis=0), da.concatenate(ts, axis=0)
