"""What only a GPU can show of the fast paths (the GPU sessions run these; here they skip):
replays that never wait for the GPU, a jax-scan call that reads nothing back, CuPy's kernels
equal to their twins on the device, the captured CuPy step's memory apart from CuPy's pool.
Equality with the eager step, resuming, signals and divergence are tests/fast/test_fast_paths.py's,
on every case, these included."""

from __future__ import annotations

import numpy as np
import pytest

from fast.conftest import CASES, make
from fast.test_fused_kernels import arguments
from xpnet.fast.kernels import KERNELS

BY_ID = {case.id: case for case in CASES}


def on(*ids):
    return pytest.mark.parametrize("case", [BY_ID[i] for i in ids], indirect=True, ids=ids)


@on("torch-graph")
def test_torch_graph_replays_never_wait_for_the_gpu(case, sample):
    import torch

    trainer = make(case, sample, dtype="float32")
    trainer.run(1)  # step 0, its evaluation, the epoch's batch indices drawn and copied
    assert trainer._fast.capture_seconds > 0
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")  # any synchronizing call raises
    try:
        assert trainer.run_steps(1, 15) == 15
    finally:
        torch.cuda.set_sync_debug_mode(0)
    assert bool(torch.isfinite(trainer._losses[:15]).all())


@on("jax-scan-cuda")
def test_jax_scan_reads_nothing_back_between_log_points(case, sample):
    """JAX's transfer guard raises at any implicit device-to-host read (a float(), a NumPy
    copy: each waits for the GPU). On the CPU a JAX array is host memory and the guard never
    fires, so this runs on the GPU only."""
    import jax

    trainer = make(case, sample, dtype="float32")
    trainer.run(16)  # epoch 1 begun and evaluated; the programs of 1 and 14 steps compiled
    with jax.transfer_guard_device_to_host("disallow"):
        assert trainer.run_steps(16, 30) == 30  # steps 1..14 of epoch 1: one compiled call
    assert bool(jax.numpy.isfinite(trainer._losses[1:15]).all())


@on("cupy-graph", "cupy-fused")
def test_cupy_paths_queue_their_steps_without_waiting(case, sample):
    """Behind a second of queued GPU work, the steps are all queued before the GPU is done:
    no step waits for it. cupy-graph's buffers come from its own pool: CuPy's does not grow."""
    import cupy

    trainer = make(case, sample, dtype="float32")
    trainer.run(1)
    cupy.cuda.get_current_stream().synchronize()
    pool = cupy.get_default_memory_pool()
    used = pool.used_bytes()
    big = cupy.ones((8192, 8192), dtype=cupy.float32)
    for _ in range(20):
        big @ big
    assert trainer.run_steps(1, 15) == 15
    busy = not cupy.cuda.get_current_stream().done
    cupy.cuda.get_current_stream().synchronize()
    assert busy, "a step waited for the GPU"
    del big
    assert pool.used_bytes() == used  # the steps allocate nothing
    if case.id == "cupy-graph":
        assert trainer._fast.capture_seconds > 0


@on("cupy-fused")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cupy_kernels_on_the_gpu_equal_their_twins(case, dtype):
    import cupy

    from xpnet.fast._cupy import Launcher

    launch = Launcher(cupy, dtype)
    rtol, atol = (1e-5, 1e-6) if dtype == "float32" else (1e-12, 1e-14)
    rng = np.random.default_rng(0)
    for kernel in KERNELS.values():
        host = arguments(kernel, dtype, rng)
        device = [cupy.asarray(a) if isinstance(a, np.ndarray) else a for a in host]
        launch(kernel, 64, *device)
        with np.errstate(all="ignore"):
            kernel.twin(*host)
        for mine, theirs in zip(device, host, strict=True):
            if isinstance(theirs, np.ndarray):
                np.testing.assert_allclose(
                    mine.get(), theirs, rtol=rtol, atol=atol, err_msg=kernel.name
                )
