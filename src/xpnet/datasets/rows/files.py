"""ArrayFiles: x and t read by row ranges from .npy files or Zarr arrays, checked first.

What their headers and metadata declare is checked before any row is read, bounded
(:mod:`xpnet.npyfiles`): an .npy file must hold exactly what its header declares (then only the
rows asked are read, by offset); a local Zarr folder must hold only folders and regular files (a
FIFO or a device is never read from), with metadata and chunks of bounded size.
"""

from __future__ import annotations

import math
import os
import stat
import warnings
from pathlib import Path

import numpy as np

from ...npyfiles import UnreadableFile, memory_available, open_regular, read_header, size_text
from ..common import DatasetError
from .damaged import damaged_chunk
from .source import RowSource

__all__ = ["ArrayFiles", "UnscaledImages"]

MAX_CHUNK = 2**28  # bytes of one Zarr chunk, decoded: a read of a few rows decodes whole chunks
MAX_METADATA = 2**20  # bytes of a Zarr metadata file (zarr.json, .zarray): a few hundred
ZARR_METADATA = ("zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata")
LOOKED_AT = 100  # rows of float images read to see their scale
SCALED = 1.5  # the largest |value| of images scaled to 0..1, with room for a normalization's


class UnscaledImages(UserWarning):
    """Float images whose values reach well past 1: pixels 0..255 not divided by 255, while
    xpnet's networks train on images scaled to 0..1 (uint8 pixels are scaled for you)."""


class _NpyRows:
    """An .npy file's rows, read bounded: the header first (its shape and dtype against the
    file's size), then only the rows asked, by offset (memory-mapped only in Fortran order)."""

    def __init__(self, path: str) -> None:
        try:
            with open_regular(path, "file") as handle:
                header = read_header(handle, path)
                size = os.fstat(handle.fileno()).st_size
        except UnreadableFile as error:
            raise DatasetError(
                f"{path} is not a readable .npy file or Zarr array ({error.detail})"
            ) from None
        if size != header.offset + header.nbytes:
            raise DatasetError(
                f"{path}: declares {header}, {header.offset + header.nbytes} bytes with its"
                f" header, but the file holds {size} bytes: it is truncated or not what its"
                " header says"
            )
        self.path, self.header = path, header
        self.shape, self.dtype, self.ndim = header.shape, header.dtype, len(header.shape)

    def rows(self, start: int, stop: int) -> np.ndarray:
        header, shape = self.header, (stop - start, *self.header.shape[1:])
        try:
            with open_regular(self.path, "file") as handle:
                if header.fortran_order and header.nbytes:
                    every = np.memmap(handle, header.dtype, "r", header.offset, header.shape, "F")
                    return np.ascontiguousarray(every[start:stop])
                row = math.prod(header.shape[1:]) * header.dtype.itemsize
                handle.seek(header.offset + start * row)
                data = handle.read(row * (stop - start))
        except (UnreadableFile, OSError, ValueError) as error:
            raise DatasetError(
                f"{self.path}: rows {start}..{stop - 1} cannot be read ({error})"
            ) from None
        if len(data) != row * (stop - start):
            raise DatasetError(f"{self.path}: rows {start}..{stop - 1} are cut short: truncated")
        array = np.frombuffer(data, dtype=header.dtype).reshape(shape)
        return array.astype(array.dtype.newbyteorder("=")) if not array.dtype.isnative else array


class _ZarrRows:
    """A Zarr array's rows. Opened with check=True, a local Zarr folder is looked through first:
    anything that is neither a folder nor a regular file (a FIFO would block a read for ever)
    and any metadata file over MAX_METADATA is refused; and a chunk over MAX_CHUNK bytes."""

    def __init__(self, path: str, *, check: bool = True) -> None:
        if "://" not in path and os.path.exists(path) and not os.path.isdir(path):
            raise DatasetError(  # said alike whether zarr is installed or not
                f"{path} is not a readable .npy file or Zarr array (neither .npy data nor a"
                " Zarr array's folder)"
            )
        try:
            import zarr
        except ImportError:
            raise DatasetError(f"{path}: reading Zarr needs zarr: pip install zarr") from None
        if check and "://" not in path:
            _look_through(path)
        try:
            self.array = zarr.open_array(path, mode="r")
            dtype = np.dtype(self.array.dtype)
            chunks = tuple(self.array.chunks)
        except Exception as error:  # FileNotFoundError, zarr's errors, a damaged zarr.json
            raise DatasetError(
                f"{path} is not a readable .npy file or Zarr array ({type(error).__name__}:"
                f" {_first_line(error)})"
            ) from None
        self.path, self.shape, self.dtype = path, tuple(self.array.shape), dtype
        self.ndim = len(self.shape)
        chunk, bound = math.prod(chunks) * dtype.itemsize, min(MAX_CHUNK, memory_available() // 4)
        if check and chunk > bound:
            raise DatasetError(
                f"{path}: declares chunks of shape {chunks} {dtype.name}, {size_text(chunk)}"
                f" each; xpnet reads chunks of at most {size_text(bound)} here (a read of a few"
                " rows decodes whole chunks): rechunk the array"
            )

    def rows(self, start: int, stop: int) -> np.ndarray:
        try:
            return np.asarray(self.array[start:stop])
        except MemoryError:
            raise DatasetError(
                f"{self.path}: rows {start}..{stop - 1} cannot be read: a Zarr chunk decodes to"
                " more memory than this process has (a damaged or crafted chunk)"
            ) from None
        except Exception as error:  # a damaged chunk: the codec's error, a wrong size, ...
            said = f"{type(error).__name__}: {_first_line(error)}"
            chunk = damaged_chunk(self.array, self.path, start, stop, said)
            raise DatasetError(
                f"{self.path}: rows {start}..{stop - 1} cannot be read: a Zarr chunk is damaged"
                f" ({said})" + (f": {chunk}" if chunk else "")
            ) from None


def _look_through(path: str) -> None:
    """Refuse a local Zarr folder holding what a read could block on, a file the user may not
    read, or oversized metadata."""
    top = Path(path)
    try:
        if not top.is_dir():
            kind = "does not exist" if not top.exists() else "is neither an .npy file nor a folder"
            raise DatasetError(f"{path} is not a readable .npy file or Zarr array ({kind})")
        for folder, _, files in os.walk(top):
            for name in files:
                entry = Path(folder, name)
                mode = entry.stat().st_mode if entry.exists() else stat.S_IFREG
                if not stat.S_ISREG(mode):
                    raise DatasetError(
                        f"{path}: {entry} is not a regular file (a FIFO or a device would block"
                        " a read): a Zarr array is a folder of regular files"
                    )
                if not os.access(entry, os.R_OK):  # said now, not as a damaged chunk later
                    raise DatasetError(f"{path}: {entry} cannot be read: permission denied")
                if name in ZARR_METADATA and entry.stat().st_size > MAX_METADATA:
                    raise DatasetError(
                        f"{path}: {entry} holds {size_text(entry.stat().st_size)}; Zarr"
                        f" metadata is a few hundred bytes, at most {size_text(MAX_METADATA)}"
                    )
    except OSError as error:
        raise DatasetError(f"{path} cannot be read ({error})") from None


def _warn_if_unscaled(path: str, first: np.ndarray) -> None:
    """UnscaledImages where the first rows of float images reach past SCALED."""
    finite = first[np.isfinite(first)]
    largest = float(np.max(np.abs(finite))) if finite.size else 0.0
    if largest > SCALED:
        warnings.warn(
            f"{path}: float images whose first {first.shape[0]} rows reach {largest:g}, while"
            " xpnet's networks train on images scaled to 0..1 (uint8 pixels are scaled when"
            " read): divide them by 255 first, or the loss and accuracy are those of other"
            " images",
            UnscaledImages,
            stacklevel=3,
        )


def _first_line(error: BaseException) -> str:
    return (str(error).splitlines() or [""])[0][:300]


def _open(path: str, *, check: bool = True):
    """The rows of a .npy file or a Zarr array (a folder, or a URL zarr opens); DatasetError
    naming the path where it cannot be read."""
    return _NpyRows(path) if path.endswith(".npy") else _ZarrRows(path, check=check)


class ArrayFiles(RowSource):
    """x and t from .npy files or Zarr arrays, read by row ranges.

    Only headers and metadata are read here: the shapes, dtypes and sizes are checked before
    any row is (an .npy file must hold exactly what its header declares; a local Zarr folder
    must hold only folders and regular files, with metadata and chunks of bounded size).

    Parameters
    ----------
    x_path : str or pathlib.Path
        Images (N, ...), uint8 pixels or floats: an .npy file or a Zarr array.
    t_path : str or pathlib.Path
        Integer labels (N,) or one-hot rows (N, classes), the same kinds of file.
    classes : int, optional
        The number of classes (the network's output_size).
    features : int, optional
        The values per row the network takes (its input_size); None: any.

    Raises
    ------
    DatasetError
        A file that cannot be read (missing, a FIFO, permission denied), declares more than it
        holds, or whose shapes and dtypes do not fit, naming the file and what it declares.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> np.save(folder / "x.npy", np.zeros((5, 784), np.uint8))
    >>> np.save(folder / "t.npy", np.arange(5))
    >>> source = ArrayFiles(folder / "x.npy", folder / "t.npy", features=784)
    >>> source.samples, source.read(1, 3)[1].tolist()
    (5, [1, 2])
    """

    def __init__(
        self,
        x_path: str | Path,
        t_path: str | Path,
        classes: int = 10,
        *,
        features: int | None = None,
    ) -> None:
        self.x_path, self.t_path, self.classes = str(x_path), str(t_path), int(classes)
        self.features = features
        x, t = _open(self.x_path), _open(self.t_path)
        self.x_shape, self.t_shape = tuple(x.shape), tuple(t.shape)
        if x.dtype != np.uint8 and x.dtype.kind != "f":
            raise DatasetError(f"{self.x_path}: x must be uint8 pixels or floats; got {x.dtype}")
        if len(x.shape) < 2 or x.shape[0] == 0:
            raise DatasetError(f"{self.x_path}: x must have shape (N, ...), N > 0; got {x.shape}")
        if features is not None and math.prod(x.shape[1:]) != features:
            raise DatasetError(
                f"{self.x_path}: declares shape {x.shape}, {math.prod(x.shape[1:])} values a"
                f" row; the checkpoint's network takes {features} (input_size)"
            )
        if x.dtype.kind == "f":
            _warn_if_unscaled(self.x_path, x.rows(0, min(x.shape[0], LOOKED_AT)))
        labels = t.ndim == 1 and t.dtype.kind in "iu"
        one_hot = t.shape[1:] == (self.classes,) and t.dtype.kind in "biuf"
        if t.shape[:1] != x.shape[:1] or not (labels or one_hot):
            raise DatasetError(
                f"{self.t_path}: t must be integer labels of shape ({x.shape[0]},) or one-hot of"
                f" shape ({x.shape[0]}, {self.classes}) for x of shape {x.shape}; got"
                f" {t.dtype} {t.shape}"
            )

    def _rows(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        x, t = _open(self.x_path, check=False), _open(self.t_path, check=False)
        return x.rows(start, stop), t.rows(start, stop)

    def __str__(self) -> str:
        return f"{self.x_path} and {self.t_path}"
