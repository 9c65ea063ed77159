"""The `case` fixture: every fast path, and each CPU stand-in for one that needs a GPU.

A case is a fast path on the backend it runs on, or, where that needs a GPU, the same Python
code on a CPU: the graph-form torch step run eagerly (what torch.cuda.graph records), the fused
step with its kernels' Array API twins, and the fused step with the kernels' CUDA run by the
C++ compiler and the GEMMs through xpnet's cuBLAS argument mapping on a host stand-in. Each case
runs where XPNET_BACKEND selects its backend and device (tests/conftest.py) and says why it
skips elsewhere. XPNET_FAST_REQUIRED (case ids, commas between) turns a skip of those cases
into a failure: the GPU acceptance run sets it, so a path that could not be built there fails.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from conftest import selected

import xpnet
from xpnet.backends import DeviceUnavailableError, Float64Notice
from xpnet.datasets import load_mnist_sample
from xpnet.fast import FastPathUnavailable
from xpnet.train import Trainer


def _graph_form(trainer):
    from xpnet.fast._torch import GraphPath

    return GraphPath(trainer, capture=False)


def _twins(trainer):
    from xpnet.fast._cupy import FusedPath
    from xpnet.fast.fused import twin_executor

    kernel, gemm = twin_executor()
    return FusedPath(trainer, kernel=kernel, gemm=gemm)


def _cuda_on_cpu(trainer):
    from fast.cuda_on_cpu import HostCublas, host_address
    from xpnet.backends import dtype_name
    from xpnet.fast._cupy import FusedPath
    from xpnet.fast.fused import Cublas

    dtype = dtype_name(trainer.net.dtype)
    gemm = Cublas(HostCublas(), 0, dtype, host_address)
    return FusedPath(trainer, kernel=_emulated(dtype), gemm=gemm)


_EMULATED: dict = {}


def _emulated(dtype: str):
    from fast.cuda_on_cpu import emulated_kernels

    if dtype not in _EMULATED:
        _EMULATED[dtype] = emulated_kernels(dtype)
    return _EMULATED[dtype]


@dataclass(frozen=True)
class Case:
    """id; the backend and device it runs on; step: the Trainer's step= for a real path, or
    None with install(trainer) -> the stand-in path; needs: what must be installed."""

    id: str
    backend: str
    device: str
    step: str | None = None
    install: Callable | None = None
    needs: str | None = None

    def trainer(self, net, *data, **options) -> Trainer:
        """A Trainer of net running this case's step."""
        trainer = Trainer(net, *data, step=self.step or "eager", **options)
        if self.install is not None:
            trainer._fast, trainer.step_path = self.install(trainer), self.id
        return trainer


CASES = [
    Case("jax-scan-cpu", "jax", "cpu", "jax-scan"),
    Case("jax-scan-cuda", "jax", "cuda", "jax-scan"),
    Case("torch-graph", "torch", "cuda", "torch-graph"),
    Case("torch-graph-form-cpu", "torch", "cpu", install=_graph_form),
    Case("cupy-fused", "cupy", "cuda", "cupy-fused"),
    Case("cupy-graph", "cupy", "cuda", "cupy-graph"),
    Case("fused-twins-numpy", "numpy", "cpu", install=_twins),
    Case("fused-cuda-on-cpu", "numpy", "cpu", install=_cuda_on_cpu, needs="g++"),
]


def _required(case: Case) -> bool:
    wanted = os.environ.get("XPNET_FAST_REQUIRED", "")
    return case.id in [w.strip() for w in wanted.split(",")]


def skip_or_fail(case: Case, reason: str):
    if _required(case):
        pytest.fail(f"XPNET_FAST_REQUIRED names {case.id}, which cannot run here: {reason}")
    pytest.skip(reason)


@pytest.fixture(params=CASES, ids=[case.id for case in CASES])
def case(request) -> Case:
    case = request.param
    chosen = [(name, device) for name, device, _ in selected()]
    if (case.backend, case.device) not in chosen:
        skip_or_fail(case, f"XPNET_BACKEND does not select {case.backend}-{case.device}")
    if case.needs == "g++":
        from fast.cuda_on_cpu import compiler

        if compiler() is None:
            skip_or_fail(case, "no C++ compiler to run the kernels' CUDA on the CPU")
    if case.backend != "numpy" and importlib.util.find_spec(case.backend) is None:
        skip_or_fail(case, f"{case.backend} is not installed")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Float64Notice)
            case_backend(case)
    except DeviceUnavailableError as error:
        skip_or_fail(case, str(error))
    return case


def case_backend(case: Case):
    return xpnet.get_backend(case.device, backend=case.backend)


def make(case: Case, data, *, step_of=None, activation="relu", dtype="float64", seed=0, **kw):
    """A TwoLayerNet(784, 20, 10) on case's backend and a Trainer running case's step (or, with
    step_of="eager", the reference step on the same backend)."""
    backend = case_backend(case)
    net = xpnet.TwoLayerNet(
        784,
        20,
        10,
        activation=activation,
        xp=backend.xp,
        device=backend.device,
        dtype=dtype,
        seed=seed,
    )
    options = {"batch_size": 40, "learning_rate": 0.2, "seed": 3, **kw}
    if step_of == "eager":
        return Trainer(net, *data, step="eager", **options)
    try:
        return case.trainer(net, *data, **options)
    except FastPathUnavailable as error:
        skip_or_fail(case, str(error))


@pytest.fixture(scope="session")
def sample():
    """600 training images (15 steps of 40 an epoch: 600 steps are 40 epochs), 200 to test."""
    (x_train, t_train), (x_test, t_test) = load_mnist_sample()
    return (x_train[:600], t_train[:600]), (x_test[:200], t_test[:200])
