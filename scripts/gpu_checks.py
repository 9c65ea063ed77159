"""The checks of the GPU acceptance run that are not tests: each prints PASS, FAIL or SKIP lines.

    python scripts/gpu_checks.py preflight     # a GPU usable by CuPy, by PyTorch? (exit 2 if not)
    python scripts/gpu_checks.py syncs         # does the training step wait for the GPU?
    python scripts/gpu_checks.py locate        # which call of the step waits, and a profile
    python scripts/gpu_checks.py numgrad       # the numerical gradient on the GPU against NumPy
    python scripts/gpu_checks.py jit           # JAX's compiled step: equal to eager, and timed
    python scripts/gpu_checks.py ... --device cpu   # a dry run of the plumbing, on the CPU

scripts/gpu_acceptance.sh runs them in order. "The step" is what xpnet's Trainer does between two
log points: gather a batch on the device, loss and gradients, the SGD update, the loss written into
the device buffer. It must never make the host wait for the GPU: checked on PyTorch with
``torch.cuda.set_sync_debug_mode("error")`` and on CuPy with ``cupyx.allow_synchronize(False)``
and by queueing a second of GPU work before the steps and finding it still running after them.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
import warnings

import numpy as np

import xpnet
from xpnet.backends import DeviceUnavailableError, get_backend, to_numpy

ACTIVATIONS = ("relu", "sigmoid")
failures: list[str] = []


def say(status: str, text: str) -> None:
    print(f"{status}: {text}", flush=True)
    if status == "FAIL":
        failures.append(text)


def backends(device: str) -> dict[str, xpnet.Backend | str]:
    """{"cupy": Backend or why not, "torch": ...}; on --device cpu, NumPy and torch-CPU."""
    found = {}
    for name in ("cupy", "torch"):
        try:
            if device == "cpu":
                found[name] = get_backend("cpu", backend="numpy" if name == "cupy" else name)
            else:
                found[name] = get_backend(device, backend=name)
        except DeviceUnavailableError as error:
            found[name] = str(error)
    return found


def trainer_on(backend, activation: str, dtype: str = "float32"):
    (x, t), (x_test, t_test) = xpnet.load_mnist_sample()
    net = xpnet.TwoLayerNet(
        784,
        50,
        10,
        activation=activation,
        xp=backend.xp,
        device=backend.device,
        dtype=dtype,
        seed=0,
    )
    trainer = xpnet.Trainer(net, (x, t), (x_test, t_test), batch_size=100, seed=0, log_every=10**9)
    trainer.run(2)  # step 0 evaluates; the kernels are compiled now
    return trainer


def steps_between_log_points(trainer, count: int) -> range:
    start = 2  # trainer_on ran steps 0 and 1; the next log point is the next epoch (i = 40)
    stop = min(start + count, trainer.iters_per_epoch)
    return range(start, stop)


# -- preflight -----------------------------------------------------------------------------------


def preflight(args) -> int:
    found = backends(args.device)
    for name, backend in found.items():
        if isinstance(backend, str):
            print(f"{name}: not usable: {backend}")
        else:
            print(f"{name}: {backend.describe()}")
    if all(isinstance(b, str) for b in found.values()):
        print(
            "gpu_acceptance: no GPU is usable here (see the lines above); stopping before the"
            " first step that needs one"
        )
        return 2
    return 0


# -- syncs ---------------------------------------------------------------------------------------


def torch_syncs(backend, dry: bool) -> None:
    import torch

    for activation in ACTIVATIONS:
        trainer = trainer_on(backend, activation)
        steps = steps_between_log_points(trainer, 30)
        torch.cuda.synchronize() if not dry else None
        if not dry:
            torch.cuda.set_sync_debug_mode("error")
        try:
            for i in steps:
                trainer._step(i)
        except RuntimeError as error:
            frame = _xpnet_frame(error)
            say("FAIL", f"torch-cuda {activation}: the step synchronizes ({error}) at {frame}")
            continue
        finally:
            if not dry:
                torch.cuda.set_sync_debug_mode(0)
        kind = "ran (dry run: the sync debug mode needs CUDA)" if dry else "no synchronization"
        say("PASS" if not dry else "SKIP", f"torch {activation}: {len(steps)} steps, {kind}")
        if not dry:
            still_busy_after_steps(backend, activation)


def cupy_syncs(backend) -> None:
    import cupyx

    for activation in ACTIVATIONS:
        trainer = trainer_on(backend, activation)
        steps = steps_between_log_points(trainer, 30)
        backend.synchronize()
        try:
            with warnings.catch_warnings(), backend.activate():
                warnings.simplefilter("ignore")  # allow_synchronize is deprecated, still works
                with cupyx.allow_synchronize(False):
                    for i in steps:
                        trainer._step(i)
            say("PASS", f"cupy {activation}: {len(steps)} steps under allow_synchronize(False)")
        except Exception as error:
            say(
                "FAIL",
                f"cupy {activation}: the step synchronizes ({error!r}) at {_xpnet_frame(error)}",
            )
        still_busy_after_steps(backend, activation)


def still_busy_after_steps(backend, activation: str, steps: int = 10) -> None:
    """The second witness: ~0.6 s of GPU work queued before a few steps is still running after
    them. Few: a step launches ~35 kernels and CUDA queues ~1000 launches at most, so 30 steps
    behind that work would stall on the full queue, not on a synchronization (the first GPU run
    saw exactly that, while no single call of the step waited: `locate`)."""
    xp = backend.xp
    trainer = trainer_on(backend, activation)
    with backend.activate():
        big = xp.ones((8192, 8192), dtype=xp.float32, device=backend.device)
        backend.synchronize()
        for _ in range(30):
            big @ big
        start = time.perf_counter()
        for i in steps_between_log_points(trainer, steps):
            trainer._step(i)
        host = time.perf_counter() - start
        busy = not _stream_done(backend)
        backend.synchronize()
        total = time.perf_counter() - start
    text = (
        f"{backend.name} {activation}: {steps} steps queued in {host * 1e3:.1f} ms of host time"
        f" behind {total * 1e3:.0f} ms of GPU work; the GPU was still busy after them: {busy}"
    )
    say("PASS" if busy else "FAIL", text)


def _stream_done(backend) -> bool:
    if backend.name == "cupy":
        import cupy

        return cupy.cuda.get_current_stream().done
    import torch

    return torch.cuda.current_stream(backend.device).query()


def cupy_memory(backend, steps: int = 2000) -> None:
    import cupy

    trainer = trainer_on(backend, "relu")
    pool = cupy.get_default_memory_pool()
    trainer.run(200)
    backend.synchronize()
    before = (pool.used_bytes(), pool.total_bytes())
    trainer.run(200 + steps)
    backend.synchronize()
    after = (pool.used_bytes(), pool.total_bytes())
    text = (
        f"cupy memory pool over {steps} steps (evaluations included): used {before[0]} ->"
        f" {after[0]} bytes, held {before[1]} -> {after[1]} bytes"
    )
    say("PASS" if after[0] <= before[0] and after[1] <= before[1] else "FAIL", text)


def cupy_graph(backend) -> None:
    """CuPy refuses cuBLAS calls during stream capture: the expected outcome is that error."""
    import cupy

    trainer = trainer_on(backend, "relu")
    stream = cupy.cuda.Stream(non_blocking=True)
    with backend.activate(), stream:
        stream.begin_capture()
        try:
            trainer._step(2)
            outcome = "captured (CuPy now allows cuBLAS in stream capture: revisit BENCHMARKS.md)"
        except Exception as error:
            outcome = f"not capturable, as expected: {type(error).__name__}: {error}"
        finally:
            try:
                stream.end_capture()
            except Exception as error:  # the capture was invalidated by the failed call
                outcome += f" (end_capture: {type(error).__name__})"
    say("INFO", f"cupy CUDA-graph capture of one step: {outcome}")


def syncs(args) -> int:
    found = backends(args.device)
    dry = args.device == "cpu"
    torch_backend, cupy_backend = found["torch"], found["cupy"]
    if isinstance(torch_backend, str):
        say("SKIP", f"torch: {torch_backend}")
    else:
        _guarded("torch syncs", torch_syncs, torch_backend, dry)
    if dry:
        say("SKIP", "cupy: dry run on the CPU (allow_synchronize and the pool need a GPU)")
    elif isinstance(cupy_backend, str):
        say("FAIL", f"cupy: {cupy_backend}")
    else:
        _guarded("cupy syncs", cupy_syncs, cupy_backend)
        _guarded("cupy memory", cupy_memory, cupy_backend)
        _guarded("cupy graph", cupy_graph, cupy_backend)
    return 1 if failures else 0


# -- where does the step wait? -------------------------------------------------------------------


def step_pieces(trainer) -> list[tuple[str, object]]:
    """The step of Trainer._step cut into its calls, in order, sharing one dict of results."""
    xp, net, state = trainer.net.backend.xp, trainer.net, {"i": 2}
    layers = net.layers
    affine1, activation, affine2 = layers.values()
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
        ("_batch", put("batch", lambda: trainer._batch(state["i"]))),
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


def locate(args) -> int:
    """Each call of the step, timed on the host behind ~0.1 s of queued GPU work (four products of
    8192x8192 matrices): a call that takes that long waited for the GPU. Then a cProfile of the
    step: where its host time goes."""
    import cProfile
    import pstats

    for name, backend in backends(args.device).items():
        if isinstance(backend, str):
            say("SKIP", f"{name}: {backend}")
            continue
        xp = backend.xp
        for activation in ACTIVATIONS:
            trainer = trainer_on(backend, activation)
            with backend.activate():
                n = 64 if args.device == "cpu" else 8192  # 4 products of 8192: ~0.1 s on a GPU
                big = xp.ones((n, n), dtype=xp.float32, device=backend.device)
                waited = {}
                for _ in range(3):
                    for piece, call in step_pieces(trainer):
                        backend.synchronize()
                        for _ in range(4):
                            big = big @ big * 1e-4
                        start = time.perf_counter()
                        call()
                        seconds = time.perf_counter() - start
                        waited.setdefault(piece, []).append(seconds * 1e3)
                backend.synchronize()
                queued = time.perf_counter()
                for _ in range(4):
                    big = big @ big * 1e-4
                backend.synchronize()
                gpu_ms = (time.perf_counter() - queued) * 1e3
            slow = {piece: ms for piece, ms in waited.items() if min(ms) > gpu_ms / 2}
            times = ", ".join(f"{p} {min(ms):.2f}" for p, ms in waited.items())
            verdict = "INFO" if args.device == "cpu" else "FAIL" if slow else "PASS"
            say(
                verdict,
                f"{name} {activation}: calls that waited for ~{gpu_ms:.0f} ms of queued GPU work:"
                f" {', '.join(slow) or 'none'} (host ms per call, best of 3: {times})",
            )
        trainer = trainer_on(backend, "relu")
        profiler = cProfile.Profile()
        with backend.activate():
            backend.synchronize()
            profiler.enable()
            for i in steps_between_log_points(trainer, 30):
                trainer._step(i)
            profiler.disable()
            backend.synchronize()
        stats = pstats.Stats(profiler)
        rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:18]
        total = stats.total_tt / 30 * 1e6
        print(f"{name}: cProfile of 30 steps, own time per step (total {total:.0f} us):")
        for (filename, line, function), (_, calls, own, _, _) in rows:
            where = filename.split("site-packages/")[-1].split("src/")[-1]
            print(f"  {own / 30 * 1e6:8.1f} us  {calls / 30:5.1f}x  {where}:{line}({function})")
    return 1 if failures else 0


# -- the numerical gradient on the GPU -----------------------------------------------------------


def numgrad(args) -> int:
    (x, t), _ = xpnet.load_mnist_sample()
    x, t = x[:100].astype(np.float64), t[:100]
    reference = xpnet.TwoLayerNet(784, 50, 10, seed=0)
    expected = reference.numerical_gradient(x, t)
    for name, backend in backends(args.device).items():
        if isinstance(backend, str):
            say("SKIP", f"{name}: {backend}")
            continue
        net = xpnet.TwoLayerNet(784, 50, 10, xp=backend.xp, device=backend.device, seed=0)
        xb, tb = backend.asarray(x), backend.asarray(t)
        net.numerical_gradient(xb, tb)  # compiles the kernels
        backend.synchronize()
        start = time.perf_counter()
        grads = net.numerical_gradient(xb, tb)
        backend.synchronize()
        seconds = time.perf_counter() - start
        error = max(float(np.max(np.abs(to_numpy(grads[k]) - expected[k]))) for k in expected)
        text = (
            f"{backend.describe()}: numerical gradient of a batch of 100 in"
            f" {seconds * 1e3:.1f} ms; max |this - NumPy| = {error:.1e}"
        )
        say("PASS" if error < 1e-9 else "FAIL", text)
    return 1 if failures else 0


# -- JAX's compiled step ---------------------------------------------------------------------------


def jit(args) -> int:
    """The Trainer's step on JAX: compiled (jax.jit, xpnet.compiled) against eager, equal in
    float64 to 1e-12 over 20 steps, then both timed in float32 (microseconds per step)."""
    try:
        backend = get_backend(args.device, backend="jax")
    except DeviceUnavailableError as error:
        say("SKIP", f"jax: {error}")
        return 0
    runs = {}
    for compiled in (True, False):
        trainer = jax_trainer(backend, "float64", compiled)
        for i in range(20):
            trainer._step(i)
        runs[compiled] = {key: to_numpy(value) for key, value in trainer.net.params.items()}
    error = max(float(np.max(np.abs(runs[True][k] - runs[False][k]))) for k in runs[True])
    say(
        "PASS" if error <= 1e-12 else "FAIL",
        f"{backend.describe()}: compiled step = eager"
        f" step over 20 float64 steps: max |difference| = {error:.1e}",
    )
    timings = {}
    for compiled in (True, False):
        trainer, steps = jax_trainer(backend, "float32", compiled), 200
        for i in range(5):  # the first compiles
            trainer._step(i)
        wait_for(trainer)
        start = time.perf_counter()
        for i in range(5, 5 + steps):
            trainer._step(i)
        wait_for(trainer)
        timings[compiled] = (time.perf_counter() - start) / steps * 1e6
    say(
        "PASS",
        f"{backend.describe()}: float32 step, batch 100: compiled {timings[True]:.0f} us,"
        f" eager {timings[False]:.0f} us ({timings[False] / timings[True]:.1f}x)",
    )
    return 1 if failures else 0


def jax_trainer(backend, dtype: str, compiled: bool):
    (x, t), test = xpnet.load_mnist_sample()
    net = xpnet.TwoLayerNet(784, 50, 10, xp=backend.xp, device=backend.device, dtype=dtype, seed=0)
    trainer = xpnet.Trainer(net, (x, t), test, batch_size=100, seed=0)
    if not compiled:
        trainer._compiled = None  # the same step, op by op
    elif trainer._compiled is None:
        raise RuntimeError("the Trainer on JAX did not compile its step")
    return trainer


def wait_for(trainer) -> None:
    """JAX dispatches asynchronously and has no device-wide barrier: wait for the results."""
    from xpnet.backends import synchronize

    for value in (trainer._losses, *trainer.net.params.values()):
        synchronize(value)


def _guarded(what: str, check, *args) -> None:
    try:
        check(*args)
    except Exception as error:  # one broken check must not hide the others
        say("FAIL", f"{what}: {type(error).__name__}: {error}")
        traceback.print_exc(limit=-4)


def _xpnet_frame(error: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "xpnet" in f.filename]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=("preflight", "syncs", "locate", "numgrad", "jit"))
    parser.add_argument("--device", default="cuda", help="cuda (default), or cpu for a dry run")
    args = parser.parse_args(argv)
    checks = {"preflight": preflight, "syncs": syncs, "locate": locate, "numgrad": numgrad}
    checks["jit"] = jit
    return checks[args.check](args)


if __name__ == "__main__":
    sys.exit(main())
