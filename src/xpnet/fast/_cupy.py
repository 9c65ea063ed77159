"""cupy-fused and cupy-graph: the fused step (:mod:`.fused`) on CuPy, eagerly or captured.

cupy-fused launches the step's six kernels (compiled once by NVRTC through ``cupy.RawKernel``)
and five GEMMs through CuPy's own cuBLAS handle: 11 launches a step, ~35 for the eager one.

cupy-graph records those 11 launches once into a CUDA graph and replays it, one launch a step.
CuPy's own cuBLAS calls refuse stream capture (``setStream`` in cupy_backends' cublas.pyx
raises while a stream captures; cupy#6290), so its GEMMs go through a cuBLAS handle of
nvmath-python's bindings (``nvmath.bindings.cublas``), bound to the capture's stream, with
its own workspace (cuBLAS must not allocate while a stream captures). Every buffer the step
touches is made before the capture, from a private memory pool that nothing else allocates
from, so what the graph keeps writing is never handed to anyone else. The capture follows one
warm-up step on copies of the state (kernels loaded, cuBLAS's choice made). The graph is
recaptured when the net's dict holds other arrays or the learning rate changes (both frozen
into the graph: the kernels' and GEMMs' arguments are recorded by value).

Launched on the current stream, as every other CuPy call of the Trainer, so that the loss
buffer is read (at a log point) only after the steps that wrote it.
"""

from __future__ import annotations

import time

import numpy as np
from array_api_compat import is_cupy_namespace

from ..backends import dtype_name
from .choice import FastPathUnavailable
from .fused import Cublas, FusedStep, make_buffers
from .kernels import ACTIVATION_KERNELS, column_sum_sgd, gather, loss_write, softmax_rows

__all__ = ["FusedPath", "GraphPath"]

BLOCK = 256  # threads a block
MAX_BLOCKS = 1024  # the grid-stride loops cover the rest
WORKSPACE_BYTES = 32 * 2**20  # cuBLAS's workspace for the captured GEMMs (32 MiB on Hopper)


class Launcher:
    """kernel(spec, threads, *args): spec's CUDA, compiled for dtype once, launched on the
    current stream with enough blocks for ``threads`` items."""

    def __init__(self, cupy, dtype: str) -> None:
        self.cupy, self.dtype = cupy, dtype
        self.scalar = np.dtype(dtype).type
        self._compiled: dict[str, object] = {}

    def compile(self, spec) -> None:
        kernel = self.cupy.RawKernel(spec.source(self.dtype), spec.name)
        kernel.compile()
        self._compiled[spec.name] = kernel

    def __call__(self, spec, threads: int, *args) -> None:
        if spec.name not in self._compiled:
            self.compile(spec)
        values = []
        for kind, value in zip(spec.kinds, args, strict=True):  # the C types, exactly
            if kind == "index":
                value = np.int64(value)
            elif kind == "float":
                value = self.scalar(value)
            values.append(value)
        blocks = max(1, min(MAX_BLOCKS, -(-threads // BLOCK)))
        self._compiled[spec.name]((blocks,), (min(BLOCK, max(threads, 32)),), tuple(values))


def _cupy(trainer, name: str):
    backend = trainer.net.backend
    if not is_cupy_namespace(backend.xp):
        raise FastPathUnavailable(name, f"it needs a CuPy network; this one is on {backend.name}")
    import cupy

    return cupy


class FusedPath:
    """``run(i0, i1)``: steps i0..i1-1 of trainer, each the fused step. kernel and gemm: an
    executor other than CuPy's (tests/fast/ hands it NumPy's)."""

    name = "cupy-fused"

    def __init__(self, trainer, *, kernel=None, gemm=None) -> None:
        self.trainer = trainer
        if kernel is None:
            cupy = _cupy(trainer, self.name)
            from cupy_backends.cuda.libs import cublas

            handle = cupy.cuda.device.get_cublas_handle()
            kernel = self._launcher(cupy)
            gemm = Cublas(cublas, handle, dtype_name(trainer.net.dtype), _address)
        self.buffers = make_buffers(trainer)
        self.step = FusedStep(trainer.net.config["activation"], kernel, gemm)

    def _launcher(self, cupy) -> Launcher:
        """The kernels of this net's step, compiled now: a compiler error stops the build."""
        launcher = Launcher(cupy, dtype_name(self.trainer.net.dtype))
        forward, backward = ACTIVATION_KERNELS[self.trainer.net.config["activation"]]
        for spec in (gather, forward, softmax_rows, loss_write, column_sum_sgd, backward):
            launcher.compile(spec)
        return launcher

    def _check(self) -> None:
        """The kernels and GEMMs address the arrays directly: C-ordered, the net's dtype."""
        net = self.trainer.net
        for key, value in net.params.items():
            if value.dtype != net.dtype or not _c_ordered(value):
                raise ValueError(
                    f"{self.name} needs net.params[{key!r}] C-ordered in {net.dtype}; got"
                    f" {value.dtype}; assign xp.asarray(value, dtype=net.dtype, copy=True)"
                )

    def run(self, i0: int, i1: int) -> int:
        t = self.trainer
        self._check()
        self.buffers.batches, j0 = t._epoch_batches(i0)
        self.buffers.slot[...] = j0
        for i in range(i0, i1):
            self.step(self.buffers, t.optimizer.lr)
            if t._stop:  # Ctrl-C: stop at the end of the step, as the eager loop does
                return i + 1
        return i1


class GraphPath(FusedPath):
    """``run(i0, i1)``: steps i0..i1-1 of trainer, each one launch of the captured fused step.
    ``capture_seconds``: the last capture's time, warm-up included."""

    name = "cupy-graph"

    def __init__(self, trainer) -> None:
        cupy = _cupy(trainer, self.name)
        try:
            from nvmath.bindings import cublas
        except ImportError as error:
            raise FastPathUnavailable(
                self.name,
                "CuPy's cuBLAS calls refuse stream capture (cupy#6290), and the GEMMs' other"
                f" route, nvmath-python's cuBLAS bindings, is not installed ({error}):"
                " pip install nvmath-python",
            ) from None
        self.trainer, self.cupy = trainer, cupy
        net = trainer.net
        dtype = dtype_name(net.dtype)
        self.pool = cupy.cuda.MemoryPool()  # the graph's buffers, and only they, come from it
        self.stream = cupy.cuda.Stream(non_blocking=True)
        with cupy.cuda.using_allocator(self.pool.malloc):
            static = cupy.zeros((trainer.iters_per_epoch, trainer.batch_size), dtype=cupy.int64)
            self.buffers = make_buffers(trainer, batches=static)
            self.workspace = cupy.empty(WORKSPACE_BYTES, dtype=cupy.uint8)
        self.handle = cublas.create()
        self._destroy = cublas.destroy
        cublas.set_stream(self.handle, self.stream.ptr)
        cublas.set_workspace(self.handle, self.workspace.data.ptr, WORKSPACE_BYTES)
        cublas.set_pointer_mode(self.handle, cublas.PointerMode.HOST)
        gemm = Cublas(cublas, self.handle, dtype, _address)
        self.step = FusedStep(net.config["activation"], self._launcher(cupy), gemm)
        self._copied = None  # the epoch's batch indices last copied into the static buffer
        self._captured: tuple = ()
        self.graph = None
        self.capture_seconds = None
        self._capture()

    def __del__(self) -> None:
        handle = getattr(self, "handle", None)
        if handle is not None:
            try:
                self._destroy(handle)
            except Exception:  # at interpreter exit CUDA may be gone already
                pass

    def _state(self) -> tuple:
        """What the graph froze: the arrays it addresses and the learning rate."""
        t = self.trainer
        return (*t.net.params.values(), t._losses, t.optimizer.lr)

    def _capture(self) -> None:
        cupy, stream, t = self.cupy, self.stream, self.trainer
        start = time.perf_counter()
        self._check()
        self.buffers.params, self.buffers.losses = t.net.params, t._losses
        lr = t.optimizer.lr
        cupy.cuda.get_current_stream().synchronize()  # the buffers' contents are ready
        with stream:
            self.step(self.buffers.scratch(), lr)  # warm-up on copies: the state is untouched
        stream.synchronize()
        with cupy.cuda.using_allocator(self.pool.malloc), stream:
            stream.begin_capture()
            try:
                self.step(self.buffers, lr)
            except BaseException:
                try:
                    stream.end_capture()
                except Exception:  # the failed call invalidated the capture already
                    pass
                raise
            graph = stream.end_capture()
        self.graph, self._captured = graph, self._state()
        self.capture_seconds = time.perf_counter() - start

    def _stale(self) -> bool:
        now = self._state()
        return (
            len(now) != len(self._captured)
            or any(a is not b for a, b in zip(now[:-1], self._captured[:-1], strict=False))
            or now[-1] != self._captured[-1]
        )

    def run(self, i0: int, i1: int) -> int:
        t = self.trainer
        batches, j0 = t._epoch_batches(i0)
        if batches is not self._copied:  # a new epoch's draws: into the static buffer
            self.buffers.batches[...] = batches
            self._copied = batches
        if self._stale():
            self._capture()
        self.buffers.slot[...] = j0
        for i in range(i0, i1):
            self.graph.launch()  # on the current stream, after the copies above
            if t._stop:
                return i + 1
        return i1


def _address(array) -> int:
    return array.data.ptr


def _c_ordered(array) -> bool:
    flags = getattr(array, "flags", None)
    return bool(flags is None or flags.c_contiguous)
