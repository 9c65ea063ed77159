"""Where arrays live: a second device, CuPy without a device, data from any library and device,
and a GPU that is there but cannot run CuPy.

CuPy's creation functions (through array-api-compat) ignore ``device=`` and use the current GPU;
no machine of CI has two GPUs, so a stand-in does what CuPy does on array-api-strict's second
device: its creation functions ignore ``device=`` and use a current device that only
:meth:`Backend.activate` changes. Work that escapes the device context then mixes devices, which
array-api-strict refuses, as CuPy refuses (or silently copies) on a second GPU.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import types
import warnings

import numpy as np
import pytest
from conftest import CANDIDATES, assert_close

import xpnet
from xpnet import backends as switchboard
from xpnet.backends import (
    DeviceFallbackWarning,
    DeviceUnavailableError,
    get_backend,
    to_numpy,
)

CREATION = ("zeros", "ones", "empty", "full", "arange", "eye", "linspace")
CREATION_LIKE = ("zeros_like", "ones_like", "empty_like", "full_like")


@pytest.fixture
def cupy_like(monkeypatch):
    """array-api-strict made to place new arrays as CuPy does; returns its second device."""
    strict = pytest.importorskip("array_api_strict")
    current = [strict.Device("CPU_DEVICE")]  # like CuPy's GPU 0, current until changed

    @contextlib.contextmanager
    def make_current(device):
        current.append(device)
        try:
            yield
        finally:
            current.pop()

    def ignoring_device(function):
        def create(*args, device=None, **kwargs):  # device= is dropped, as compat does for CuPy
            return function(*args, device=current[-1], **kwargs)

        return create

    def on_current_device(function):  # asarray(device=None): CuPy's current device
        def create(*args, device=None, **kwargs):
            return function(*args, device=current[-1] if device is None else device, **kwargs)

        return create

    for name in CREATION + CREATION_LIKE:
        monkeypatch.setattr(strict, name, ignoring_device(getattr(strict, name)))
    monkeypatch.setattr(strict, "asarray", on_current_device(strict.asarray))
    library = type(switchboard.LIBRARIES["array_api_strict"])  # made to enter a device, as CuPy
    monkeypatch.setattr(library, "enter", lambda self, device: make_current(device))
    monkeypatch.setattr(library, "enters_device", True)
    return strict, strict.Device("device1"), current


def small_problem(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((8, 6))
    t = rng.integers(0, 3, size=8)
    return x, t


def test_the_stand_in_places_new_arrays_on_the_current_device_only(cupy_like):
    strict, device1, _ = cupy_like
    assert strict.zeros(3, device=device1).device == strict.Device("CPU_DEVICE")
    with get_backend(device1, backend="array_api_strict").activate():
        assert strict.zeros(3).device == device1


def test_every_entry_point_works_on_a_second_device_of_a_cupy_like_library(cupy_like):
    strict, device1, current = cupy_like
    x_host, t_host = small_problem()
    reference = xpnet.TwoLayerNet(6, 5, 3, weight_init_std=1.0, seed=0)
    net = xpnet.TwoLayerNet(6, 5, 3, weight_init_std=1.0, xp=strict, device=device1, seed=0)
    x, t = net.backend.asarray(x_host), net.backend.asarray(t_host)

    def check(result, expected, rtol=1e-10):
        assert result.device == device1
        assert_close(result, expected, rtol=rtol, atol=1e-12)

    check(net.loss(x, t), reference.loss(x_host, t_host))
    check(net.predict(x), reference.predict(x_host))
    assert net.accuracy(x, t) == reference.accuracy(x_host, t_host)
    expected = reference.gradient(x_host, t_host)
    for method in ("batched", "loop"):
        grads = net.numerical_gradient(x, t, method=method)
        for key, grad in grads.items():
            check(grad, expected[key], rtol=1e-6)
    for key, grad in net.gradient(x, t).items():
        check(grad, expected[key])
    assert xpnet.gradient_check(net, x, t).passed
    assert xpnet.check_network(net, x, t).passed
    check(net.copy(dtype="float32").params["W1"], reference.params["W1"], rtol=1e-6)
    check(xpnet.one_hot(t, 3), np.eye(3)[t_host])

    point = net.backend.asarray([3.0, 4.0])
    check(xpnet.numerical_gradient(lambda v: strict.sum(v**2), point), [6.0, 8.0], rtol=1e-8)
    end = xpnet.gradient_descent(lambda v: strict.sum(v**2), point, lr=0.1, step_num=5)
    check(end, [3.0 * 0.8**5, 4.0 * 0.8**5], rtol=1e-6)

    trainer = xpnet.Trainer(net, (x_host, t_host), (x_host, t_host), batch_size=4, seed=0)
    other = xpnet.Trainer(reference, (x_host, t_host), (x_host, t_host), batch_size=4, seed=0)
    # CuPy runs each kernel on the current GPU: the step's must run with device1 current
    where_steps_ran = []
    step, update = net._loss_and_gradient, trainer.optimizer.update
    net._loss_and_gradient = lambda *a: where_steps_ran.append(current[-1]) or step(*a)
    trainer.optimizer.update = lambda *a: where_steps_ran.append(current[-1]) or update(*a)
    history, expected_history = trainer.run(5), other.run(5)
    assert where_steps_ran == [device1] * 10
    assert history.train_loss == pytest.approx(expected_history.train_loss, rel=1e-10)
    check(net.params["W2"], reference.params["W2"])


def test_the_stand_in_catches_work_outside_the_device_context(cupy_like, monkeypatch):
    """Without Backend.activate, the stand-in fails like CuPy on a second GPU: so the test above
    would catch a regression."""
    strict, device1, _ = cupy_like
    library = type(switchboard.LIBRARIES["array_api_strict"])
    monkeypatch.delattr(library, "enter")  # back to the base's: a context that enters nothing
    monkeypatch.delattr(library, "enters_device")
    x_host, t_host = small_problem()
    net = xpnet.TwoLayerNet(6, 5, 3, xp=strict, device=device1, seed=0)
    with pytest.raises(ValueError, match="device"):
        xpnet.Trainer(net, (x_host, t_host), (x_host, t_host), batch_size=4, seed=0).run(3)
    with pytest.raises(ValueError, match="device"):
        net.numerical_gradient(net.backend.asarray(x_host), net.backend.asarray(t_host))


# -- CuPy without device= ------------------------------------------------------------------------


def fake_cupy(monkeypatch, *, gpus: int, current: int = 0, nvrtc=None, matmul=None):
    """A stand-in `cupy` module: `gpus` GPUs, `current` the current one; nvrtc/matmul: an
    exception that loading NVRTC or a matrix product raises (None: they work)."""

    class Device:
        def __init__(self, index=None):
            self.id = current if index is None else index

        def __eq__(self, other):
            return isinstance(other, Device) and other.id == self.id

        def __hash__(self):
            return self.id

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    class Array:
        def __add__(self, other):
            return self

        def __matmul__(self, other):
            if matmul is not None:
                raise matmul
            return self

        def sum(self):
            return 32.0

    def raise_or(error, value):
        def call(*args, **kwargs):
            if error is not None:
                raise error
            return value

        return call

    cupy = types.ModuleType("cupy")
    cupy.float32 = "float32"
    cupy.ones = lambda *args, **kwargs: Array()
    cupy.cuda = types.SimpleNamespace(
        Device=Device,
        runtime=types.SimpleNamespace(getDeviceCount=lambda: gpus, getDevice=lambda: current),
        nvrtc=types.SimpleNamespace(getVersion=raise_or(nvrtc, (13, 0))),
    )
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    library = switchboard.LIBRARIES["cupy"]
    monkeypatch.setattr(library, "problems", {})  # the probe's results, per GPU
    if importlib.util.find_spec("torch") is not None:  # device="auto" must not find a real GPU
        import torch  # through PyTorch either

        monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(type(library), "namespace", lambda self: cupy)
    return cupy


def test_cupy_without_a_device_means_its_current_gpu(monkeypatch):
    cupy = fake_cupy(monkeypatch, gpus=2, current=1)
    backend = get_backend(xp=cupy)
    assert backend.name == "cupy" and backend.device == cupy.cuda.Device(1)
    assert get_backend("cuda:0", xp=cupy).device == cupy.cuda.Device(0)


def test_a_cupy_device_is_named_as_users_type_it(monkeypatch):
    cupy = fake_cupy(monkeypatch, gpus=2)
    backend = switchboard.Backend("cupy", cupy, cupy.cuda.Device(1))
    assert switchboard.device_name(backend) == "cuda:1" and str(backend) == "cupy:cuda:1"


def test_cupy_without_a_device_and_without_a_gpu_says_there_is_no_gpu(monkeypatch):
    cupy = fake_cupy(monkeypatch, gpus=0)
    with pytest.raises(DeviceUnavailableError, match="needs an NVIDIA GPU, but CuPy sees 0"):
        xpnet.TwoLayerNet(4, 3, 2, xp=cupy)


@pytest.mark.skipif(importlib.util.find_spec("cupy") is None, reason="CuPy is not installed")
def test_a_twolayernet_on_the_real_cupy_without_device_is_on_the_current_gpu():
    import cupy

    try:
        get_backend("cuda", backend="cupy")
    except DeviceUnavailableError:
        with pytest.raises(DeviceUnavailableError, match="CuPy"):
            xpnet.TwoLayerNet(4, 3, 2, xp=cupy)
        return
    net = xpnet.TwoLayerNet(4, 3, 2, xp=cupy, seed=0)
    assert net.backend.device == cupy.cuda.Device()
    assert net.params["W1"].device == cupy.cuda.Device()


# -- a GPU that CuPy cannot use -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nvrtc", "matmul", "named"),
    [
        (OSError('Failure finding "libnvrtc.so.13"'), None, "NVRTC, CUDA's kernel compiler"),
        (None, ImportError("libcublas.so.13: cannot open"), "cuBLAS matrix product failed"),
    ],
)
def test_a_gpu_that_cupy_cannot_use_is_refused_and_auto_falls_back_once(
    monkeypatch, nvrtc, matmul, named
):
    fake_cupy(monkeypatch, gpus=1, nvrtc=nvrtc, matmul=matmul)
    with pytest.raises(DeviceUnavailableError, match=named) as caught:
        get_backend("cuda")
    assert caught.value.gpu_seen
    assert "xpnet[cuda12]" in str(caught.value) and 'device="cpu"' in str(caught.value)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        backend = get_backend("auto")
    assert str(backend) in ("numpy:cpu", "torch:cpu")
    fallbacks = [w for w in seen if issubclass(w.category, DeviceFallbackWarning)]
    assert len(fallbacks) == 1 and named in str(fallbacks[0].message)


def test_auto_with_cupy_named_and_its_gpu_unusable_is_refused_not_moved_to_numpy(monkeypatch):
    fake_cupy(monkeypatch, gpus=1, nvrtc=OSError('Failure finding "libnvrtc.so.13"'))
    with pytest.raises(DeviceUnavailableError, match="NVRTC"):
        get_backend("auto", backend="cupy")


def test_the_cli_names_an_unusable_gpu_in_one_notice_and_trains_on_the_cpu(
    monkeypatch, tmp_path, capsys
):
    from xpnet.cli import main

    fake_cupy(monkeypatch, gpus=1, nvrtc=OSError('Failure finding "libnvrtc.so.13"'))
    flags = ["--dataset", "sample", "--iters", "2", "--hidden-size", "5", "--no-plot"]
    code = main(["train", *flags, "--no-progress", "--out", str(tmp_path)])
    captured = capsys.readouterr()
    notices = [line for line in captured.err.splitlines() if line.startswith("notice: device")]
    assert code == 0 and len(notices) == 1 and "NVRTC" in notices[0]
    assert "device cpu (chosen by --device auto)" in captured.out.splitlines()[0]


def test_without_a_gpu_auto_is_silent(monkeypatch):
    fake_cupy(monkeypatch, gpus=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeviceFallbackWarning)
        assert get_backend("auto").name in ("numpy", "torch")


# -- data from anywhere --------------------------------------------------------------------------


def _usable_sources():
    sources = []
    for name, device in CANDIDATES:
        try:
            sources.append(get_backend(device, backend=name))
        except DeviceUnavailableError:
            continue
    return sources


@pytest.mark.parametrize("source", _usable_sources(), ids=str)
def test_asarray_takes_arrays_of_any_library_and_device(backend, xp, source):
    host = np.arange(6.0).reshape(2, 3)
    moved = backend.asarray(source.asarray(host), dtype="float32")
    assert moved.dtype == xp.float32
    assert xp.__name__ == backend.xp.__name__ and type(moved) is type(backend.asarray(host))
    assert switchboard.device_of(moved) == backend.device
    np.testing.assert_array_equal(to_numpy(moved), host.astype(np.float32))


def test_the_advice_of_the_wrong_library_message_works(backend):
    """'move x with net.backend.asarray' is what the error says: it must work for device data."""
    net = xpnet.TwoLayerNet(6, 5, 3, xp=backend.xp, device=backend.device, seed=0)
    x_host, t_host = small_problem()
    for source in _usable_sources():
        x = source.asarray(x_host)
        if source != backend:
            with pytest.raises((TypeError, ValueError), match="net.backend|to_device"):
                net.loss(x, backend.asarray(t_host))
        loss = net.loss(net.backend.asarray(x), net.backend.asarray(t_host))
        assert_close(loss, xpnet.TwoLayerNet(6, 5, 3, seed=0).loss(x_host, t_host), rtol=1e-12)
