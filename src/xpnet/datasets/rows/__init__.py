"""Data sets read by row ranges, for evaluating on sets larger than memory.

A :class:`RowSource` knows the shapes of its images x and labels t and reads rows
[start, stop) as host NumPy arrays: x in the float dtype asked (uint8 pixels are divided by 255,
the book's ``normalize``), t as int64 labels (N,) or float one-hot rows (N, C). Two kinds:

- :class:`ArrayFiles`: x and t in ``.npy`` files (only the rows asked are read) or Zarr arrays
  (a ``.zarr`` folder); what their headers and metadata declare is checked first, bounded
  (:mod:`xpnet.npyfiles`), and a FIFO or a device is never read from;
- :class:`TiledDigits`: the test split of MNIST or of the bundled sample, repeated ``repeat``
  times: a large set of real digits that takes no disk space.

:func:`as_dask` turns a source into one lazy (x, t) pair whose every chunk reads its own rows
where it is computed -- on a ``dask.distributed`` worker, from the same path, so workers must
see the files -- and so the data is never sent from the client nor gathered in one process.
A source is opened anew in each process (it holds paths and names, never open files).

The package: :mod:`.source` (RowSource), :mod:`.files` (ArrayFiles), :mod:`.tiled`
(TiledDigits) and :mod:`.dask_arrays` (as_dask).
"""

from .dask_arrays import as_dask
from .files import ArrayFiles, UnscaledImages
from .source import RowSource
from .tiled import TiledDigits

__all__ = ["ArrayFiles", "RowSource", "TiledDigits", "UnscaledImages", "as_dask"]
