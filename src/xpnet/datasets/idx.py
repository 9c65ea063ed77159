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

from .common import DatasetError

IMAGES_MAGIC = 2051  # 0x00000803: uint8, 3 dims (N, rows, cols)
LABELS_MAGIC = 2049  # 0x00000801: uint8, 1 dim (N,)


def read_idx(path: str | Path, magic: int) -> np.ndarray:
    """The uint8 array in the gzip IDX file at `path`, whose magic number must be `magic`.

    Raises DatasetError naming the file when it is not gzip, is truncated, has another magic
    number, or its payload length does not match its header.
    """
    path = Path(path)
    fix = f"delete {path} and download it again (xpnet download mnist)"
    try:
        with gzip.open(path, "rb") as file:
            data = file.read()
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetError(f"{path} is not a complete gzip file ({error}); {fix}") from error
    if len(data) < 4:
        raise DatasetError(f"{path} is too short for an IDX header ({len(data)} bytes); {fix}")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise DatasetError(f"{path} has IDX magic number {found}, expected {magic}; {fix}")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(f"{path} ends inside its IDX header; {fix}")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    payload = len(data) - header
    if payload != math.prod(shape):
        raise DatasetError(
            f"{path} holds {payload} bytes of data, but its header says {shape} "
            f"({math.prod(shape)} bytes); {fix}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape).copy()
