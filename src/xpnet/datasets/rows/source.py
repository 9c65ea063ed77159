"""RowSource: a data set read by row ranges, rows of (x, t) on the host a block at a time.

A source knows the shapes of its images x and labels t and reads rows [start, stop) as host
NumPy arrays: x in the float dtype asked (uint8 pixels are divided by 255, the book's
``normalize``), t as int64 labels (N,) or float one-hot rows (N, C). Its kinds are
:class:`~xpnet.datasets.rows.ArrayFiles` and :class:`~xpnet.datasets.rows.TiledDigits`.
"""

from __future__ import annotations

import math

import numpy as np

from ..common import DatasetError

__all__ = ["RowSource"]


class RowSource:
    """Rows of (x, t) on the host, read a block at a time. Subclasses set x_shape, t_shape and
    classes, and define ``_rows``.

    Attributes
    ----------
    x_shape, t_shape : tuple of int
        The shapes of all of x and t.
    classes : int
        The number of classes.

    Examples
    --------
    A source of four rows of uint8 pixels; read gives them scaled to [0, 1]:

    >>> import numpy as np
    >>> class Ramp(RowSource):
    ...     x_shape, t_shape, classes = (4, 2), (4,), 2
    ...     def _rows(self, start, stop):
    ...         x = np.reshape(np.arange(0, 255, 32, dtype=np.uint8), self.x_shape)
    ...         return x[start:stop], np.array([0, 1, 0, 1])[start:stop]
    >>> x, t = Ramp().read(1, 3)
    >>> x.dtype, (x * 255).round().tolist(), t.tolist()
    (dtype('float32'), [[64.0, 96.0], [128.0, 160.0]], [1, 0])
    >>> Ramp().samples, Ramp().nbytes("float64")
    (4, 64)
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
