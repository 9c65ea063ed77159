"""The backend switchboard: the one module that knows backend names.

Everything else in xpnet takes its namespace from the arrays it is given. This module turns what a
user types (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"auto"``, and optionally a backend name) into a
:class:`Backend` -- an array namespace and a device -- and owns the few things that cannot be
array-generic: importing CuPy, PyTorch or JAX, checking that CuPy can really run on a GPU, moving
data between devices, entering a device where a library needs it, the seeded host random generator,
and synchronizing a device for honest timing. It also answers, once for every library, the two
questions immutable arrays (JAX) raise: how to write ``x[index] = value`` (:func:`updated`) and
whether a step can be compiled (:meth:`Backend.compile`).

Entering a device: array-api-compat drops ``device=`` for CuPy's creation functions (``zeros``,
``arange``, ``*_like``...; compat issue #337), which put new arrays on CuPy's *current* GPU, and
every CuPy kernel runs there too. So work on ``cuda:1`` runs inside :meth:`Backend.activate` (or
:func:`on_device_of` an array), entered where work begins -- the Trainer's run, the networks'
public methods, the gradient routines -- and nowhere else. For other libraries it enters nothing.

Read it top to bottom: names and errors, then :func:`get_backend`, then the helpers on arrays.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import array_api_compat
import numpy as np
from array_api_compat import device as device_of

from ..errors import Explained, Use, XpnetValueError

Array = Any  # an array of any Array API library
Namespace = Any  # an array-api-compat namespace

_NAMESPACE_OF_TYPE: dict[type, Namespace] = {}


def array_namespace(*arrays: Any) -> Namespace:
    """array_api_compat.array_namespace, remembered per array type.

    The layers ask for the namespace of their inputs at every step; the lookup of compat costs
    about 8 us (30 us on array-api-strict), a dictionary lookup well under 1 us. Arrays of mixed
    types (or Python numbers) take compat's own path, which raises for two libraries.
    """
    kind = type(arrays[0])
    for other in arrays[1:]:
        if type(other) is not kind:
            return array_api_compat.array_namespace(*arrays)
    xp = _NAMESPACE_OF_TYPE.get(kind)
    if xp is None:
        xp = _NAMESPACE_OF_TYPE[kind] = array_api_compat.array_namespace(arrays[0])
    return xp


BACKENDS = ("numpy", "cupy", "torch", "array_api_strict", "jax", "dask")
STRICT_API_VERSION = "2024.12"
CUDA_HINT = 'pip install "xpnet[cuda12]" (or "xpnet[cuda13]" for CUDA 13)'
_CUDA = re.compile(r"^cuda(?::(\d+))?$")


class DeviceUnavailableError(Explained, RuntimeError):
    """The requested device or backend exists but cannot be used on this machine.

    ``gpu_seen`` is True when a GPU is there but the library cannot use it (CUDA's libraries
    missing, say): ``--device auto`` then says so once before it falls back to the CPU.
    The message is a template with fields (:mod:`xpnet.errors`).
    """

    def __init__(self, message: str, /, *, gpu_seen: bool = False, **fields) -> None:
        super().__init__(message, **fields)
        self.gpu_seen = gpu_seen


class DeviceFallbackWarning(Explained, UserWarning):
    """``device="auto"`` found a GPU it could not use and chose the CPU instead."""


class Float64Notice(UserWarning):
    """xpnet turned on JAX's ``jax_enable_x64`` (once per process), which float64 needs."""


@dataclass(frozen=True)
class Backend:
    """An array namespace and a device: where xpnet's arrays live.

    name: one of ``BACKENDS``; xp: the array-api-compat namespace; device: that library's device
    object (``"cpu"`` for NumPy, a ``torch.device``, a ``cupy.cuda.Device``, ...).
    """

    name: str
    xp: Namespace
    device: Any

    def asarray(self, a, dtype=None) -> Array:
        """Put data on this backend's device: host data (a NumPy array, list or number) or an
        array of any library on any device (a CuPy array, a CUDA tensor, ...).

        An array of this backend's own library moves with the library's own copy (GPU to GPU
        stays on the GPUs); an array of another library goes through the host, one copy.
        dtype: "float32", "float64", a dtype of this namespace, or None to keep a's dtype.
        """
        if self.name != "numpy" and library_of(a) == self.name:
            with self.activate():
                if device_of(a) != self.device:
                    a = array_api_compat.to_device(a, self.device)
                if dtype is not None:
                    a = self.xp.astype(a, resolve_dtype(self.xp, dtype), copy=False)
                return a
        a = to_numpy(a)
        if dtype is not None:
            a = a.astype(to_numpy_dtype(resolve_dtype(self.xp, dtype)), copy=False)
        if self.name == "numpy":
            return a
        if self.name == "torch" and self.device.type == "cpu":  # a copy: never share host memory
            return self.xp.asarray(a, device=self.device, copy=True)
        return self.xp.asarray(a, device=self.device)

    def activate(self):
        """A context in which new arrays and kernels land on this backend's device.

        CuPy places them on its current GPU whatever ``device=`` says (through array-api-compat),
        so for CuPy this makes ``self.device`` current; other libraries honour ``device=`` and
        get a context that does nothing. Entered where work begins, not in every function.
        """
        return _device_context(self.name, self.device)

    @property
    def lazy(self) -> bool:
        """Whether this backend's arrays are lazy graphs (Dask): work runs only at a compute,
        each compute re-reads the data, and data-dependent shapes are unknown."""
        return self.name in LAZY_BACKENDS

    def synchronize(self) -> None:
        """Wait until queued work on the device has finished (a no-op on CPU). JAX has no such
        barrier: wait for a result instead, with :func:`synchronize` (``block_until_ready``)."""
        if self.name == "cupy":
            with self.device:
                _import("cupy").cuda.get_current_stream().synchronize()
        elif self.name == "torch" and self.device.type == "cuda":
            _import("torch").cuda.synchronize(self.device)

    def quiet_overflow(self):
        """A context where overflow to inf/NaN is not warned about (the trainer reports it)."""
        if self.name in ("numpy", "array_api_strict"):
            return np.errstate(over="ignore", invalid="ignore", divide="ignore")
        return contextlib.nullcontext()

    @property
    def compiles(self) -> bool:
        """Whether the library compiles pure functions of arrays (JAX does; the others run
        eagerly)."""
        return self.name == "jax"

    def compile(self, function: Callable, *, donate: tuple[int, ...] = ()) -> Callable:
        """function compiled by the library (JAX: ``jax.jit``); only where ``compiles``.
        function must be pure: arrays in, arrays out, no side effects. donate: the positions of
        arguments whose buffers the result may reuse (they are invalid after the call)."""
        if not self.compiles:
            raise ValueError(f"backend {self.name!r} does not compile; it runs eagerly")
        return _import("jax").jit(function, donate_argnums=donate)

    def describe(self) -> str:
        """One line for logs: backend, device and, on a GPU, its name."""
        text = f"backend {self.name}, device {device_name(self)}"
        gpu = gpu_name(self)
        return f"{text} ({gpu})" if gpu else text

    def __str__(self) -> str:
        return f"{self.name}:{device_name(self)}"


LAZY_BACKENDS = ("dask",)  # arrays are task graphs; see Backend.lazy and compute()


def compute(*arrays: Any) -> tuple:
    """The values of arrays (or Python numbers) as host NumPy arrays, in one go.

    Lazy arrays (Dask) are computed together in ONE compute, so work they share (a forward pass
    over the data, say) runs once and the data is read once, on the workers of the current
    scheduler; only the results come back. Other arrays are copied to the host one by one.

    >>> import numpy as np
    >>> compute(np.ones(2), 3.0)
    (array([1., 1.]), array(3.))
    """
    if any(library_of(a) in LAZY_BACKENDS for a in arrays):
        import dask

        arrays = dask.compute(*arrays)
    return tuple(to_numpy(a) if library_of(a) else np.asarray(a) for a in arrays)


def _enter_current_device(device):
    return device  # a cupy.cuda.Device is a context manager that makes it the current GPU


# Libraries whose creation functions ignore device= and use a current device instead: backend
# name -> a function of the device that returns the context making it current.
DEVICE_CONTEXTS: dict[str, Callable[[Any], contextlib.AbstractContextManager]] = {
    "cupy": _enter_current_device,
}


def _device_context(name: str | None, device: Any) -> contextlib.AbstractContextManager:
    enter = DEVICE_CONTEXTS.get(name)
    return contextlib.nullcontext() if enter is None else enter(device)


def on_device_of(x: Array) -> contextlib.AbstractContextManager:
    """The context of :meth:`Backend.activate` for the backend and device x lives on (for the
    gradient routines, which take arrays, not a Backend). Nothing is entered for libraries
    xpnet has no backend for."""
    return _device_context(library_of(x), device_of(x))


def on_own_device(method: Callable) -> Callable:
    """Decorate a method of an object that has a ``backend``: the method runs inside
    ``self.backend.activate()`` (the networks' public methods use it)."""

    @functools.wraps(method)
    def run_on_own_device(self, *args, **kwargs):
        backend = self.backend
        if backend.name not in DEVICE_CONTEXTS:  # the common case: nothing to enter
            return method(self, *args, **kwargs)
        with backend.activate():
            return method(self, *args, **kwargs)

    return run_on_own_device


def get_backend(device: Any = None, *, backend: str | None = None, xp: Namespace = None) -> Backend:
    """Resolve a device (and optionally a backend name or namespace) to a :class:`Backend`.

    device: "cpu", "cuda", "cuda:N", "auto", a device object of the chosen library, or None (the
    namespace's default device: CuPy's current GPU, else the CPU; "cpu" when nothing else is
    given). backend: "numpy", "cupy", "torch", "array_api_strict", "jax" or "dask"; by default
    "cpu" means NumPy and "cuda" means CuPy; "dask" (dask.array, lazy, on the CPU of whichever
    scheduler computes it) takes "cpu" only. xp: a namespace instead of a backend name. The first
    JAX backend turns on ``jax_enable_x64`` (a Float64Notice says so) unless it is on already.

    Raises ValueError for an unknown device or backend name, DeviceUnavailableError when the
    library is not installed, sees no GPU, or cannot run on the GPU it sees (CuPy without CUDA's
    compiler NVRTC or cuBLAS). "auto" takes the first usable GPU, else the CPU; where a GPU is
    there but unusable it warns once (DeviceFallbackWarning) saying why.

    >>> get_backend("cpu").name
    'numpy'
    """
    if xp is not None:
        if backend is not None:
            raise ValueError("give either backend= or xp=, not both")
        backend = namespace_name(xp)
    if backend is not None and backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if device is not None and not isinstance(device, str):
        name = backend or _name_of_device_object(device)
        return Backend(name, _namespace(name), device)
    if device == "auto":
        return _auto(backend)
    if device is None:
        device = "cuda" if backend == "cupy" else "cpu"
        index = None  # CuPy: its current GPU
    elif device == "cpu" or _CUDA.match(device):
        index = int(_CUDA.match(device).group(1) or 0) if device != "cpu" else None
    elif backend == "array_api_strict":
        return Backend(backend, _namespace(backend), _strict_device(device))
    else:
        raise ValueError(f"unknown device {device!r}; expected 'cpu', 'cuda', 'cuda:N' or 'auto'")
    if backend is None:
        backend = "numpy" if device == "cpu" else "cupy"
    return _make(backend, device, index)


def _make(backend: str, device: str, index: int | None) -> Backend:
    """The Backend of a device string; index: N of "cuda:N" (None for "cpu"; for CuPy's "cuda"
    given by device=None, its current GPU)."""
    on_gpu = device != "cpu"
    if backend in ("numpy", "array_api_strict", "dask"):
        if on_gpu:
            raise XpnetValueError(
                "backend {backend} runs on the CPU only; got device {device}. Use {cpu}, or"
                " {cupy} or {torch} for a GPU",
                backend=repr(backend),
                device=repr(device),
                cpu=Use("device", "cpu"),
                cupy=Use("backend", "cupy"),
                torch=Use("backend", "torch"),
            )
        xp = _namespace(backend)
        strict = backend == "array_api_strict"
        return Backend(backend, xp, _strict_device("cpu") if strict else "cpu")
    if backend == "cupy":
        if not on_gpu:
            raise XpnetValueError(
                "backend 'cupy' runs on a GPU only; got device {device}. For the CPU use"
                " {numpy} or {torch}; for a GPU, {cuda} or {cuda_n}",
                device=repr(device),
                numpy=Use("backend", "numpy"),
                torch=Use("backend", "torch"),
                cuda=Use("device", "cuda"),
                cuda_n=Use("device", "cuda:N"),
            )
        cupy = _import("cupy", device)
        count = _cuda_device_count(cupy)
        if index is None:
            index = cupy.cuda.runtime.getDevice() if count else 0
        if index >= count:
            raise DeviceUnavailableError(
                "device {device} needs an NVIDIA GPU, but CuPy sees {count} ({problem}): use {cpu}",
                device=repr(device),
                count=count,
                problem=_cupy_problem or "no device with that index",
                cpu=Use("device", "cpu"),
            )
        problem = _cupy_runs_on(cupy, index)
        if problem:
            raise DeviceUnavailableError(
                "device {device}: CuPy sees {count} GPU(s) but cannot run on GPU {index}:"
                " {problem}. Install CuPy with CUDA's libraries: {hint}, which bring CuPy's"
                " [ctk] extra; or use {cpu}",
                gpu_seen=True,
                device=repr(device),
                count=count,
                index=index,
                problem=problem,
                hint=CUDA_HINT,
                cpu=Use("device", "cpu"),
            )
        return Backend("cupy", _namespace("cupy", device), cupy.cuda.Device(index))
    if backend == "jax":
        return _make_jax(device, 0 if index is None else index)
    torch = _import("torch")
    xp = _namespace("torch")
    if on_gpu:
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        index = 0 if index is None else index
        if index >= count:
            raise DeviceUnavailableError(
                "device {device} needs a CUDA build of PyTorch and a GPU, but PyTorch sees"
                " {count} (torch {version}): use {cpu}",
                device=repr(device),
                count=count,
                version=torch.__version__,
                cpu=Use("device", "cpu"),
            )
        return Backend("torch", xp, torch.device("cuda", index))
    return Backend("torch", xp, torch.device("cpu"))


def _make_jax(device: str, index: int) -> Backend:
    """JAX on the CPU, or on the CUDA GPU of index ("cuda:N" is JAX's N-th GPU)."""
    jax = _import("jax")
    if device == "cpu":
        return Backend("jax", _namespace("jax"), jax.devices("cpu")[0])
    try:
        gpus = jax.devices("gpu")
    except RuntimeError:  # no GPU platform in this jaxlib, or no GPU
        gpus = []
    if index >= len(gpus):
        raise DeviceUnavailableError(
            "device {device} needs a CUDA build of JAX and a GPU, but JAX sees {count}"
            ' (jax {version}): pip install "jax[cuda12]", or use {cpu}',
            device=repr(device),
            count=len(gpus),
            version=jax.__version__,
            cpu=Use("device", "cpu"),
        )
    return Backend("jax", _namespace("jax"), gpus[index])  # float64 turned on once it can run


def _auto(backend: str | None) -> Backend:
    """The first usable GPU, else the CPU; the Backend's describe() says which was chosen. A GPU
    that is there but cannot be used is named once, in a DeviceFallbackWarning."""
    candidates = [backend] if backend else ["cupy", "torch"]
    for name in candidates:
        try:
            return get_backend("cuda", backend=name)
        except DeviceUnavailableError as error:
            if error.gpu_seen:
                warnings.warn(
                    DeviceFallbackWarning(
                        "device 'auto' found a GPU but cannot use it: {error}; using the CPU",
                        error=error,
                    ),
                    stacklevel=3,
                )
        except ValueError:
            continue
    return get_backend("cpu", backend=None if backend in (None, "cupy") else backend)


_cupy_problem = ""
_cupy_checked: dict[int, str] = {}  # GPU index -> "" (CuPy runs there) or what is missing


def _cuda_device_count(cupy) -> int:
    global _cupy_problem
    try:
        return cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CUDARuntimeError: no driver, no device
        _cupy_problem = f"{type(error).__name__}: {error}"
        return 0


def _cupy_runs_on(cupy, index: int) -> str:
    """What keeps CuPy from running on GPU index ("" when nothing does), found once per GPU.

    CuPy's wheels load CUDA's libraries only when first used: a machine with a driver but no
    CUDA toolkit counts its GPUs and then fails at the first kernel (NVRTC compiles CuPy's
    kernels) or the first matrix product (cuBLAS). So both are tried here, on a 2x2 array.
    """
    if index not in _cupy_checked:
        problem = ""
        try:
            cupy.cuda.nvrtc.getVersion()
        except Exception as error:  # DynamicLibNotFoundError, ImportError, CUDA errors
            problem = f"NVRTC, CUDA's kernel compiler, cannot be loaded ({_brief(error)})"
        if not problem:
            try:
                with cupy.cuda.Device(index):
                    a = cupy.ones((2, 2), dtype=cupy.float32) + 1  # compiles a kernel
                    if float((a @ a).sum()) != 32.0:  # cuBLAS
                        problem = "a 2x2 matrix product on the GPU gave a wrong result"
            except Exception as error:
                problem = f"a kernel or a cuBLAS matrix product failed ({_brief(error)})"
        _cupy_checked[index] = problem
    return _cupy_checked[index]


def _brief(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


def _import(name: str, device: str = "cuda"):
    try:
        module = importlib.import_module(name)
    except ImportError as error:
        if name == "cupy":
            raise DeviceUnavailableError(
                "device {device} needs CuPy, which is not installed: {hint}, or use {cpu}",
                device=repr(device),
                hint=CUDA_HINT,
                cpu=Use("device", "cpu"),
            ) from error
        if name in ("torch", "jax"):
            library = {"torch": "PyTorch", "jax": "JAX"}[name]
            raise DeviceUnavailableError(
                f'backend "{name}" needs {library}, which is not installed:'
                f' pip install "xpnet[{name}]"'
            ) from error
        if name == "dask":
            raise DeviceUnavailableError(
                'backend "dask" needs Dask, which is not installed: pip install "xpnet[dask]"'
            ) from error
        raise DeviceUnavailableError(
            f"backend {name!r} is not installed: pip install {name.replace('_', '-')}"
        ) from error
    if name == "torch":  # loaded inside a use_threads block: its intra-op pool obeys it too
        from ..threads import limit_torch

        limit_torch(module)
    return module


def _namespace(name: str, device: str = "cuda") -> Namespace:
    if name == "numpy":
        import array_api_compat.numpy as xp
    elif name == "cupy":
        _import("cupy", device)
        import array_api_compat.cupy as xp
    elif name == "torch":
        _import("torch")
        import array_api_compat.torch as xp
    elif name == "jax":
        _enable_float64(_import("jax"))
        import jax.numpy as xp  # JAX's own namespace is the standard's (compat returns it too)
    elif name == "dask":
        _import("dask")
        import array_api_compat.dask.array as xp
    else:
        xp = _import("array_api_strict")
        xp.set_array_api_strict_flags(api_version=STRICT_API_VERSION)
    return xp


def _enable_float64(jax) -> None:
    """Turn on ``jax_enable_x64``, with one Float64Notice, unless it is on already.

    Without it JAX makes every float64 array float32, silently; xpnet's default dtype is float64
    (the book's), and its numerical gradients always work on a float64 copy. The switch is
    global to the process: JAX's default dtypes become 64-bit for the caller's own JAX code too,
    which is why it is announced. Turn it on yourself first
    (``jax.config.update("jax_enable_x64", True)``) to skip the notice.
    """
    if not jax.config.jax_enable_x64:
        jax.config.update("jax_enable_x64", True)
        warnings.warn(
            "xpnet turned on jax_enable_x64 for float64 (its default dtype, and the numerical"
            " gradient's): JAX's default dtypes are 64-bit in this process from now on",
            Float64Notice,
            stacklevel=6,  # the caller of get_backend
        )


def _strict_device(device: Any):
    strict = _import("array_api_strict")
    if device in (None, "cpu"):
        return strict.Device("CPU_DEVICE")
    try:
        return strict.Device(device)
    except ValueError:
        raise ValueError(
            f"unknown device {device!r} for array_api_strict; expected 'cpu', 'device1' or"
            " 'device2'"
        ) from None


def _name_of_device_object(device: Any) -> str:
    module = type(device).__module__.split(".")[0]
    if module in ("torch", "cupy", "array_api_strict"):
        return module
    if module == "jaxlib":
        return "jax"
    raise ValueError(
        f"cannot tell the backend of device {device!r}; pass backend= or a device string"
    )


def namespace_name(xp: Namespace) -> str:
    """The backend name of an array namespace (NumPy, CuPy and torch, compat-wrapped or not)."""
    import array_api_compat as compat

    for name, test in (
        ("numpy", compat.is_numpy_namespace),
        ("cupy", compat.is_cupy_namespace),
        ("torch", compat.is_torch_namespace),
        ("array_api_strict", compat.is_array_api_strict_namespace),
        ("jax", compat.is_jax_namespace),
        ("dask", compat.is_dask_namespace),
    ):
        if test(xp):
            return name
    raise ValueError(f"unsupported array namespace {xp!r}; expected one of {', '.join(BACKENDS)}")


_LIBRARY_OF_TYPE: dict[type, str | None] = {}


def library_of(a: Any) -> str | None:
    """The backend name of an array's library ("numpy", "torch", ...); None for host data (lists,
    numbers) and for arrays of libraries xpnet has no backend for. Remembered per type."""
    kind = type(a)
    if kind not in _LIBRARY_OF_TYPE:
        try:
            name = namespace_name(array_api_compat.array_namespace(a))
        except (TypeError, ValueError):
            name = None
        _LIBRARY_OF_TYPE[kind] = name
    return _LIBRARY_OF_TYPE[kind]


def backend_of(x: Array) -> Backend:
    """The Backend an array lives on."""
    xp = array_namespace(x)
    return Backend(namespace_name(xp), xp, device_of(x))


# -- dtypes --------------------------------------------------------------------------------------

DTYPES = ("float32", "float64")


def resolve_dtype(xp: Namespace, dtype: Any = None):
    """xp's dtype for "float32"/"float64", one of xp's dtype objects, or None (float64)."""
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
    """'float32' for a float32 dtype of any library."""
    return str(dtype).rsplit(".", 1)[-1].removesuffix("'>")


def to_numpy_dtype(dtype: Any) -> np.dtype:
    return np.dtype(dtype_name(dtype))


# -- moving data ---------------------------------------------------------------------------------


def to_numpy(x: Array) -> np.ndarray:
    """A host NumPy copy (or the array itself, for NumPy) of an array of any backend."""
    if isinstance(x, np.ndarray | np.generic):
        return np.asarray(x)
    module = type(x).__module__.split(".")[0]
    if module == "cupy":
        return x.get()
    if module == "torch":
        return x.detach().cpu().numpy()
    if module == "array_api_strict":
        return np.asarray(x.to_device(_strict_device("cpu")))
    return np.asarray(x)  # JAX too: a copy to the host


# -- writing one element: in place, or a new array where arrays are immutable --------------------

IMMUTABLE = ("jax",)  # libraries whose arrays cannot be written in place


def writes_in_place(x: Array) -> bool:
    """Whether ``x[index] = value`` can write into x (False for JAX's immutable arrays)."""
    return library_of(x) not in IMMUTABLE


def updated(x: Array, index: Any, value: Any) -> Array:
    """x with ``x[index] = value``: written into x where the library allows it (x itself is
    returned), a new array otherwise (JAX: ``x.at[index].set(value)``). Use the result, never x:
    ``grad = updated(grad, idx, g)`` reads the same on every library.

    xpnet's one functional-update mechanism (DESIGN.md, decision 9). array-api-extra's ``at()``
    does the same and more, but needs Python 3.11 while xpnet supports 3.10; these few lines
    are all xpnet needs.

    >>> import numpy as np
    >>> x = np.zeros(3)
    >>> updated(x, 1, 5.0) is x, x.tolist()
    (True, [0.0, 5.0, 0.0])
    """
    if writes_in_place(x):
        x[index] = value
        return x
    return x.at[index].set(value)


def host_rng(seed: int | None = None) -> np.random.Generator:
    """The seeded host random generator: weights and batch indices are drawn here, then moved,
    so one seed gives the same run on every backend."""
    return np.random.default_rng(seed)


def synchronize(x: Array) -> None:
    """Wait for the device that holds x (no-op on CPU; on JAX, until x itself is computed)."""
    if library_of(x) == "jax":
        x.block_until_ready()
        return
    backend_of(x).synchronize()


# -- what is here --------------------------------------------------------------------------------


def device_name(backend: Backend) -> str:
    """The device as a user types it: "cpu", "cuda:1" (not CuPy's "<CUDA Device 1>")."""
    if backend.name == "cupy":
        return f"cuda:{backend.device.id}"
    if backend.name == "jax":  # JAX's own text is "cpu:0" or "cuda:0"
        return "cpu" if backend.device.platform == "cpu" else f"cuda:{backend.device.id}"
    return str(backend.device)


def gpu_name(backend: Backend) -> str | None:
    if backend.name == "cupy":
        cupy = _import("cupy")
        name = cupy.cuda.runtime.getDeviceProperties(backend.device.id)["name"]
        return name.decode() if isinstance(name, bytes) else str(name)
    if backend.name == "torch" and backend.device.type == "cuda":
        return _import("torch").cuda.get_device_name(backend.device)
    if backend.name == "jax" and backend.device.platform == "gpu":
        return backend.device.device_kind
    return None


def available() -> list[dict]:
    """What each backend looks like on this machine: installed, its version, GPUs seen."""
    rows = []
    for name in BACKENDS:
        row: dict[str, Any] = {"backend": name, "installed": False, "version": None, "gpus": []}
        if name == "numpy" or importlib.util.find_spec(name) is not None:
            try:
                module = importlib.import_module(name)
            except Exception as error:  # a broken install is worth reporting, not raising
                row["error"] = f"{type(error).__name__}: {error}"
                rows.append(row)
                continue
            row["installed"] = True
            row["version"] = getattr(module, "__version__", "?")
            row["gpus"] = _gpus(name, module)
            if name == "cupy":
                row["problem"] = _cupy_usability(module, len(row["gpus"]))
        rows.append(row)
    return rows


def _cupy_usability(cupy, count: int) -> str | None:
    """Why CuPy cannot compute here (no GPU, no driver, CUDA's libraries missing), or None."""
    if count == 0:
        return f"no usable GPU ({_cupy_problem or 'CuPy sees none'})"
    problem = _cupy_runs_on(cupy, 0)
    return f"cannot run on GPU 0: {problem}" if problem else None


def _gpus(name: str, module) -> list[str]:
    try:
        if name == "cupy":
            count = _cuda_device_count(module)
            return [gpu_name(Backend("cupy", None, module.cuda.Device(i))) for i in range(count)]
        if name == "torch" and module.cuda.is_available():
            return [module.cuda.get_device_name(i) for i in range(module.cuda.device_count())]
        if name == "jax":
            return [device.device_kind for device in module.devices("gpu")]
    except Exception:
        return []
    return []


# -- is this array on a GPU? ---------------------------------------------------------------------


def on_gpu(x: Array) -> bool:
    """Whether x lives on a GPU: a CuPy array, a torch tensor on a CUDA device, or a JAX array on
    a GPU (metadata only).

    >>> import numpy as np
    >>> on_gpu(np.zeros(3))
    False
    """
    name = library_of(x)
    if name == "jax":
        return getattr(device_of(x), "platform", None) == "gpu"  # None: a tracer inside jit
    return name == "cupy" or (name == "torch" and x.device.type == "cuda")
