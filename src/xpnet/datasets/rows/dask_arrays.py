"""as_dask: a RowSource as one lazy (x, t) pair of Dask arrays, each chunk read where computed.

On a ``dask.distributed`` worker a chunk reads its own rows from the same path, so workers must
see the files, and the data is never sent from the client nor gathered in one process. A source
is opened anew in each process (it holds paths and names, never open files).
"""

from __future__ import annotations

import numpy as np

from ..common import DatasetError
from .source import RowSource

__all__ = ["as_dask"]

MAX_CHUNKS = 1_000_000  # chunks of one Dask evaluation: each is a task of the graph


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

    chunks = -(-source.samples // chunk_rows)
    if chunks > MAX_CHUNKS:
        raise DatasetError(
            f"{source}: {source.samples} rows make {chunks} chunks of {chunk_rows} rows, each a"
            f" task of the graph; at most {MAX_CHUNKS}: read larger chunks"
        )
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
