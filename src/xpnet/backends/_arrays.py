"""Questions about arrays of any library: which library, its namespace, host copies, writes, dtypes.

Each answer finds the :class:`~xpnet.backends._base.Library` of the array (remembered per array
type, so the layers' lookups at every step cost a dictionary lookup) and asks it.
array-api-compat answers what it can: the namespace, ``is_writeable_array``, the ``is_*_namespace``
tests the classes use.
"""

from __future__ import annotations

import contextlib
from typing import Any

import array_api_compat
import numpy as np
from array_api_compat import device as device_of
from array_api_compat import is_writeable_array

from ._base import NOTHING, STANDARD, Array, Library, Namespace
from ._cupy import CuPy
from ._dask import Dask
from ._jax import Jax
from ._numpy import NumPy
from ._strict import Strict
from ._torch import Torch

LIBRARIES: dict[str, Library] = {
    library.name: library for library in (NumPy(), CuPy(), Torch(), Strict(), Jax(), Dask())
}
BACKENDS = tuple(LIBRARIES)
LAZY_BACKENDS = tuple(name for name, library in LIBRARIES.items() if library.lazy)
IMMUTABLE = tuple(name for name, library in LIBRARIES.items() if library.immutable)

_NAMESPACE_OF_TYPE: dict[type, Namespace] = {}
_LIBRARY_OF_TYPE: dict[type, Library | None] = dict.fromkeys(  # host data: no library to ask
    (list, tuple, int, float, bool, complex, type(None))
)


def array_namespace(*arrays: Any) -> Namespace:
    """``array_api_compat.array_namespace``, remembered per array type.

    The layers ask for the namespace of their inputs at every step; compat's lookup costs about
    4 us (more on array-api-strict), a dictionary lookup well under 1 us. Arrays of mixed types
    (or Python numbers) take compat's own path, which raises for two libraries.

    Parameters
    ----------
    *arrays : array
        One or more arrays of one library.

    Returns
    -------
    namespace

    Raises
    ------
    TypeError
        For arrays of two libraries, or no array.

    Examples
    --------
    >>> import numpy as np
    >>> array_namespace(np.zeros(2)).__name__
    'array_api_compat.numpy'
    """
    kind = type(arrays[0])
    for other in arrays[1:]:
        if type(other) is not kind:
            return array_api_compat.array_namespace(*arrays)
    xp = _NAMESPACE_OF_TYPE.get(kind)
    if xp is None:
        xp = _NAMESPACE_OF_TYPE[kind] = array_api_compat.array_namespace(arrays[0])
    return xp


def namespace_name(xp: Namespace) -> str:
    """The backend name of an array namespace (compat-wrapped or not).

    Raises
    ------
    TypeError
        For a library's name given as a string (xp="torch") instead of its module.
    ValueError
        For a namespace of a library xpnet has no backend for.

    Examples
    --------
    >>> import numpy as np
    >>> namespace_name(np)
    'numpy'
    """
    if isinstance(xp, str):
        raise TypeError(
            f"xp must be an array namespace, a module such as numpy or torch; got the string"
            f" {xp!r}. Pass the module (import {xp}; xp={xp}), or name the library with"
            f" xpnet.get_backend('cpu', backend={xp!r})"
        )
    for name, library in LIBRARIES.items():
        if library.owns_namespace(xp):
            return name
    raise ValueError(f"unsupported array namespace {xp!r}; expected one of {', '.join(BACKENDS)}")


def library_for(a: Any) -> Library | None:
    """The :class:`Library` of an array; None for host data (lists, numbers) and for arrays of
    libraries xpnet has no backend for. Remembered per type."""
    kind = type(a)
    if kind not in _LIBRARY_OF_TYPE:
        try:
            library = LIBRARIES[namespace_name(array_api_compat.array_namespace(a))]
        except (TypeError, ValueError):
            library = None
        _LIBRARY_OF_TYPE[kind] = library
    return _LIBRARY_OF_TYPE[kind]


def library_of(a: Any) -> str | None:
    """The backend name of an array's library ("numpy", "torch", ...), or None (see
    :func:`library_for`).

    Examples
    --------
    >>> import numpy as np
    >>> library_of(np.zeros(2)), library_of([1.0])
    ('numpy', None)
    """
    library = library_for(a)
    return None if library is None else library.name


def _library_or_raise(x: Array) -> Library:
    library = library_for(x)
    return library if library is not None else LIBRARIES[namespace_name(array_namespace(x))]


# -- moving data ---------------------------------------------------------------------------------


def to_numpy(x: Any) -> np.ndarray:
    """A host NumPy copy (or the array itself, for NumPy) of an array of any backend.

    Parameters
    ----------
    x : array of any backend, or array-like
        On any device; a lazy (Dask) array is computed.

    Returns
    -------
    numpy.ndarray
        x's values on the host, in x's dtype.

    Examples
    --------
    >>> to_numpy([1.0, 2.0])
    array([1., 2.])
    """
    if isinstance(x, np.ndarray | np.generic):
        return np.asarray(x)
    library = library_for(x)
    return np.asarray(x) if library is None else library.to_numpy(x)


def compute(*arrays: Any) -> tuple:
    """The values of arrays (or Python numbers) as host NumPy arrays, in one go.

    Lazy arrays (Dask) are computed together in ONE compute, so work they share (a forward pass
    over the data, say) runs once and the data is read once, on the workers of the current
    scheduler; only the results come back. Other arrays are copied to the host one by one.

    Examples
    --------
    >>> import numpy as np
    >>> compute(np.ones(2), 3.0)
    (array([1., 1.]), array(3.))
    """
    libraries = [library_for(a) for a in arrays]
    for lazy in {library for library in libraries if library is not None and library.lazy}:
        arrays = lazy.compute(arrays)
    return tuple(
        np.asarray(a) if library is None else to_numpy(a)
        for a, library in zip(arrays, libraries, strict=True)
    )


def host_rng(seed: int | None = None) -> np.random.Generator:
    """The seeded host random generator: weights and batch indices are drawn here, then moved,
    so one seed gives the same run on every backend.

    Examples
    --------
    >>> host_rng(3).integers(10, size=3).tolist() == host_rng(3).integers(10, size=3).tolist()
    True
    """
    return np.random.default_rng(seed)


# -- writing one element: in place, or a new array where arrays are immutable --------------------


def writes_in_place(x: Array) -> bool:
    """Whether ``x[index] = value`` can write into x: ``array_api_compat.is_writeable_array``
    (False for JAX's immutable arrays and read-only NumPy arrays)."""
    return is_writeable_array(x)


def updated(x: Array, index: Any, value: Any) -> Array:
    """x with ``x[index] = value``: written into x where the library allows it (x itself is
    returned), a new array otherwise (JAX: ``x.at[index].set(value)``).

    Use the result, never x: ``grad = updated(grad, idx, g)`` reads the same on every library.
    xpnet's one functional-update mechanism (DESIGN.md, decision 9). array-api-extra's ``at()``
    does the same and more, but needs Python 3.11 while xpnet supports 3.10.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros(3)
    >>> updated(x, 1, 5.0) is x, x.tolist()
    (True, [0.0, 5.0, 0.0])
    """
    return (library_for(x) or STANDARD).updated(x, index, value)


# -- where arrays are ----------------------------------------------------------------------------


def on_device_of(x: Array) -> contextlib.AbstractContextManager:
    """The context of ``Backend.activate`` for the backend and device x lives on (for the
    gradient routines, which take arrays, not a Backend). Nothing is entered for libraries
    that honour ``device=``, nor for libraries xpnet has no backend for."""
    library = library_for(x)
    if library is None or not library.enters_device:
        return NOTHING
    return library.enter(device_of(x))


def on_gpu(x: Array) -> bool:
    """Whether x lives on a GPU: a CuPy array, a torch tensor on a CUDA device, or a JAX array on
    a GPU (metadata only).

    Examples
    --------
    >>> import numpy as np
    >>> on_gpu(np.zeros(3))
    False
    """
    library = library_for(x)
    return library is not None and library.on_gpu(x)


def synchronize(x: Array) -> None:
    """Wait for the device that holds x (no-op on CPU; on JAX, until x itself is computed).

    Time GPU work with it: a GPU library returns before its kernels finish.

    Parameters
    ----------
    x : array
        An array of any backend, on the device to wait for.

    Raises
    ------
    TypeError
        When x is no array of a known library.
    """
    _library_or_raise(x).wait(x, device_of(x))
