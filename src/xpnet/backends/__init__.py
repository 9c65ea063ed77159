"""Where xpnet's arrays live: :class:`Backend`, :func:`get_backend`, and the namespace helpers.

Everything else in xpnet takes its namespace from the arrays it is given. This package turns what
a user types (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"auto"``, and optionally a backend name)
into a :class:`Backend` -- an array namespace and a device -- and answers the few questions that
cannot be array-generic. Each library's answers are one class in its own module (``_numpy.py``,
``_cupy.py``, ``_torch.py``, ``_jax.py``, ``_dask.py``, ``_strict.py``; the questions are the
attributes of :class:`~xpnet.backends._base.Library`); nothing outside this package tests a
library's name. This module finds the class of a name, a namespace, a device or an array, and
asks it: :class:`Backend` is in ``_backend.py``, the helpers on arrays (which library, its
namespace, host copies, writes) in ``_arrays.py``, the dtypes in ``_dtypes.py``.

Entering a device: CuPy puts new arrays on its *current* GPU whatever ``device=`` says, so work
on ``cuda:1`` runs inside :meth:`Backend.activate` (or :func:`on_device_of` an array), entered
where work begins -- the Trainer's run, the networks' public methods, the gradient routines --
and nowhere else. For other libraries it enters nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from typing import Any

from array_api_compat import device as device_of

from ..errors import Use
from ._arrays import (
    BACKENDS,
    IMMUTABLE,
    LAZY_BACKENDS,
    LIBRARIES,
    array_namespace,
    compute,
    host_rng,
    library_for,
    library_of,
    namespace_name,
    on_device_of,
    on_gpu,
    synchronize,
    to_numpy,
    updated,
    writes_in_place,
)
from ._backend import Backend, backend_of, device_name, gpu_name, on_own_device
from ._base import (
    Array,
    DeviceFallbackWarning,
    DeviceUnavailableError,
    Float64Notice,
    Library,
    Namespace,
    warn,
)
from ._cupy import CUDA_HINT
from ._dtypes import DTYPES, dtype_name, resolve_dtype, to_numpy_dtype
from ._strict import API_VERSION as STRICT_API_VERSION

# The public API, documented on docs/api/backends.md. The other names imported above are the
# switchboard's answers for the rest of xpnet (``from ..backends import compute``): importable,
# not public API, so not listed (pyproject.toml tells ruff that they are re-exports).
__all__ = [
    "BACKENDS",
    "Array",
    "Backend",
    "DeviceFallbackWarning",
    "DeviceUnavailableError",
    "Float64Notice",
    "Namespace",
    "available",
    "get_backend",
    "synchronize",
    "to_numpy",
]

_CUDA = re.compile(r"^cuda(?::(\d+))?$")
AUTO = ("cupy", "torch")  # device="auto" tries their GPUs, in this order


def get_backend(device: Any = None, *, backend: str | None = None, xp: Namespace = None) -> Backend:
    """Resolve a device (and optionally a backend name or namespace) to a :class:`Backend`.

    Parameters
    ----------
    device : str or device object, optional
        "cpu", "cuda", "cuda:N", "auto", a device object of the chosen library, or None (the
        namespace's default device: CuPy's current GPU, else the CPU). "auto" takes the first
        usable GPU, else the CPU; where a GPU is there but unusable it warns once
        (DeviceFallbackWarning) saying why. With ``backend=`` named, "auto" is that library's
        GPU, else its CPU; never another library (CuPy, GPU-only, is its GPU or refused).
    backend : str, optional
        One of ``BACKENDS``; by default "cpu" means NumPy and "cuda" means CuPy. "dask"
        (lazy, on the CPU of whichever scheduler computes it) takes "cpu" only. The first JAX
        backend turns on ``jax_enable_x64`` (a Float64Notice says so) unless it is on already.
    xp : namespace, optional
        A namespace instead of a backend name.

    Returns
    -------
    Backend

    Raises
    ------
    ValueError
        For an unknown device or backend name, or a device the library lacks.
    DeviceUnavailableError
        When the library is not installed, sees no GPU, or cannot run on the GPU it sees
        (CuPy without CUDA's compiler NVRTC or cuBLAS).

    Examples
    --------
    >>> get_backend("cpu").name
    'numpy'
    """
    if xp is not None:
        if backend is not None:
            raise ValueError("give either backend= or xp=, not both")
        backend = namespace_name(xp)
    if backend is not None and backend not in LIBRARIES:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if device is not None and not isinstance(device, str):
        library = LIBRARIES[backend] if backend else _library_of_device(device)
        return Backend(library.name, library.namespace(), device)
    if device == "auto":
        return _auto(backend)
    cuda = _CUDA.match(device) if device is not None else None
    if backend is None:
        backend = "cupy" if cuda else "numpy"  # xpnet's defaults; "numpy" refuses other text
    library = LIBRARIES[backend]
    if device is not None and device != "cpu" and not cuda:
        where = library.other_device(device)
    else:
        where = library.device(device, int(cuda.group(1) or 0) if cuda else None)
    return Backend(backend, library.namespace(), where)


def _auto(backend: str | None) -> Backend:
    """The first usable GPU, else the CPU. A GPU that is there but cannot be used is named once,
    in a DeviceFallbackWarning. A backend named is used or refused, never swapped for another:
    one that runs on a GPU only (CuPy) gives its GPU or raises."""
    if backend is not None and not LIBRARIES[backend].cpu:
        library = LIBRARIES[backend]
        try:
            importlib.import_module(library.module)
        except ImportError:
            raise DeviceUnavailableError(
                "backend {backend} needs {title}, which is not installed: {hint}, or use {cpu}",
                backend=repr(backend),
                title=library.title,
                hint=library.install_hint(),
                cpu=Use("backend", "numpy"),
            ) from None
        return get_backend("cuda", backend=backend)
    for name in [backend] if backend else AUTO:
        try:
            return get_backend("cuda", backend=name)
        except DeviceUnavailableError as error:
            if error.gpu_seen:
                warn(
                    DeviceFallbackWarning(
                        "device 'auto' found a GPU but cannot use it: {error}; using the CPU",
                        error=error,
                    )
                )
        except ValueError:
            continue
    return get_backend("cpu", backend=backend if backend and LIBRARIES[backend].cpu else None)


def _library_of_device(device: Any) -> Library:
    for library in LIBRARIES.values():
        if library.owns_device(device):
            return library
    raise ValueError(
        f"cannot tell the backend of device {device!r}; pass backend= or a device string"
    )


def available() -> list[dict]:
    """What each backend looks like on this machine: installed, its version, GPUs seen.

    Returns
    -------
    list of dict
        One row a backend: ``backend``, ``installed``, ``version``, ``gpus`` (names), and
        ``error`` (a broken install), ``problem`` (why an installed library cannot compute
        here: CuPy without a usable GPU) and ``warning`` (an install that breaks itself: two
        CuPy packages) where there is one.

    Examples
    --------
    >>> [row["backend"] for row in available()][:2]
    ['numpy', 'cupy']
    """
    rows = []
    for name, library in LIBRARIES.items():
        row: dict[str, Any] = {"backend": name, "installed": False, "version": None, "gpus": []}
        rows.append(row)
        warning = library.install_warning()
        if warning:
            row["warning"] = warning
        if importlib.util.find_spec(library.module) is None:
            continue
        try:
            module = importlib.import_module(library.module)
        except Exception as error:  # a broken install is worth reporting, not raising
            row["error"] = f"{type(error).__name__}: {error}"
            continue
        row["installed"] = True
        row["version"] = getattr(module, "__version__", "?")
        try:
            row["gpus"] = library.gpus(module)
        except Exception:
            row["gpus"] = []
        problem = library.problem(module, len(row["gpus"]))  # why it cannot compute here
        if problem:
            row["problem"] = problem
    return rows
