""".npy headers read bounded: what an array declares, checked before any of its data is read.

:func:`read_header` reads at most :data:`MAX_HEADER` bytes (numpy's own bound) with numpy's
format module and refuses object and structured dtypes; :class:`Header` is what it found.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np

from .opening import UnreadableFile, size_text

__all__ = ["MAX_HEADER", "Header", "read_header"]

MAGIC = b"\x93NUMPY"
MAX_HEADER = 10_000  # bytes of an .npy header: numpy's own bound (np.load's max_header_size)


@dataclass(frozen=True)
class Header:
    """What an .npy header declares. offset: bytes before the data (magic, length, header)."""

    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    offset: int

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize

    def __str__(self) -> str:  # shape (784, 50) float32 (153 KiB)
        return f"shape {self.shape} {self.dtype.name} ({size_text(self.nbytes)})"


def read_header(handle, where: str) -> Header:
    """The .npy header at handle's position, read bounded (at most MAX_HEADER bytes).

    Parameters
    ----------
    handle : binary file
        Positioned at the start of an .npy array (a file, or a zip member's stream).
    where : str
        How messages name the array ("x.npy", "c.npz: member params/W1.npy"), followed by
        ": " and the problem.

    Returns
    -------
    Header
        shape, dtype, fortran_order and the offset of the data.

    Raises
    ------
    UnreadableFile
        No .npy array, a damaged or oversized header, a negative shape, an object dtype (it
        would need pickle: xpnet never loads one) or a structured one.

    Examples
    --------
    >>> import io, numpy as np
    >>> buffer = io.BytesIO()
    >>> np.save(buffer, np.zeros((784, 50), np.float32))
    >>> _ = buffer.seek(0)
    >>> str(read_header(buffer, "W1.npy"))
    'shape (784, 50) float32 (153 KiB)'
    """
    start = _read_exactly(handle, 8)
    if len(start) < 8 or start[:6] != MAGIC:
        raise _bad(where, "is not an .npy array (it does not begin with numpy's magic string)")
    version = (start[6], start[7])
    if version not in ((1, 0), (2, 0)):
        raise _bad(
            where,
            f"has .npy format version {version[0]}.{version[1]}; xpnet reads 1.0 and 2.0 (what"
            " numpy writes for plain arrays)",
        )
    width = 2 if version == (1, 0) else 4
    length_bytes = _read_exactly(handle, width)
    if len(length_bytes) < width:
        raise _bad(where, "ends inside its .npy header")
    length = int.from_bytes(length_bytes, "little")
    if length > MAX_HEADER:
        raise _bad(
            where,
            f"declares an .npy header of {length} bytes; numpy's headers are under {MAX_HEADER}",
        )
    text = _read_exactly(handle, length)
    if len(text) < length:
        raise _bad(where, "ends inside its .npy header")
    buffer = io.BytesIO(start + length_bytes + text)
    np.lib.format.read_magic(buffer)
    read = (
        np.lib.format.read_array_header_1_0
        if version == (1, 0)
        else np.lib.format.read_array_header_2_0
    )
    try:
        shape, fortran_order, dtype = read(buffer, max_header_size=MAX_HEADER)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as error:
        detail = (str(error).splitlines() or [type(error).__name__])[0][:200]
        raise _bad(where, f"has a damaged .npy header ({detail})") from None
    if any(n < 0 for n in shape):
        raise _bad(where, f"declares the negative shape {shape}")
    if dtype.hasobject:
        raise _bad(where, "holds an object array, which xpnet never loads (it could run code)")
    if dtype.fields is not None or dtype.subdtype is not None:
        raise _bad(where, f"holds a structured dtype {dtype}; xpnet reads plain number arrays")
    return Header(tuple(shape), dtype, fortran_order, 8 + width + length)


def _read_exactly(handle, n: int) -> bytes:
    data = b""
    while len(data) < n:
        more = handle.read(n - len(data))
        if not more:
            break
        data += more
    return data


def _bad(where: str, detail: str) -> UnreadableFile:
    return UnreadableFile(f"{where}: {detail}", path=where, detail=detail)
