"""The backend switchboard: the one module that knows backend names.

Everything else in xpnet takes its namespace from the arrays it is given. This module turns what a
user types (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"auto"``, and optionally a backend name) into a
:class:`Backend` -- an array namespace and a device -- and owns the few things that cannot be
array-generic: importing CuPy or PyTorch, moving host NumPy arrays to a device and back, the seeded
host random generator, and synchronizing a device for honest timing.

Read it top to bottom: names and errors, then :func:`get_backend`, then the helpers on arrays.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import re
from dataclasses import dataclass
from typing import Any

import array_api_compat
import numpy as np
from array_api_compat import device as device_of

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


BACKENDS = ("numpy", "cupy", "torch", "array_api_strict")
STRICT_API_VERSION = "2024.12"
CUDA_HINT = 'pip install "xpnet[cuda12]" (or "xpnet[cuda13]" for CUDA 13)'
_CUDA = re.compile(r"^cuda(?::(\d+))?$")


class DeviceUnavailableError(RuntimeError):
    """The requested device or backend exists but cannot be used on this machine."""


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
        """Move host data (a NumPy array, list or number) to this backend's device.

        dtype: "float32", "float64", a dtype of this namespace, or None to keep a's dtype.
        """
        a = np.asarray(a)
        if dtype is not None:
            a = a.astype(to_numpy_dtype(resolve_dtype(self.xp, dtype)), copy=False)
        if self.name == "numpy":
            return a
        if self.name == "torch" and self.device.type == "cpu":  # a copy: never share host memory
            return self.xp.asarray(a, device=self.device, copy=True)
        return self.xp.asarray(a, device=self.device)

    def synchronize(self) -> None:
        """Wait until queued work on the device has finished (a no-op on CPU)."""
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

    def describe(self) -> str:
        """One line for logs: backend, device and, on a GPU, its name."""
        text = f"backend {self.name}, device {self.device}"
        gpu = gpu_name(self)
        return f"{text} ({gpu})" if gpu else text

    def __str__(self) -> str:
        return f"{self.name}:{self.device}"


def get_backend(device: Any = None, *, backend: str | None = None, xp: Namespace = None) -> Backend:
    """Resolve a device (and optionally a backend name or namespace) to a :class:`Backend`.

    device: "cpu", "cuda", "cuda:N", "auto", a device object of the chosen library, or None (the
    namespace's default device; "cpu" when nothing else is given). backend: "numpy", "cupy",
    "torch" or "array_api_strict"; by default "cpu" means NumPy and "cuda" means CuPy. xp: a
    namespace instead of a backend name (its device is then taken from ``device``).

    Raises ValueError for an unknown device or backend name, DeviceUnavailableError when the
    library is not installed or sees no GPU.

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
        device = "cpu"
    if not isinstance(device, str) or not (device == "cpu" or _CUDA.match(device)):
        if backend == "array_api_strict":
            return Backend(backend, _namespace(backend), _strict_device(device))
        raise ValueError(f"unknown device {device!r}; expected 'cpu', 'cuda', 'cuda:N' or 'auto'")
    if backend is None:
        backend = "numpy" if device == "cpu" else "cupy"
    index = int(_CUDA.match(device).group(1) or 0) if device != "cpu" else None
    return _make(backend, device, index)


def _make(backend: str, device: str, index: int | None) -> Backend:
    xp = _namespace(backend, device=device)
    if backend == "numpy" or backend == "array_api_strict":
        if index is not None:
            raise ValueError(
                f"backend {backend!r} runs on the CPU only; got device {device!r}. "
                "Use --device cpu, or --backend cupy/torch for a GPU"
            )
        return Backend(backend, xp, "cpu" if backend == "numpy" else _strict_device("cpu"))
    if backend == "cupy":
        if index is None:
            raise ValueError("backend 'cupy' needs a GPU device: use --device cuda (or cuda:N)")
        cupy = _import("cupy")
        count = _cuda_device_count(cupy)
        if index >= count:
            raise DeviceUnavailableError(
                f"device {device!r} needs an NVIDIA GPU, but CuPy sees {count}"
                f" ({_cupy_problem or 'no device with that index'}): use --device cpu"
            )
        return Backend("cupy", xp, cupy.cuda.Device(index))
    torch = _import("torch")
    if index is not None:
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if index >= count:
            raise DeviceUnavailableError(
                f"device {device!r} needs a CUDA build of PyTorch and a GPU, but PyTorch sees"
                f" {count} (torch {torch.__version__}): use --device cpu"
            )
        return Backend("torch", xp, torch.device("cuda", index))
    return Backend("torch", xp, torch.device("cpu"))


def _auto(backend: str | None) -> Backend:
    """The first usable GPU, else the CPU; the Backend's describe() says which was chosen."""
    candidates = [backend] if backend else ["cupy", "torch"]
    for name in candidates:
        try:
            return get_backend("cuda", backend=name)
        except (DeviceUnavailableError, ValueError):
            continue
    return get_backend("cpu", backend=None if backend in (None, "cupy") else backend)


_cupy_problem = ""


def _cuda_device_count(cupy) -> int:
    global _cupy_problem
    try:
        return cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CUDARuntimeError: no driver, no device
        _cupy_problem = f"{type(error).__name__}: {error}"
        return 0


def _import(name: str, device: str = "cuda"):
    try:
        return importlib.import_module(name)
    except ImportError as error:
        if name == "cupy":
            raise DeviceUnavailableError(
                f"device {device!r} needs CuPy, which is not installed: {CUDA_HINT},"
                " or use --device cpu"
            ) from error
        if name == "torch":
            raise DeviceUnavailableError(
                'backend "torch" needs PyTorch, which is not installed: pip install "xpnet[torch]"'
            ) from error
        raise DeviceUnavailableError(
            f"backend {name!r} is not installed: pip install {name.replace('_', '-')}"
        ) from error


def _namespace(name: str, device: str = "cuda") -> Namespace:
    if name == "numpy":
        import array_api_compat.numpy as xp
    elif name == "cupy":
        _import("cupy", device)
        import array_api_compat.cupy as xp
    elif name == "torch":
        _import("torch")
        import array_api_compat.torch as xp
    else:
        xp = _import("array_api_strict")
        xp.set_array_api_strict_flags(api_version=STRICT_API_VERSION)
    return xp


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
    ):
        if test(xp):
            return name
    raise ValueError(f"unsupported array namespace {xp!r}; expected one of {', '.join(BACKENDS)}")


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
    return np.asarray(x)


def host_rng(seed: int | None = None) -> np.random.Generator:
    """The seeded host random generator: weights and batch indices are drawn here, then moved,
    so one seed gives the same run on every backend."""
    return np.random.default_rng(seed)


def synchronize(x: Array) -> None:
    """Wait for the device that holds x (no-op on CPU)."""
    backend_of(x).synchronize()


# -- what is here --------------------------------------------------------------------------------


def gpu_name(backend: Backend) -> str | None:
    if backend.name == "cupy":
        cupy = _import("cupy")
        props = cupy.cuda.runtime.getDeviceProperties(backend.device.id)
        return props["name"].decode()
    if backend.name == "torch" and backend.device.type == "cuda":
        return _import("torch").cuda.get_device_name(backend.device)
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
        rows.append(row)
    return rows


def _gpus(name: str, module) -> list[str]:
    try:
        if name == "cupy":
            count = _cuda_device_count(module)
            return [gpu_name(Backend("cupy", None, module.cuda.Device(i))) for i in range(count)]
        if name == "torch" and module.cuda.is_available():
            return [module.cuda.get_device_name(i) for i in range(module.cuda.device_count())]
    except Exception:
        return []
    return []


# -- is this array on a GPU? ---------------------------------------------------------------------


def on_gpu(x: Array) -> bool:
    """Whether x lives on a GPU: a CuPy array, or a torch tensor on a CUDA device (metadata only).

    >>> import numpy as np
    >>> on_gpu(np.zeros(3))
    False
    """
    module = type(x).__module__.split(".")[0]
    return module == "cupy" or (module == "torch" and x.device.type == "cuda")
