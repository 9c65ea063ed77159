"""One class per library: each backend's facts come from its class, and no module of xpnet
outside xpnet/backends/ names a library; the CuPy probe is the CuPy class's, once per GPU."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import xpnet
from xpnet import backends
from xpnet.backends import BACKENDS, LIBRARIES, DeviceUnavailableError, get_backend

SRC = Path(xpnet.__file__).parent
NAMES = re.compile(r"""["'](cupy|torch|jax|dask|array_api_strict)["']""")


def test_every_backend_name_has_its_one_class():
    assert tuple(LIBRARIES) == BACKENDS
    assert all(library.name == name for name, library in LIBRARIES.items())
    assert backends.IMMUTABLE == ("jax",) and backends.LAZY_BACKENDS == ("dask",)


def test_no_module_outside_backends_tests_a_library_name():
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if "backends" not in path.relative_to(SRC).parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if NAMES.search(line) and "sys.modules" not in line  # threads.py: torch, if loaded
    ]
    assert found == []


def test_device_text_gives_the_backend_back(backend):
    again = get_backend(backend.device_text, backend=backend.name)
    assert again == backend and str(again) == f"{backend.name}:{backend.device_text}"


def test_the_library_of_an_array_is_its_backends_class(backend):
    x = backend.asarray([1.0, 2.0])
    assert backends.library_for(x) is backend.library is LIBRARIES[backend.name]
    assert backends.library_of(x) == backend.name and backends.library_for([1.0]) is None


def _fake_cupy(monkeypatch, gpus: int):
    """A `cupy` module with gpus GPUs whose NVRTC loads; counts the probes of each GPU."""
    probes = []

    class Device:
        def __init__(self, index=None):
            self.id = 0 if index is None else index

        def __enter__(self):
            probes.append(self.id)
            return self

        def __exit__(self, *exc):
            return False

    class Array:
        def __add__(self, other):
            return self

        def __matmul__(self, other):
            return self

        def sum(self):
            return 32.0

    cupy = types.ModuleType("cupy")
    cupy.float32 = "float32"
    cupy.ones = lambda *args, **kwargs: Array()
    cupy.cuda = types.SimpleNamespace(
        Device=Device,
        runtime=types.SimpleNamespace(getDeviceCount=lambda: gpus, getDevice=lambda: 0),
        nvrtc=types.SimpleNamespace(getVersion=lambda: (13, 0)),
    )
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    monkeypatch.setattr(LIBRARIES["cupy"], "problems", {})
    monkeypatch.setattr(type(LIBRARIES["cupy"]), "namespace", lambda self: cupy)
    return probes


def test_the_cupy_probe_runs_once_per_gpu_and_is_kept_by_the_cupy_class(monkeypatch):
    probes = _fake_cupy(monkeypatch, gpus=2)
    for device in ("cuda:0", "cuda:1", "cuda:0", "cuda:1", "cuda"):
        assert get_backend(device).device.id == (int(device[-1]) if ":" in device else 0)
    assert probes == [0, 1]  # the kernel and matrix product were tried on each GPU once
    assert LIBRARIES["cupy"].problems == {0: "", 1: ""}


def test_a_cupy_without_gpus_says_why_each_time_and_keeps_no_global(monkeypatch):
    _fake_cupy(monkeypatch, gpus=0)
    failing = RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")
    monkeypatch.setattr(
        sys.modules["cupy"].cuda.runtime, "getDeviceCount", lambda: (_ for _ in ()).throw(failing)
    )
    for _ in range(2):
        with pytest.raises(DeviceUnavailableError, match="CuPy sees 0 .RuntimeError: cudaError"):
            get_backend("cuda")
    sys.modules["cupy"].cuda.runtime.getDeviceCount = lambda: 0  # no error: no stale reason
    with pytest.raises(DeviceUnavailableError, match=r"CuPy sees 0 \(no device with that index"):
        get_backend("cuda")
    state = [name for name, value in vars(backends).items() if not isinstance(value, type(sys))]
    assert not [name for name in state if "cupy" in name.lower()]  # the reason is not kept


def test_numpy_asarray_keeps_its_own_arrays_and_copies_nothing():
    backend = get_backend("cpu")
    x = np.arange(3.0)
    assert backend.asarray(x) is x and backend.asarray(x, dtype="float64") is x
    assert backend.asarray(x, dtype="float32").dtype == np.float32


def test_two_cupy_packages_are_named_by_the_cupy_class(monkeypatch, capsys):
    import importlib.metadata

    from xpnet.cli.info import info_command

    def dist(name):
        return types.SimpleNamespace(metadata={"Name": name})

    packages = [dist("cupy-cuda12x"), dist("numpy"), dist("cupy-cuda13x"), dist(None)]
    monkeypatch.setattr(importlib.metadata, "distributions", lambda: packages)
    rows = {row["backend"]: row for row in backends.available()}
    assert "cupy-cuda12x, cupy-cuda13x" in rows["cupy"]["warning"]
    assert [name for name, row in rows.items() if "warning" in row] == ["cupy"]
    info_command()
    assert "warning: several CuPy packages are installed (cupy-cuda12x, cupy-cuda13x)" in (
        capsys.readouterr().out
    )
