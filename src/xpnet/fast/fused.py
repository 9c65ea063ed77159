"""The fused training step, written once: six kernels and five GEMMs, on buffers made once.

Read :meth:`FusedStep.__call__`: it is the book's step (gather, Affine, activation, Affine,
SoftmaxWithLoss, their backward, SGD) in 11 launches instead of ~35. The SGD update of W1 and
W2 is folded into the GEMM that computes its gradient (``W <- W - lr x^T dout`` is one GEMM
with alpha = -lr, beta = 1), and each bias's gradient and update into one column-sum kernel.
Everything the step reads or writes lives in :class:`Buffers`, made before the first step,
and the step itself reads its batch row and loss slot from ``slot`` on the device and advances
it: so it allocates nothing, reads nothing back, and can be captured into a CUDA graph.

It runs on whatever executes its two verbs, ``kernel(spec, threads, *args)`` and ``gemm(...)``:

- on CuPy: the kernels compiled by NVRTC, GEMMs through cuBLAS (:mod:`._cupy`);
- on NumPy (tests/fast/): the kernels' Array API twins (:mod:`.kernels`) and :class:`XpBlas`,
  or the CUDA run by a C++ compiler and :class:`Cublas` on a cuBLAS stand-in, to check the
  CUDA and the argument mapping below on a machine without a GPU.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..backends import Array, array_namespace
from .kernels import ACTIVATION_KERNELS, gather, loss_write, softmax_rows, twin_call
from .kernels import column_sum_sgd as column_sum

__all__ = ["Buffers", "Cublas", "FusedStep", "XpBlas", "make_buffers"]


@dataclasses.dataclass
class Buffers:
    """What one fused step reads and writes: the trainer's arrays (params: the net's dict,
    read at each step; x_train (N, D), t_train (N, C), losses (E,), batches (E, B)), a (1,)
    int64 slot, and the step's own intermediates, each made once."""

    params: dict
    x_train: Array
    t_train: Array
    batches: Array
    losses: Array
    slot: Array
    xb: Array
    tb: Array
    a1: Array
    h: Array
    a2: Array
    dout: Array
    row_log: Array
    row_zt: Array
    dh: Array
    dz: Array

    def scratch(self) -> Buffers:
        """The same buffers with copies of the parameters, losses and slot: a warm-up step on
        them leaves the trainer's state as it was."""
        xp = array_namespace(self.losses)
        copy = {key: xp.asarray(value, copy=True) for key, value in self.params.items()}
        losses, slot = xp.asarray(self.losses, copy=True), xp.zeros_like(self.slot)
        return dataclasses.replace(self, params=copy, losses=losses, slot=slot)


def make_buffers(trainer, *, batches: Array | None = None) -> Buffers:
    """The Buffers of trainer's fused step, zeros on the net's device. batches: a static
    buffer (for a capture), or None: then each run hands the step the epoch's own."""
    net, backend = trainer.net, trainer.net.backend
    xp, dtype = backend.xp, net.dtype

    def zeros(shape, kind):
        return xp.zeros(shape, dtype=kind, device=backend.device)

    N, B = trainer.train_size, trainer.batch_size
    D = math.prod(trainer.x_train.shape[1:])
    H, C = net.params["W1"].shape[1], net.params["W2"].shape[1]
    return Buffers(
        params=net.params,
        x_train=xp.reshape(trainer.x_train, (N, D)),
        t_train=trainer.t_train,
        batches=batches,
        losses=trainer._losses,
        slot=zeros((1,), xp.int64),
        xb=zeros((B, D), dtype),
        tb=zeros((B, C), dtype),
        a1=zeros((B, H), dtype),
        h=zeros((B, H), dtype),
        a2=zeros((B, C), dtype),
        dout=zeros((B, C), dtype),
        row_log=zeros((B,), dtype),
        row_zt=zeros((B,), dtype),
        dh=zeros((B, H), dtype),
        dz=zeros((B, H), dtype),
    )


class FusedStep:
    """``step(buffers, lr)``: one SGD step of a TwoLayerNet of activation "relu" or "sigmoid".
    kernel(spec, threads, *args) launches a kernel of .kernels (threads: how many items it
    loops over); gemm(transa, transb, alpha, A, B, beta, C): C <- alpha op(A) op(B) + beta C."""

    def __init__(self, activation: str, kernel: Callable, gemm: Callable) -> None:
        self.forward, self.backward = ACTIVATION_KERNELS[activation]
        self.kernel, self.gemm = kernel, gemm

    def __call__(self, s: Buffers, lr: float) -> None:
        k, gemm, p = self.kernel, self.gemm, s.params
        B, D = s.xb.shape
        H, C = s.h.shape[1], s.tb.shape[1]
        k(gather, B * (D + C), s.x_train, s.t_train, s.batches, s.slot, B, D, C, s.xb, s.tb)
        gemm(False, False, 1.0, s.xb, p["W1"], 0.0, s.a1)  # Affine1: x W1 (+ b1 below)
        k(self.forward, B * H, s.a1, p["b1"], B, H, s.h)  # + b1, then relu or sigmoid
        gemm(False, False, 1.0, s.h, p["W2"], 0.0, s.a2)  # Affine2: h W2 (+ b2 below)
        k(softmax_rows, B, s.a2, p["b2"], s.tb, B, C, 1.0 / B, s.dout, s.row_log, s.row_zt)
        k(loss_write, 1, s.row_log, s.row_zt, B, s.slot, s.losses)  # and slot += 1
        gemm(False, True, 1.0, s.dout, p["W2"], 0.0, s.dh)  # Affine2's dx, before W2 moves
        gemm(True, False, -lr, s.h, s.dout, 1.0, p["W2"])  # W2 <- W2 - lr h^T dout
        k(column_sum, C, s.dout, B, C, lr, p["b2"])  # b2 <- b2 - lr sum(dout)
        k(self.backward, H, s.dh, s.h, B, H, lr, s.dz, p["b1"])  # dz; b1 <- b1 - lr sum(dz)
        gemm(True, False, -lr, s.xb, s.dz, 1.0, p["W1"])  # W1 <- W1 - lr x^T dz


# -- GEMMs -----------------------------------------------------------------------------------


class XpBlas:
    """gemm with the Array API's matmul, as BLAS defines it (beta = 0: C is not read)."""

    def __call__(self, transa, transb, alpha, A, B, beta, C) -> None:
        product = (A.T if transa else A) @ (B.T if transb else B)
        if alpha != 1.0:
            product = alpha * product
        C[...] = product if beta == 0.0 else product + beta * C


class Cublas:
    """gemm through a cuBLAS binding on row-major (C-ordered) arrays.

    binding: a module with ``dgemm`` and ``sgemm`` of cuBLAS's argument order (CuPy's
    ``cupy_backends.cuda.libs.cublas`` or nvmath-python's ``nvmath.bindings.cublas``); handle:
    a cuBLAS handle of it; pointer(a): a's device address. alpha and beta go by host pointer
    (cuBLAS's default pointer mode): a captured GEMM keeps the values it was captured with.
    """

    def __init__(self, binding, handle: int, dtype: str, pointer: Callable[[Any], int]) -> None:
        self.function = binding.dgemm if dtype == "float64" else binding.sgemm
        self.handle, self.pointer = handle, pointer
        self.dtype = np.dtype(dtype)
        self._scalars: dict[float, np.ndarray] = {}  # host memory the pointers point at

    def _scalar(self, value: float) -> int:
        if value not in self._scalars:
            self._scalars[value] = np.full(1, value, dtype=self.dtype)
        return self._scalars[value].ctypes.data

    def __call__(self, transa, transb, alpha, A, B, beta, C) -> None:
        arguments = column_major_gemm(transa, transb, A.shape, B.shape, C.shape)
        op_first, op_second, m, n, k, ld_first, ld_second, ldc = arguments
        self.function(
            self.handle,
            op_first,
            op_second,
            m,
            n,
            k,
            self._scalar(alpha),
            self.pointer(B),  # B first: see column_major_gemm
            ld_first,
            self.pointer(A),
            ld_second,
            self._scalar(beta),
            self.pointer(C),
            ldc,
        )


def column_major_gemm(transa: bool, transb: bool, a_shape, b_shape, c_shape) -> tuple:
    """cuBLAS's (transa, transb, m, n, k, lda, ldb, ldc) for row-major C = op(A) op(B), with B
    passed first and A second.

    cuBLAS is column-major, and a row-major (r, c) matrix is the column-major (c, r) matrix of
    its transpose, with leading dimension c. So row-major C (M, N) = op(A) op(B) is
    column-major C^T = op(B)^T op(A)^T: cuBLAS's first operand is B (transposed when op(B) is
    B^T), its second A, m = N, n = M, and every leading dimension is a row length.
    """
    M, K = (a_shape[1], a_shape[0]) if transa else tuple(a_shape)
    K2, N = (b_shape[1], b_shape[0]) if transb else tuple(b_shape)
    if K2 != K or tuple(c_shape) != (M, N):
        raise ValueError(
            f"gemm shapes do not fit: op(A) {(M, K)}, op(B) {(K2, N)}, C {tuple(c_shape)}"
        )
    return int(transb), int(transa), N, M, K, b_shape[1], a_shape[1], c_shape[1]


def twin_executor() -> tuple[Callable, Callable]:
    """(kernel, gemm) that run the fused step with the kernels' Array API twins: on NumPy, the
    step's math checked on a CPU."""
    return twin_call, XpBlas()
