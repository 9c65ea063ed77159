"""The fused step's CUDA and cuBLAS calls, run on a CPU: what proves them before a GPU run.

- :func:`emulated_kernels` compiles each kernel's CUDA source (xpnet.fast.kernels) with the C++
  compiler, with a prelude that makes ``__global__`` nothing and the launch one block of one
  thread; since every kernel loops grid-stride and shares nothing between threads, that one
  thread does all the work the GPU's threads would. It returns a ``kernel(spec, threads,
  *args)`` for xpnet.fast.fused.FusedStep, taking NumPy arrays by their addresses.
- :class:`HostCublas` is cuBLAS's ``dgemm``/``sgemm`` (column-major, leading dimensions,
  alpha and beta by host pointer) on host memory, so that xpnet.fast.fused.Cublas -- the class
  the GPU uses -- runs here unchanged.
- :func:`nvcc_compiles` compiles a source with nvcc for the H200's sm_90, as NVRTC will.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from xpnet.fast.kernels import KERNELS

PRELUDE = """#include <cmath>
struct xpnet_dim3 { unsigned int x, y, z; };
static const xpnet_dim3 threadIdx = {0, 0, 0}, blockIdx = {0, 0, 0};
static const xpnet_dim3 blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
#define __global__
using std::exp;
using std::fabs;
using std::log;
"""
C_TYPES = {"float32": ctypes.c_float, "float64": ctypes.c_double}


def compiler() -> str | None:
    return shutil.which("g++") or shutil.which("c++") or shutil.which("clang++")


def emulated_kernels(dtype: str, folder: Path | None = None):
    """kernel(spec, threads, *args): spec's CUDA source for dtype, compiled by the C++ compiler
    and run on NumPy arrays (threads is ignored: one thread loops over everything)."""
    folder = Path(folder or tempfile.mkdtemp(prefix="xpnet-cuda-"))
    libraries = {}
    for kernel in KERNELS.values():
        source = folder / f"{kernel.name}_{dtype}.cpp"
        source.write_text(PRELUDE + kernel.source(dtype))
        library = source.with_suffix(".so")
        subprocess.run(
            [compiler(), "-shared", "-fPIC", "-O1", "-o", str(library), str(source)],
            check=True,
            capture_output=True,
        )
        function = getattr(ctypes.CDLL(str(library)), kernel.name)
        function.restype = None
        types = {"array": ctypes.c_void_p, "index": ctypes.c_longlong, "float": C_TYPES[dtype]}
        function.argtypes = [types[kind] for kind in kernel.kinds]
        libraries[kernel.name] = function

    def kernel(spec, threads, *args):
        values = []
        for kind, value in zip(spec.kinds, args, strict=True):
            if kind == "array":
                assert value.flags.c_contiguous, f"{spec.name}: a non-contiguous array"
                values.append(value.ctypes.data)
            else:
                values.append(value)
        libraries[spec.name](*values)

    return kernel


def _column_major(address: int, rows: int, cols: int, ld: int, dtype) -> np.ndarray:
    """The column-major (rows, cols) matrix of leading dimension ld at address, as a view."""
    item = np.dtype(dtype).itemsize
    count = ld * (cols - 1) + rows
    buffer = (ctypes.c_char * (count * item)).from_address(address)
    flat = np.frombuffer(buffer, dtype=dtype, count=count)
    return np.lib.stride_tricks.as_strided(flat, shape=(rows, cols), strides=(item, ld * item))


class HostCublas:
    """cublasDgemm/cublasSgemm's contract on host memory: C <- alpha op(A) op(B) + beta C,
    column-major; op 0 is N, 1 is T; C is not read when beta is 0. Records each call."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def _gemm(self, dtype, handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc):
        self.calls.append((transa, transb, m, n, k, lda, ldb, ldc))
        a_rows, a_cols = (m, k) if transa == 0 else (k, m)
        b_rows, b_cols = (k, n) if transb == 0 else (n, k)
        assert lda >= max(1, a_rows) and ldb >= max(1, b_rows) and ldc >= max(1, m)
        a = _column_major(A, a_rows, a_cols, lda, dtype)
        b = _column_major(B, b_rows, b_cols, ldb, dtype)
        c = _column_major(C, m, n, ldc, dtype)
        alpha = _column_major(alpha, 1, 1, 1, dtype)[0, 0]
        beta = _column_major(beta, 1, 1, 1, dtype)[0, 0]
        product = (a.T if transa else a) @ (b.T if transb else b)
        c[...] = alpha * product if beta == 0 else alpha * product + beta * c

    def dgemm(self, *args):
        self._gemm(np.float64, *args)

    def sgemm(self, *args):
        self._gemm(np.float32, *args)


def host_address(array: np.ndarray) -> int:
    return array.ctypes.data


def nvcc_compiles(source: str, folder: Path) -> subprocess.CompletedProcess:
    """nvcc -arch=sm_90 -cubin on source (the H200 is sm_90)."""
    path = Path(folder) / "kernel.cu"
    path.write_text(source)
    return subprocess.run(
        ["nvcc", "-arch=sm_90", "-cubin", "-o", str(path.with_suffix(".cubin")), str(path)],
        capture_output=True,
        text=True,
    )
