"""The two dtypes xpnet computes in, "float32" and "float64", by name in any library."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import Namespace

DTYPES = ("float32", "float64")


def resolve_dtype(xp: Namespace, dtype: Any = None):
    """xp's dtype for "float32"/"float64", one of xp's dtype objects, or None (float64).

    Raises
    ------
    ValueError
        For any other dtype.

    Examples
    --------
    >>> import numpy as np
    >>> resolve_dtype(np, "float32")
    <class 'numpy.float32'>
    """
    if dtype is None:
        return xp.float64
    if isinstance(dtype, str):
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype!r}")
        return getattr(xp, dtype)
    if dtype == xp.float32 or dtype == xp.float64:
        return dtype
    raise ValueError(f"dtype must be 'float32', 'float64' or one of {xp.__name__}'s; got {dtype!r}")


def dtype_name(dtype: Any) -> str:
    """'float32' for a float32 dtype of any library.

    Examples
    --------
    >>> import numpy as np
    >>> dtype_name(np.float32)
    'float32'
    """
    return str(dtype).rsplit(".", 1)[-1].removesuffix("'>")


def to_numpy_dtype(dtype: Any) -> np.dtype:
    """NumPy's dtype of the same name as a dtype of any library."""
    return np.dtype(dtype_name(dtype))
