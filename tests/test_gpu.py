"""On a GPU, the training step never makes the host wait, CuPy's pool does not grow, and the
numerical gradient is NumPy's: the checks of the GPU acceptance run.

They run where the `backend` fixture is CuPy or torch on a CUDA device (the GPU sessions,
XPNET_BACKEND=cupy and XPNET_BACKEND=torch-cuda, which scripts/gpu_acceptance.sh runs) and skip,
saying so, everywhere else. "The step" is what xpnet's Trainer does between two log points:
gather a batch on the device, loss and gradients, the SGD update, the loss written into the
device buffer. Two witnesses that it never waits: the library's own sync detector (PyTorch's
``set_sync_debug_mode("error")``, CuPy's ``allow_synchronize(False)``), and GPU work queued
before the steps that is still running after them.
"""

from __future__ import annotations

import contextlib
import time
import traceback
import warnings

import numpy as np
import pytest
from conftest import assert_close

import xpnet
from xpnet.backends import gpu_name

ACTIVATIONS = ("relu", "sigmoid")


@pytest.fixture
def gpu(backend):
    """The backend, when it is CuPy or torch on a GPU; a skip, saying why, otherwise."""
    if backend.name not in ("cupy", "torch") or gpu_name(backend) is None:
        pytest.skip(
            f"no GPU: {backend} runs on the CPU; the GPU sessions run this"
            " (XPNET_BACKEND=cupy, XPNET_BACKEND=torch-cuda)"
        )
    return backend


def trainer_on(backend, activation: str) -> xpnet.Trainer:
    """A Trainer on the bundled sample (40 steps an epoch) after steps 0 and 1: step 0
    evaluated, the kernels compiled, the next log point the next epoch."""
    (x, t), test = xpnet.load_mnist_sample()
    options = dict(xp=backend.xp, device=backend.device, dtype="float32", seed=0)
    net = xpnet.TwoLayerNet(784, 50, 10, activation=activation, **options)
    trainer = xpnet.Trainer(net, (x, t), test, batch_size=100, seed=0, log_every=10**9)
    trainer.run(2)
    return trainer


def step_of(trainer):
    """trainer.step(i), the Trainer's eager step."""
    return trainer.step


def between_log_points(trainer, count: int) -> range:
    return range(2, min(2 + count, trainer.iters_per_epoch))


@contextlib.contextmanager
def _torch_no_sync(backend):
    import torch

    torch.cuda.synchronize(backend.device)
    torch.cuda.set_sync_debug_mode("error")
    try:
        yield
    finally:
        torch.cuda.set_sync_debug_mode(0)


@contextlib.contextmanager
def _cupy_no_sync(backend):
    import cupyx

    backend.synchronize()
    with warnings.catch_warnings(), backend.activate():
        warnings.simplefilter("ignore")  # allow_synchronize is deprecated, and still works
        with cupyx.allow_synchronize(False):
            yield


def _torch_stream_done(backend) -> bool:
    import torch

    return torch.cuda.current_stream(backend.device).query()


def _cupy_stream_done(backend) -> bool:
    import cupy

    return cupy.cuda.get_current_stream().done


NO_SYNC = {"torch": _torch_no_sync, "cupy": _cupy_no_sync}  # a sync inside raises
STREAM_DONE = {"torch": _torch_stream_done, "cupy": _cupy_stream_done}


def _xpnet_frame(error: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "xpnet" in f.filename]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_step_never_synchronizes(gpu, activation):
    trainer = trainer_on(gpu, activation)
    step = step_of(trainer)
    try:
        with NO_SYNC[gpu.name](gpu):
            for i in between_log_points(trainer, 30):
                step(i)
    except Exception as error:
        pytest.fail(
            f"{gpu} {activation}: the step synchronizes ({error!r}) at {_xpnet_frame(error)}"
        )


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gpu_work_queued_before_the_steps_is_still_running_after_them(gpu, activation):
    """~0.6 s of GPU work, then 10 steps: the GPU is still busy when they return. Few steps: one
    launches ~35 kernels and CUDA queues ~1000 launches at most, so 30 steps behind that work
    would stall on the full queue, not on a synchronization."""
    xp, trainer = gpu.xp, trainer_on(gpu, activation)
    step = step_of(trainer)
    with gpu.activate():
        big = xp.ones((8192, 8192), dtype=xp.float32, device=gpu.device)
        gpu.synchronize()
        for _ in range(30):
            big @ big
        start = time.perf_counter()
        for i in between_log_points(trainer, 10):
            step(i)
        host = time.perf_counter() - start
        busy = not STREAM_DONE[gpu.name](gpu)
        gpu.synchronize()
        total = time.perf_counter() - start
    assert busy, (
        f"{gpu} {activation}: 10 steps queued in {host * 1e3:.1f} ms of host time behind"
        f" {total * 1e3:.0f} ms of GPU work, and the GPU was idle after them: a step waited"
    )


def step_pieces(trainer) -> list[tuple[str, object]]:
    """The Trainer's eager step cut into its calls, in order, sharing one dict of results."""
    xp, net, state = trainer.net.backend.xp, trainer.net, {"i": 2}
    affine1, activation, affine2 = net.layers.values()
    loss_layer = net.last_layer

    def put(key, function):
        def piece():
            state[key] = function()

        return piece

    def update():
        grads = {"W1": affine1.dW, "b1": affine1.db, "W2": affine2.dW, "b2": affine2.db}
        trainer.optimizer.update(net.params, grads)

    def write_loss():
        trainer._losses[state["i"] % trainer.iters_per_epoch] = state["loss"]
        state["i"] += 1

    return [
        ("batch", put("batch", lambda: trainer._batch(state["i"]))),
        ("take x", put("x", lambda: xp.take(trainer.x_train, state["batch"], axis=0))),
        ("take t", put("t", lambda: xp.take(trainer.t_train, state["batch"], axis=0))),
        ("Affine1.forward", put("a", lambda: affine1.forward(state["x"]))),
        ("activation.forward", put("z", lambda: activation.forward(state["a"]))),
        ("Affine2.forward", put("y", lambda: affine2.forward(state["z"]))),
        (
            "SoftmaxWithLoss.forward",
            put("loss", lambda: loss_layer.forward(state["y"], state["t"])),
        ),
        ("SoftmaxWithLoss.backward", put("d", lambda: loss_layer.backward(1.0))),
        ("Affine2.backward", put("d", lambda: affine2.backward(state["d"]))),
        ("activation.backward", put("d", lambda: activation.backward(state["d"]))),
        ("Affine1.backward", put("d", lambda: affine1.backward(state["d"], need_dx=False))),
        ("SGD.update", update),
        ("loss write", write_loss),
    ]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_no_call_of_the_step_waits_for_queued_gpu_work(gpu, activation):
    """Each call of the step, timed on the host behind ~0.1 s of queued GPU work (four products
    of 8192x8192 matrices): a call that takes half that long waited for the GPU."""
    xp, trainer = gpu.xp, trainer_on(gpu, activation)
    waited: dict[str, list[float]] = {}
    pieces = step_pieces(trainer)  # steps 2, 3, 4, call by call
    with gpu.activate():
        big = xp.ones((8192, 8192), dtype=xp.float32, device=gpu.device)
        for _ in range(3):
            for piece, call in pieces:
                gpu.synchronize()
                for _ in range(4):
                    big = big @ big * 1e-4
                start = time.perf_counter()
                call()
                waited.setdefault(piece, []).append(time.perf_counter() - start)
        gpu.synchronize()
        start = time.perf_counter()
        for _ in range(4):
            big = big @ big * 1e-4
        gpu.synchronize()
        queued = time.perf_counter() - start
    slow = [piece for piece, seconds in waited.items() if min(seconds) > queued / 2]
    times = ", ".join(f"{p} {min(s) * 1e3:.2f}" for p, s in waited.items())
    assert not slow, (
        f"{gpu} {activation}: {', '.join(slow)} waited for ~{queued * 1e3:.0f} ms of queued GPU"
        f" work (host ms per call, best of 3: {times})"
    )


def test_cupy_memory_pool_does_not_grow_over_2000_steps(gpu):
    if gpu.name != "cupy":
        pytest.skip(f"{gpu}: CuPy's memory pool; the cupy session runs this")
    import cupy

    trainer = trainer_on(gpu, "relu")
    pool = cupy.get_default_memory_pool()
    trainer.run(200)
    gpu.synchronize()
    before = (pool.used_bytes(), pool.total_bytes())
    trainer.run(2200)  # with their evaluations
    gpu.synchronize()
    after = (pool.used_bytes(), pool.total_bytes())
    assert after[0] <= before[0] and after[1] <= before[1], (
        f"cupy memory pool over 2000 steps: used {before[0]} -> {after[0]} bytes,"
        f" held {before[1]} -> {after[1]} bytes"
    )


def test_numerical_gradient_on_the_gpu_is_numpys(gpu):
    (x, t), _ = xpnet.load_mnist_sample()
    x, t = x[:100].astype(np.float64), t[:100]
    expected = xpnet.TwoLayerNet(784, 50, 10, seed=0).numerical_gradient(x, t)
    net = xpnet.TwoLayerNet(784, 50, 10, xp=gpu.xp, device=gpu.device, seed=0)
    grads = net.numerical_gradient(gpu.asarray(x), gpu.asarray(t))
    for key, value in expected.items():
        assert_close(grads[key], value, rtol=0, atol=1e-9)
