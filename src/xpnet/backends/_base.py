"""What xpnet asks of an array library: the :class:`Library` base class, and the device errors.

Each of ``_numpy.py _cupy.py _torch.py _jax.py _dask.py _strict.py`` holds one small subclass
that answers every question about its library; the base answers as a CPU library that writes in
place and runs eagerly would (NumPy's answers, mostly). Read the base's attributes as the list of
questions, then a library's module for its answers. A library module imports its library only
when asked (:meth:`Library.load`), so ``import xpnet`` imports none of them.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..errors import Explained, Use, XpnetValueError

Array = Any  # an array of any Array API library
Namespace = Any  # an array-api-compat namespace

NOTHING = contextlib.nullcontext()  # the context of libraries that enter no device (reusable)


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


class Library:
    """One array library's facts, as xpnet asks them. Subclasses override what differs.

    ``name`` is the backend name a user types (``backend="torch"``), ``module`` what is imported,
    ``title`` the library's own name for messages, ``extra`` the pip extra that installs it
    with xpnet, ``package`` what pip installs for the library alone (a learner's ``import torch``).
    """

    name: ClassVar[str] = ""
    module: ClassVar[str] = ""
    title: ClassVar[str] = ""
    extra: ClassVar[str] = ""
    package: ClassVar[str] = ""
    device_module: ClassVar[str | None] = None  # the top module of its device objects' type
    array_kind: ClassVar[tuple[str, str]] = ("", "")  # "a torch tensor", "torch tensors"
    cpu: ClassVar[bool] = True  # runs on the CPU
    gpu: ClassVar[bool] = False  # runs on a CUDA GPU ("cuda", "cuda:N")
    lazy: ClassVar[bool] = False  # arrays are task graphs, computed when asked (Dask)
    immutable: ClassVar[bool] = False  # arrays cannot be written in place (JAX)
    compiles: ClassVar[bool] = False  # compiles pure functions of arrays (JAX's jit)
    enters_device: ClassVar[bool] = False  # new arrays go to a current device, not device=
    fast_paths: ClassVar[tuple[str, ...]] = ()  # xpnet.fast's paths for it, fastest first

    # -- the library and its namespace --------------------------------------------------------

    def load(self, device: str = "cuda"):
        """The library's module, imported; DeviceUnavailableError with the install hint when it
        is not installed. device: the device asked for, for the message."""
        try:
            return importlib.import_module(self.module)
        except ImportError as error:
            raise self.not_installed(device) from error

    def not_installed(self, device: str) -> DeviceUnavailableError:
        return DeviceUnavailableError(
            f'backend "{self.name}" needs {self.title}, which is not installed:'
            f' pip install "xpnet[{self.extra}]"'
        )

    def install_hint(self) -> str:
        """The pip command that installs the library with xpnet, for messages."""
        return f'pip install "xpnet[{self.extra}]"'

    def pip_install(self, python: str) -> str:
        """The command that installs the library alone, for the Python named ``python``."""
        return f"{python} -m pip install {self.package}"

    def namespace(self) -> Namespace:
        """The array-api-compat namespace (the library's own, where it is the standard's)."""
        raise NotImplementedError

    def owns_namespace(self, xp: Namespace) -> bool:
        """Whether xp is this library's namespace (array-api-compat's ``is_*_namespace``)."""
        raise NotImplementedError

    def owns_device(self, device: Any) -> bool:
        """Whether device is a device object of this library (metadata only)."""
        return type(device).__module__.split(".")[0] == self.device_module

    # -- devices ------------------------------------------------------------------------------

    def device(self, text: str | None, index: int | None) -> Any:
        """The device object of what a user typed: text "cpu", "cuda", "cuda:N" (index: N, 0
        for "cuda"), or None (the library's default device). Raises for a device it lacks."""
        if text not in (None, "cpu"):
            raise self.cpu_only(text)
        return "cpu"

    def other_device(self, text: str) -> Any:
        """The device object of a text other than "cpu"/"cuda[:N]"/"auto" (array-api-strict's
        "device1"); ValueError for every library that has none."""
        raise ValueError(f"unknown device {text!r}; expected 'cpu', 'cuda', 'cuda:N' or 'auto'")

    def cpu_only(self, text: str) -> XpnetValueError:
        return XpnetValueError(
            "backend {backend} runs on the CPU only; got device {device}. Use {cpu}, or"
            " {cupy} or {torch} for a GPU",
            backend=repr(self.name),
            device=repr(text),
            cpu=Use("device", "cpu"),
            cupy=Use("backend", "cupy"),
            torch=Use("backend", "torch"),
        )

    def device_text(self, device: Any) -> str:
        """The device as a user types it (``--device``): "cpu", "cuda:1", "device1"."""
        return str(device)

    def enter(self, device: Any) -> contextlib.AbstractContextManager:
        """A context in which new arrays and kernels land on device (see ``enters_device``)."""
        return NOTHING

    def on_gpu(self, x: Array) -> bool:
        """Whether the array x lives on a GPU (metadata only)."""
        return False

    def gpu_name(self, device: Any) -> str | None:
        """The GPU's model name, or None on the CPU."""
        return None

    def gpus(self, module) -> list[str]:
        """The names of the GPUs the library sees (module: the library, loaded)."""
        return []

    def problem(self, module, gpus: int) -> str | None:
        """Why the library cannot compute here although it is installed, or None."""
        return None

    def install_warning(self) -> str | None:
        """What is wrong with how the library is installed (read from package metadata only,
        nothing imported), or None."""
        return None

    # -- data ---------------------------------------------------------------------------------

    def from_host(self, xp: Namespace, host: np.ndarray, device: Any) -> Array:
        """A host NumPy array (already in the wanted dtype) as an array on device."""
        return xp.asarray(host, device=device)

    def to_numpy(self, x: Array) -> np.ndarray:
        """A host NumPy copy of x."""
        return np.asarray(x)

    def compute(self, arrays: tuple) -> tuple:
        """The values of arrays computed together (only lazy libraries have work to do)."""
        return arrays

    def updated(self, x: Array, index: Any, value: Any) -> Array:
        """x with ``x[index] = value``: written into x (read-only x raises the library's error)."""
        x[index] = value
        return x

    def in_place_fix(self, x: Array, name: str) -> str | None:
        """Why x (the argument name) cannot be written in place and what to pass instead, or
        None when it can."""
        return None

    # -- time ---------------------------------------------------------------------------------

    def synchronize(self, device: Any) -> None:
        """Wait until the work queued on device has finished (a no-op on the CPU)."""

    def wait(self, x: Array, device: Any) -> None:
        """Wait until x is computed (most libraries: until its device is idle)."""
        self.synchronize(device)

    def quiet_overflow(self) -> contextlib.AbstractContextManager:
        """A context where overflow to inf/NaN is not warned about (the trainer reports it)."""
        return NOTHING

    def fast_paths_on(self, device: Any) -> tuple[tuple[str, ...], str]:
        """(the fast paths ``step="auto"`` tries on device, fastest first; why the eager step
        where there are none). The paths live in xpnet.fast; BENCHMARKS.md ("Fast paths") has
        the measurements each library's choice rests on."""
        if self.fast_paths:
            return self.fast_paths, ""
        return (), f"{self.name} has no faster step than its eager one"

    def compile(
        self, function: Callable, arguments: tuple, donate: tuple[int, ...], device: Any
    ) -> Callable:
        """function compiled by the library for arguments, on device; only where ``compiles``."""
        raise ValueError(f"backend {self.name!r} does not compile; it runs eagerly")


STANDARD = Library()  # an array library without a class here: the standard's answers


def quiet_numpy_overflow() -> contextlib.AbstractContextManager:
    """NumPy's floating-point warnings off (NumPy, and array-api-strict, which computes in it)."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


def brief(error: Exception) -> str:
    """An exception in one line: its type and the first line of its message."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


_HERE = str(Path(__file__).parent) + os.sep


def warn(warning: Warning) -> None:
    """warnings.warn, attributed to the first caller outside xpnet.backends."""
    level, frame = 1, sys._getframe(0)
    while frame is not None and frame.f_code.co_filename.startswith(_HERE):
        level, frame = level + 1, frame.f_back
    warnings.warn(warning, stacklevel=level)
