"""What only a GPU has: CuPy's memory pool, and a training step captured into a CUDA graph.

``gpu_problem(device)`` says why no GPU is usable (None when one is); ``gpu_pool(backend)`` reads
CuPy's pool; ``capture(backend, step)`` captures step() into a CUDA graph with the backend's
library and returns how to replay it; ``cuda_graph_check(trainer)`` times the eager step against
its replay. One small function per library: the rest of the benchmarks ask these.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import numpy as np

import xpnet
from xpnet.backends import gpu_name

from .measure import per_call

NO_GPU = "not run: no GPU (xpnet runs on the CPU here)"


def gpu_problem(device: str) -> str | None:
    """None when CuPy or PyTorch can use the GPU `device`; otherwise why neither can."""
    problems = []
    for backend in ("cupy", "torch"):
        try:
            xpnet.get_backend(device, backend=backend)
            return None
        except Exception as error:  # DeviceUnavailableError, ValueError, a broken install
            problems.append(f"{backend}: {type(error).__name__}: {error}")
    return "; ".join(problems)


def gpu_pool(backend) -> dict | None:
    """CuPy's memory pool: used and total bytes (None off CuPy)."""
    if backend.name != "cupy":
        return None
    import cupy

    pool = cupy.get_default_memory_pool()
    return {"used_bytes": pool.used_bytes(), "total_bytes": pool.total_bytes()}


def _cupy_capture(step: Callable[[], None]) -> tuple[Callable, Callable]:
    """CuPy stream capture. Expected to raise at the first matmul: CuPy's cuBLAS wrapper refuses
    to run under stream capture (up to CuPy's main branch; cupy#6290)."""
    import cupy

    stream = cupy.cuda.Stream(non_blocking=True)
    with stream:
        stream.begin_capture()
        try:
            step()
        except BaseException:
            with contextlib.suppress(Exception):  # the failed call invalidated the capture
                stream.end_capture()
            raise
        graph = stream.end_capture()
    return (lambda: graph.launch(stream)), stream.synchronize


def _torch_capture(step: Callable[[], None]) -> tuple[Callable, Callable]:
    """torch.cuda.graph, after a warm-up on a side stream as torch.cuda.graphs asks."""
    import torch

    graph = torch.cuda.CUDAGraph()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        step()
    torch.cuda.current_stream().wait_stream(side)
    with torch.cuda.graph(graph):
        step()
    return graph.replay, torch.cuda.synchronize


CAPTURE = {"cupy": _cupy_capture, "torch": _torch_capture}


def capture(backend, step: Callable[[], None]) -> tuple[Callable, Callable]:
    """(replay, wait): step() captured into a CUDA graph on backend's GPU; raises what the
    library raises when it cannot capture."""
    if gpu_name(backend) is None or backend.name not in CAPTURE:
        raise ValueError(f"no CUDA graph capture for {backend}")
    with backend.activate():
        return CAPTURE[backend.name](step)


def fixed_batch_step(trainer) -> Callable[[], None]:
    """The trainer's step on one batch gathered once (rows 0..batch_size-1): loss and gradients,
    then the optimizer's update. A graph replays the buffers it captured, so the batch is static."""
    backend, net = trainer.net.backend, trainer.net
    xp = backend.xp
    batch = backend.asarray(np.arange(trainer.batch_size))
    x_batch = xp.take(trainer.x_train, batch, axis=0)
    t_batch = xp.take(trainer.t_train, batch, axis=0)

    def step():
        _, grads = net.loss_and_gradient(x_batch, t_batch)
        trainer.optimizer.update(net.params, grads)

    return step


def cuda_graph_check(trainer, calls: int = 200) -> dict:
    """Whether the trainer's step can be captured into a CUDA graph, and the eager and replayed
    µs per step when it can. A captured step is PyTorch's (torch.cuda.graph); on CuPy the
    attempt records why it fails (every matmul of the step calls cuBLAS)."""
    backend = trainer.net.backend
    if gpu_name(backend) is None or backend.name not in CAPTURE:
        return {"status": NO_GPU}
    step = fixed_batch_step(trainer)
    with backend.activate():
        eager = per_call(step, calls=calls, warmup=1, synchronize=backend.synchronize)
    result = {"backend": backend.name, "eager_us": eager * 1e6}
    try:
        replay, wait = capture(backend, step)
        graph = per_call(replay, calls=calls, warmup=1, synchronize=wait)
        result.update(status="captured", graph_us=graph * 1e6)
    except Exception as error:  # the report says why capture failed; that is the finding
        result.update(status="capture failed", error=f"{type(error).__name__}: {error}")
    return result


def gpu_events(device):
    """(record, elapsed_ms) of CUDA events on the current stream of a CuPy or torch-CUDA
    device -- record() marks a point in the stream, elapsed_ms(a, b) waits for b and gives the
    GPU's time between them -- or None for a device without (the CPU, JAX)."""
    module = type(device).__module__.split(".")[0]
    if module == "cupy":
        import cupy

        def record():
            event = cupy.cuda.Event()
            event.record()
            return event

        def elapsed_ms(a, b):
            b.synchronize()
            return cupy.cuda.get_elapsed_time(a, b)

        return record, elapsed_ms
    if module == "torch" and device.type == "cuda":
        import torch

        def record():
            event = torch.cuda.Event(enable_timing=True)
            event.record()
            return event

        def elapsed_ms(a, b):
            b.synchronize()
            return a.elapsed_time(b)

        return record, elapsed_ms
    return None


def gpu_clocks() -> dict:
    """nvidia-smi's clocks (MHz), temperature and power now: a figure means little without them."""
    import subprocess

    fields = ["clocks.sm", "clocks.mem", "clocks.max.sm", "temperature.gpu", "power.draw"]
    try:
        done = subprocess.run(
            ["nvidia-smi", f"--query-gpu={','.join(fields)}", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return {"error": f"{type(error).__name__}: {error}"}
    if done.returncode != 0:
        return {"error": done.stderr.strip() or done.stdout.strip()}
    first = done.stdout.strip().splitlines()[0].split(", ")
    return dict(zip(fields, first, strict=False))
