"""The fused step's pieces on a CPU: each kernel's CUDA compiles for the H200 (nvcc) and, run
by the C++ compiler, equals its Array API twin, NaN and inf included; the row-major GEMMs reach
cuBLAS with the right arguments; the launcher hands CUDA the C types its parameters declare."""

from __future__ import annotations

import inspect
import shutil
from typing import ClassVar

import numpy as np
import pytest

from fast.cuda_on_cpu import HostCublas, compiler, emulated_kernels, host_address, nvcc_compiles
from xpnet.fast._cupy import Launcher
from xpnet.fast.fused import Cublas, XpBlas, column_major_gemm
from xpnet.fast.kernels import KERNELS

DTYPES = ["float32", "float64"]
N, D, H, C, E = 7, 5, 4, 3, 6  # small, and all different: a wrong stride cannot hide


def test_every_kernels_twin_takes_its_cuda_parameters_in_order():
    for kernel in KERNELS.values():
        names = [p.strip().rsplit(None, 1)[1] for p in kernel.params.split(",")]
        assert list(inspect.signature(kernel.twin).parameters) == names, kernel.name
        assert len(kernel.kinds) == len(names)
    assert KERNELS["xpnet_gather"].kinds[4:7] == ("index", "index", "index")
    assert KERNELS["xpnet_softmax_rows"].kinds[5] == "float"


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc (CUDA's compiler) is not installed")
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_kernel_compiles_for_the_h200(dtype, tmp_path):
    for kernel in KERNELS.values():
        done = nvcc_compiles(kernel.source(dtype), tmp_path)
        assert done.returncode == 0, f"{kernel.name}: {done.stderr}"
        assert "warning" not in done.stderr, f"{kernel.name}: {done.stderr}"


def arguments(kernel, dtype, rng) -> list:
    """Random arguments of kernel's parameters, with NaN and inf in the float arrays."""
    rows = np.array([N - 1, 0, 2, 2, 5, 1, 3])  # E rows of N picks each
    values = {
        "B": N,
        "N": N,
        "D": D,
        "C": C,
        "H": H,
        "K": C,
        "inv_n": 1.0 / N,
        "lr": 0.3,
        "batches": np.stack([np.roll(rows, e) for e in range(E)]).astype(np.int64),
        "slot": np.array([4], dtype=np.int64),
        "losses": np.zeros(E, dtype),
    }
    shapes = {
        "x_train": (N, D),
        "t_train": (N, C),
        "xb": (N, D),
        "tb": (N, C),
        "t": (N, C),
        "a": (N, C) if "softmax" in kernel.name else (N, H),
        "b": (C,) if "softmax" in kernel.name or "column" in kernel.name else (H,),
        "h": (N, H),
        "dh": (N, H),
        "dz": (N, H),
        "d": (N, C),
        "dout": (N, C),
        "row_log": (N,),
        "row_zt": (N,),
    }
    out = []
    for param in kernel.params.split(","):
        name = param.strip().rsplit(None, 1)[1]
        if name in values:
            value = values[name]
            out.append(np.copy(value) if isinstance(value, np.ndarray) else value)
            continue
        array = rng.standard_normal(shapes[name]).astype(dtype)
        if name in ("a", "dh", "row_log"):  # non-finite values must stay non-finite
            array.flat[3], array.flat[-2] = np.nan, np.inf
        if name == "h" and "sigmoid" in kernel.name:
            array = np.abs(array) / (1 + np.abs(array))
        out.append(array)
    return out


@pytest.mark.skipif(compiler() is None, reason="no C++ compiler to run the kernels' CUDA")
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_kernels_cuda_equals_its_twin(dtype, tmp_path):
    run_cuda = emulated_kernels(dtype, tmp_path)
    rtol = 1e-6 if dtype == "float32" else 1e-14
    rng = np.random.default_rng(0)
    for kernel in KERNELS.values():
        cuda = arguments(kernel, dtype, rng)
        twin = [np.copy(a) if isinstance(a, np.ndarray) else a for a in cuda]
        run_cuda(kernel, 1, *cuda)
        with np.errstate(all="ignore"):
            kernel.twin(*twin)
        for mine, theirs in zip(cuda, twin, strict=True):
            if isinstance(mine, np.ndarray):
                np.testing.assert_allclose(mine, theirs, rtol=rtol, atol=0, err_msg=kernel.name)
                assert mine.dtype == theirs.dtype


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("transa", [False, True])
@pytest.mark.parametrize("transb", [False, True])
@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 0.0), (-0.25, 1.0), (2.0, 0.5)])
def test_row_major_gemm_through_cublas_equals_matmul(dtype, transa, transb, alpha, beta):
    """xpnet.fast.fused.Cublas, the class the GPU uses, on cuBLAS's contract run on the host:
    C <- alpha op(A) op(B) + beta C for C-ordered arrays, C unread when beta is 0."""
    rng = np.random.default_rng(1)
    M, K, Nn = 3, 5, 4
    A = rng.standard_normal((K, M) if transa else (M, K)).astype(dtype)
    B = rng.standard_normal((Nn, K) if transb else (K, Nn)).astype(dtype)
    C = rng.standard_normal((M, Nn)).astype(dtype)
    if beta == 0.0:
        C[0, 0] = np.nan  # BLAS does not read C then
    want = np.copy(C)
    XpBlas()(transa, transb, alpha, A, B, beta, want)
    cublas = HostCublas()
    Cublas(cublas, 0, dtype, host_address)(transa, transb, alpha, A, B, beta, C)
    np.testing.assert_allclose(C, want, rtol=1e-6 if dtype == "float32" else 1e-15)
    assert len(cublas.calls) == 1


def test_column_major_gemm_names_a_shape_mismatch():
    assert column_major_gemm(False, False, (3, 5), (5, 4), (3, 4)) == (0, 0, 4, 3, 5, 4, 5, 4)
    with pytest.raises(ValueError, match="shapes do not fit"):
        column_major_gemm(False, True, (3, 5), (5, 4), (3, 4))


class FakeRawKernel:
    """cupy.RawKernel's interface, recording each launch."""

    launches: ClassVar[list] = []

    def __init__(self, code, name):
        self.code, self.name = code, name

    def compile(self):
        pass

    def __call__(self, grid, block, args):
        FakeRawKernel.launches.append((self.name, grid, block, args))


def test_the_launcher_passes_each_parameter_as_its_c_type():
    fake = type("cupy", (), {"RawKernel": FakeRawKernel})
    FakeRawKernel.launches.clear()
    launch = Launcher(fake, "float32")
    kernel = KERNELS["xpnet_column_sum_sgd"]  # const T* d, I N, I K, T lr, T* b
    d, b = np.zeros((2, 3), np.float32), np.zeros(3, np.float32)
    launch(kernel, 3, d, 2, 3, 0.1, b)
    launch(kernel, 10_000, d, 2, 3, 0.1, b)
    (name, grid, block, args), (_, big_grid, big_block, _) = FakeRawKernel.launches
    assert name == "xpnet_column_sum_sgd" and args[0] is d and args[4] is b
    assert type(args[1]) is np.int64 and type(args[2]) is np.int64
    assert type(args[3]) is np.float32 and args[3] == np.float32(0.1)
    assert grid == (1,) and block == (32,) and big_grid == (40,) and big_block == (256,)
