import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from xpnet.backends import (
    DeviceUnavailableError,
    available,
    get_backend,
    host_rng,
    resolve_dtype,
    to_numpy,
)

HAS_CUPY = importlib.util.find_spec("cupy") is not None


def test_import_xpnet_imports_neither_cupy_nor_torch():
    code = "import sys, xpnet; print(*(name in sys.modules for name in ('cupy', 'torch', 'jax')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]  # nor JAX


def test_cpu_means_numpy():
    backend = get_backend("cpu")
    assert backend.name == "numpy"
    assert backend.device == "cpu"


def test_round_trip_keeps_values_and_dtype(backend, xp):
    host = np.arange(6.0).reshape(2, 3)
    moved = backend.asarray(host, dtype="float32")
    assert moved.dtype == xp.float32
    back = to_numpy(moved)
    assert isinstance(back, np.ndarray)
    np.testing.assert_array_equal(back, host.astype(np.float32))
    backend.synchronize()


def test_resolve_dtype(xp):
    assert resolve_dtype(xp, "float32") == xp.float32
    assert resolve_dtype(xp, None) == xp.float64
    assert resolve_dtype(xp, xp.float64) == xp.float64
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64'; got 'float16'"):
        resolve_dtype(xp, "float16")


def test_unknown_device_and_backend_are_named():
    with pytest.raises(ValueError, match="unknown device 'gpu'; expected 'cpu', 'cuda'"):
        get_backend("gpu")
    with pytest.raises(ValueError, match="unknown backend 'mxnet'"):
        get_backend("cpu", backend="mxnet")
    with pytest.raises(ValueError, match="runs on the CPU only"):
        get_backend("cuda", backend="numpy")


@pytest.mark.skipif(HAS_CUPY, reason="CuPy is installed here")
def test_cuda_without_cupy_says_which_extra_to_install():
    with pytest.raises(DeviceUnavailableError, match=r'needs CuPy.*pip install "xpnet\[cuda12\]"'):
        get_backend("cuda")


@pytest.mark.skipif(HAS_CUPY, reason="CuPy is installed here")
def test_auto_with_cupy_named_but_not_installed_is_refused_not_swapped_for_numpy():
    with pytest.raises(DeviceUnavailableError) as caught:
        get_backend("auto", backend="cupy")
    message = str(caught.value)
    assert message.startswith("backend 'cupy' needs CuPy, which is not installed")
    assert 'pip install "xpnet[cuda12]"' in message and 'backend="numpy"' in message


def test_auto_falls_back_to_cpu_without_a_gpu():
    backend = get_backend("auto")
    assert backend.name in ("cupy", "torch", "numpy")
    if not HAS_CUPY:
        assert backend.name in ("numpy", "torch")


def test_host_rng_is_reproducible():
    assert host_rng(3).random(4).tolist() == host_rng(3).random(4).tolist()


def test_available_lists_every_backend():
    rows = {row["backend"]: row for row in available()}
    assert set(rows) == {"numpy", "cupy", "torch", "array_api_strict", "jax", "dask"}
    assert rows["numpy"]["installed"] and rows["numpy"]["version"] == np.__version__


def test_updated_writes_in_place_where_it_can_and_copies_where_it_cannot(backend):
    from xpnet.backends import updated, writes_in_place

    x = backend.asarray([1.0, 2.0, 3.0])
    y = updated(x, 1, 5.0)
    np.testing.assert_array_equal(to_numpy(y), [1.0, 5.0, 3.0])
    if writes_in_place(x):
        assert y is x
    else:  # JAX: x is immutable and keeps its values
        assert backend.name == "jax"
        np.testing.assert_array_equal(to_numpy(x), [1.0, 2.0, 3.0])


def test_backend_of_an_array_and_synchronize(backend):
    from xpnet.backends import backend_of, synchronize

    x = backend.asarray([1.0, 2.0])
    found = backend_of(x)
    assert (found.name, found.device) == (backend.name, backend.device)
    synchronize(x)  # waits for the device; a no-op on the CPU


def test_on_gpu_says_where_an_array_lives(backend):
    from xpnet.backends import on_gpu

    gpu = backend.name == "cupy" or getattr(backend.device, "type", None) == "cuda"
    assert on_gpu(backend.asarray([1.0])) is gpu


def test_a_named_backend_that_cannot_run_stops_the_session_in_one_line(tmp_path):
    """XPNET_BACKEND=cupy on a machine without a usable GPU must not pass with every test
    skipped: the session stops before any test, with one line naming why (exit status 4)."""
    unusable = None
    for name, device in (("cupy", "cuda"), ("torch", "cuda")):
        try:
            get_backend(device, backend=name)
        except DeviceUnavailableError:
            unusable = f"{name}-{device}"
            break
    if unusable is None:
        pytest.skip("every GPU candidate runs here")
    tests = str(Path(__file__).parent)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", tests],
        capture_output=True,
        text=True,
        env={**os.environ, "XPNET_BACKEND": unusable},
        cwd=tmp_path,
        timeout=120,
    )
    lines = [line for line in done.stdout.splitlines() + done.stderr.splitlines() if line]
    assert done.returncode == 4, done.stdout + done.stderr
    assert lines == [lines[0]] and lines[0].startswith(
        f"ERROR: XPNET_BACKEND={unusable} asks for {unusable}, which cannot run here:"
    )
