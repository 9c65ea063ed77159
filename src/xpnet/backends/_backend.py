"""Backend: an array namespace and a device, and the questions asked of one.

A Backend is a frozen pair (plus the backend's name); each question it answers is passed to its
library's class (:attr:`Backend.library`, one of ``LIBRARIES``), so this module names no library.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from array_api_compat import device as device_of
from array_api_compat import to_device

from ._arrays import LIBRARIES, array_namespace, library_for, namespace_name, to_numpy
from ._base import Array, Library, Namespace
from ._dtypes import resolve_dtype, to_numpy_dtype


@dataclass(frozen=True)
class Backend:
    """An array namespace and a device: where xpnet's arrays live.

    Parameters
    ----------
    name : str
        One of ``BACKENDS``; its :class:`Library` is :attr:`library`.
    xp : namespace
        The array-api-compat namespace.
    device : object
        That library's device object: ``"cpu"`` for NumPy, a ``torch.device``, a
        ``cupy.cuda.Device``, ...

    Examples
    --------
    >>> from xpnet import get_backend
    >>> backend = get_backend("cpu")
    >>> str(backend), backend.device_text, backend.lazy
    ('numpy:cpu', 'cpu', False)
    """

    name: str
    xp: Namespace
    device: Any

    @property
    def library(self) -> Library:
        """The class that answers for this backend's library (:mod:`xpnet.backends._base`)."""
        return LIBRARIES[self.name]

    def asarray(self, a: Any, dtype: Any = None) -> Array:
        """Put data on this backend's device.

        Parameters
        ----------
        a : array_like
            Host data (a NumPy array, list or number) or an array of any library on any device.
            An array of this backend's own library moves with the library's own copy (GPU to
            GPU stays on the GPUs); an array of another library goes through the host, one copy.
        dtype : str or dtype, optional
            "float32", "float64", a dtype of this namespace, or None to keep a's dtype.

        Returns
        -------
        array
            An array of this backend's namespace on its device.

        Examples
        --------
        >>> from xpnet import get_backend
        >>> get_backend("cpu").asarray([1, 2], dtype="float32").dtype
        dtype('float32')
        """
        library = LIBRARIES[self.name]
        if isinstance(a, np.ndarray):  # host data, the common case
            host = a
        elif library_for(a) is library:  # its own array, maybe on another of its devices
            with library.enter(self.device):
                if device_of(a) != self.device:
                    a = to_device(a, self.device)
                if dtype is not None:
                    a = self.xp.astype(a, resolve_dtype(self.xp, dtype), copy=False)
                return a
        else:
            host = to_numpy(a)
        if dtype is not None:
            host = host.astype(to_numpy_dtype(resolve_dtype(self.xp, dtype)), copy=False)
        return library.from_host(self.xp, host, self.device)

    def activate(self):
        """A context in which new arrays and kernels land on this backend's device.

        CuPy places them on its current GPU whatever ``device=`` says (through array-api-compat),
        so for CuPy this makes ``self.device`` current; other libraries honour ``device=`` and
        get a context that does nothing. Entered where work begins, not in every function.

        Returns
        -------
        context manager
            Enter it with ``with``; it makes this backend's device current while it is open.

        Examples
        --------
        >>> from xpnet import get_backend
        >>> backend = get_backend("cpu")
        >>> with backend.activate():
        ...     backend.asarray([1.0, 2.0]).tolist()
        [1.0, 2.0]
        """
        return self.library.enter(self.device)

    @property
    def lazy(self) -> bool:
        """Whether this backend's arrays are lazy graphs (Dask): work runs only at a compute,
        each compute re-reads the data, and data-dependent shapes are unknown."""
        return self.library.lazy

    @property
    def compiles(self) -> bool:
        """Whether the library compiles pure functions of arrays (JAX does; the others run
        eagerly)."""
        return self.library.compiles

    def compile(
        self, function: Callable, arguments: tuple, *, donate: tuple[int, ...] = ()
    ) -> Callable:
        """function compiled by the library ahead of its first call, for arguments' shapes and
        dtypes (JAX: ``jax.jit(...).lower(*arguments).compile(...)``, with xpnet's compiler
        options for this device); only where :attr:`compiles`.

        Parameters
        ----------
        function : callable
            A pure function: arrays in, arrays out, no side effects.
        arguments : tuple
            Arguments of the calls to come (their values are not used, only what a compiled
            program fixes of them).
        donate : tuple of int
            The positions of arguments whose buffers the result may reuse (they are invalid
            after the call).

        Returns
        -------
        callable
            The compiled program: call it with arguments of the same shapes and dtypes as
            ``arguments``; it returns what function returns.

        Raises
        ------
        ValueError
            When the library runs eagerly (every backend but JAX).

        Examples
        --------
        >>> from xpnet import get_backend
        >>> backend = get_backend("cpu")
        >>> backend.compiles
        False
        >>> backend.compile(lambda x: 2 * x, (backend.asarray([1.0]),))
        Traceback (most recent call last):
        ...
        ValueError: backend 'numpy' does not compile; it runs eagerly
        """
        return self.library.compile(function, arguments, donate, self.device)

    def synchronize(self) -> None:
        """Wait until queued work on the device has finished (a no-op on CPU). JAX has no such
        barrier: wait for a result instead, with :func:`synchronize` (``block_until_ready``)."""
        self.library.synchronize(self.device)

    def quiet_overflow(self):
        """A context where overflow to inf/NaN is not warned about (the trainer reports it).

        Returns
        -------
        context manager
            Enter it with ``with``; the library's floating-point warnings (overflow, invalid,
            divide by zero) are off while it is open, for libraries that warn (NumPy and
            array-api-strict), and it does nothing for the others.

        Examples
        --------
        >>> from xpnet import get_backend
        >>> backend = get_backend("cpu")
        >>> with backend.quiet_overflow():
        ...     float(backend.xp.exp(backend.asarray([1000.0]))[0])
        inf
        """
        return self.library.quiet_overflow()

    @property
    def device_text(self) -> str:
        """The device as a user types it (``device=``, ``--device``): "cpu", "cuda:1",
        "device1"; ``get_backend(backend.device_text, backend=backend.name)`` gives it back."""
        return self.library.device_text(self.device)

    def describe(self) -> str:
        """One line for logs: backend, device and, on a GPU, its name.

        Returns
        -------
        str
            ``"backend <name>, device <device_text>"``, followed by the GPU's model name in
            parentheses where the device is a GPU.

        Examples
        --------
        >>> from xpnet import get_backend
        >>> get_backend("cpu").describe()
        'backend numpy, device cpu'
        """
        text = f"backend {self.name}, device {self.device_text}"
        gpu = self.library.gpu_name(self.device)
        return f"{text} ({gpu})" if gpu else text

    def __str__(self) -> str:
        return f"{self.name}:{self.device_text}"


def backend_of(x: Array) -> Backend:
    """The Backend an array lives on.

    Examples
    --------
    >>> import numpy as np
    >>> str(backend_of(np.zeros(2)))
    'numpy:cpu'
    """
    xp = array_namespace(x)
    return Backend(namespace_name(xp), xp, device_of(x))


def on_own_device(method: Callable) -> Callable:
    """Decorate a method of an object that has a ``backend``: the method runs inside
    ``self.backend.activate()`` (the networks' public methods use it)."""

    @functools.wraps(method)
    def run_on_own_device(self, *args, **kwargs):
        backend = self.backend
        if not LIBRARIES[backend.name].enters_device:  # the common case: nothing to enter
            return method(self, *args, **kwargs)
        with backend.activate():
            return method(self, *args, **kwargs)

    return run_on_own_device


def device_name(backend: Backend) -> str:
    """The device as a user types it: "cpu", "cuda:1" (not CuPy's "<CUDA Device 1>"); the
    same as ``backend.device_text``."""
    return backend.device_text


def gpu_name(backend: Backend) -> str | None:
    """The model name of the backend's GPU, or None on the CPU."""
    return backend.library.gpu_name(backend.device)
