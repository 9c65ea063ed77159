"""Reading MNIST's IDX files (gzip-compressed), checked byte by byte.

An IDX file is a 4-byte magic number (0, 0, type, ndim), ndim big-endian uint32 sizes, then
the payload in C order. MNIST uses type 0x08 (uint8): images are magic 2051 (3 dims), labels
2049 (1 dim). See http://yann.lecun.com/exdb/mnist/ (the file-format section).
"""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from ..npyfiles import UnreadableFile, open_regular
from .common import DatasetError

IMAGES_MAGIC = 2051  # 0x00000803: uint8, 3 dims (N, rows, cols)
LABELS_MAGIC = 2049  # 0x00000801: uint8, 1 dim (N,)


MAX_PAYLOAD = 60_000 * 28 * 28  # bytes: MNIST's largest file, the training images


def read_idx(path: str | Path, magic: int) -> np.ndarray:
    """The uint8 array in the gzip IDX file at `path`, whose magic number must be `magic`.

    Read bounded: the header first, whose sizes may declare at most MAX_PAYLOAD bytes; then
    that many and one more (a stream going on beyond them is refused, not read to its end).

    Parameters
    ----------
    path : str or pathlib.Path
        The .gz file (a regular file: a FIFO is refused, not read).
    magic : int
        IMAGES_MAGIC or LABELS_MAGIC.

    Returns
    -------
    numpy.ndarray
        uint8, of the shape the header gives.

    Raises
    ------
    DatasetError
        Naming the file when it is not gzip, is truncated, has another magic number, declares
        more than MNIST's largest file, or its payload length does not match its header.

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels.gz"
    >>> path.write_bytes(gzip.compress(LABELS_MAGIC.to_bytes(4, "big") + (3).to_bytes(4, "big")
    ...                                + bytes([7, 2, 1]))) > 0
    True
    >>> read_idx(path, LABELS_MAGIC).tolist()
    [7, 2, 1]
    """
    path = Path(path)
    fix = f"delete {path} and download it again (xpnet download mnist)"
    try:
        with open_regular(path, "file") as raw, gzip.open(raw, "rb") as file:
            start = file.read(4)
            if len(start) < 4:
                raise DatasetError(
                    f"{path} is too short for an IDX header ({len(start)} bytes); {fix}"
                )
            found = int.from_bytes(start, "big")
            if found != magic:
                raise DatasetError(f"{path} has IDX magic number {found}, expected {magic}; {fix}")
            ndim = start[3]
            sizes = file.read(4 * ndim)
            if len(sizes) < 4 * ndim:
                raise DatasetError(f"{path} ends inside its IDX header; {fix}")
            shape = tuple(int.from_bytes(sizes[4 * i : 4 * i + 4], "big") for i in range(ndim))
            if math.prod(shape) > MAX_PAYLOAD:
                raise DatasetError(
                    f"{path}: its IDX header declares shape {shape}, {math.prod(shape)} bytes;"
                    f" MNIST's files hold at most {MAX_PAYLOAD}; {fix}"
                )
            data = file.read(math.prod(shape) + 1)  # one more: a longer payload is refused too
    except UnreadableFile as error:
        raise DatasetError(f"{path} cannot be read ({error.detail}); {fix}") from None
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetError(f"{path} is not a complete gzip file ({error}); {fix}") from error
    if len(data) != math.prod(shape):
        raise DatasetError(
            f"{path} holds {len(data)}{'+' if len(data) > math.prod(shape) else ''} bytes of"
            f" data, but its header says {shape} ({math.prod(shape)} bytes); {fix}"
        )
    return np.frombuffer(data, dtype=np.uint8).reshape(shape).copy()
