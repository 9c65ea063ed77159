"""The fused step's six kernels: each one's CUDA source, and right under it, its Array API twin.

A kernel is what a GPU runs in one launch; the eager step makes ~35 launches, the fused step
(:mod:`.fused`) makes these six and five cuBLAS GEMMs. Each :class:`Kernel` holds its CUDA C++
body; the function under it computes the same thing with the standard's functions (the
reference's own where it has one: ``relu``, ``sigmoid``), and is what the kernel must equal:

- on a GPU, CuPy compiles the CUDA (NVRTC) and launches it (:mod:`._cupy`);
- on a CPU, the twins run the fused step with NumPy, against the reference step (tests/fast/);
  and the CUDA itself is compiled by nvcc, and run by a C++ compiler thread by thread in a
  loop, against the twins, where those compilers are installed.

Every kernel loops over its items with a grid-stride loop (``XP_FOR``), so any launch covers
them all, one thread included; no kernel shares memory between threads or synchronizes them.
``T`` is the float type (float or double), ``I`` is ``long long``. The kernels keep the
reference's NaN and inf: a non-finite loss must stay non-finite, or divergence goes unseen.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..backends import Array, array_namespace
from ..functions import relu, sigmoid

__all__ = ["KERNELS", "Kernel"]

C_TYPES = {"float32": "float", "float64": "double"}
PRELUDE = """typedef {T} T;
typedef long long I;
#define XP_FOR(i, n) \\
  for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (I)blockDim.x * gridDim.x)
"""


@dataclass(frozen=True)
class Kernel:
    """name: the CUDA function's; params: its C parameters, e.g. ``"const T* x, I n, T* y"``
    (pointers are arrays, ``I`` and ``T`` scalars); body: its CUDA C++; twin: the function of
    the same parameters computing the same with the Array API."""

    name: str
    params: str
    body: str
    twin: object = None

    def source(self, dtype: str) -> str:
        """The kernel's CUDA source for dtype "float32" or "float64"."""
        head = PRELUDE.format(T=C_TYPES[dtype])
        return f'{head}extern "C" __global__ void {self.name}({self.params}) {{\n{self.body}}}\n'

    @property
    def kinds(self) -> tuple[str, ...]:
        """Each parameter's kind, in order: "array", "index" (I) or "float" (T)."""
        kinds = []
        for param in self.params.split(","):
            ctype = param.strip().rsplit(None, 1)[0]
            kinds.append("array" if "*" in ctype else "index" if ctype == "I" else "float")
        return tuple(kinds)


def _kernel(name: str, params: str, body: str):
    """Decorate the twin of the kernel name: returns the Kernel, with the function as twin."""

    def make(twin) -> Kernel:
        return Kernel(name, " ".join(params.split()), body, twin)

    return make


@_kernel(
    "xpnet_gather",
    "const T* x_train, const T* t_train, const I* batches, const I* slot, I B, I D, I C,"
    " T* xb, T* tb",
    """  const I* rows = batches + slot[0] * B;  // the batch: row slot of the epoch's indices
  XP_FOR(i, B * (D + C)) {
    if (i < B * D) {
      const I r = i / D;
      xb[i] = x_train[rows[r] * D + (i - r * D)];
    } else {
      const I k = i - B * D, r = k / C;
      tb[k] = t_train[rows[r] * C + (k - r * C)];
    }
  }
""",
)
def gather(x_train, t_train, batches, slot, B, D, C, xb, tb) -> None:
    """xb (B, D), tb (B, C) <- the rows of x_train (N, D), t_train (N, C) that row slot[0]
    of batches (E, B) names."""
    xp = array_namespace(x_train)
    rows = xp.reshape(xp.take(batches, slot, axis=0), (-1,))
    xb[...] = xp.take(x_train, rows, axis=0)
    tb[...] = xp.take(t_train, rows, axis=0)


@_kernel(
    "xpnet_bias_relu",
    "const T* a, const T* b, I N, I H, T* h",
    """  XP_FOR(i, N * H) {
    const T z = a[i] + b[i % H];
    h[i] = (z > 0 || z != z) ? z : (T)0;  // max(z, 0), NaN kept, as the reference's maximum
  }
""",
)
def bias_relu(a, b, N, H, h) -> None:
    """h (N, H) <- relu(a + b): Affine1's bias and the ReLU layer's forward."""
    h[...] = relu(a + b)


@_kernel(
    "xpnet_bias_sigmoid",
    "const T* a, const T* b, I N, I H, T* h",
    """  XP_FOR(i, N * H) {
    const T z = a[i] + b[i % H];
    const T e = exp(-fabs(z));  // in (0, 1]: never overflows
    h[i] = z >= 0 ? (T)1 / ((T)1 + e) : e / ((T)1 + e);
  }
""",
)
def bias_sigmoid(a, b, N, H, h) -> None:
    """h (N, H) <- sigmoid(a + b): Affine1's bias and the Sigmoid layer's forward."""
    h[...] = sigmoid(a + b)


@_kernel(
    "xpnet_softmax_rows",
    "const T* a, const T* b, const T* t, I N, I C, T inv_n, T* dout, T* row_log, T* row_zt",
    """  XP_FOR(r, N) {
    const T* x = a + r * C;
    T m = x[0] + b[0];
    for (I c = 1; c < C; ++c) {
      const T z = x[c] + b[c];
      if (z > m || z != z) m = z;  // the row's maximum; a NaN wins, as in xp.max
    }
    T total = 0;
    for (I c = 0; c < C; ++c) total += exp(x[c] + b[c] - m);
    T zt = 0;
    for (I c = 0; c < C; ++c) {
      const T z = x[c] + b[c] - m;  // shifted so exp() cannot overflow
      zt += z * t[r * C + c];
      dout[r * C + c] = (exp(z) / total - t[r * C + c]) * inv_n;  // (softmax - t) / N
    }
    row_log[r] = log(total);
    row_zt[r] = zt;
  }
""",
)
def softmax_rows(a, b, t, N, C, inv_n, dout, row_log, row_zt) -> None:
    """Affine2's bias, SoftmaxWithLoss forward and backward, row by row: for logits x = a + b
    (N, C) and one-hot t, z = x - max(x): dout <- (softmax(x) - t) * inv_n; row_log (N,) <-
    log(sum(exp(z))), row_zt (N,) <- sum(z * t), whose means make the loss."""
    xp = array_namespace(a)
    x = a + b
    z = x - xp.max(x, axis=1, keepdims=True)
    e = xp.exp(z)
    total = xp.sum(e, axis=1, keepdims=True)
    dout[...] = (e / total - t) * inv_n
    row_log[...] = xp.log(total[:, 0])
    row_zt[...] = xp.sum(z * t, axis=1)


@_kernel(
    "xpnet_loss_write",
    "const T* row_log, const T* row_zt, I N, I* slot, T* losses",
    """  XP_FOR(i, 1) {
    T logs = 0, zt = 0;
    for (I r = 0; r < N; ++r) {
      logs += row_log[r];
      zt += row_zt[r];
    }
    losses[slot[0]] = logs / N - zt / N;  // mean of -log softmax of the true class
    slot[0] += 1;  // the next step's batch row and loss slot
  }
""",
)
def loss_write(row_log, row_zt, N, slot, losses) -> None:
    """losses[slot[0]] <- mean(row_log) - mean(row_zt), the step's loss; then slot[0] += 1.
    (A host read of slot: the twin runs on a CPU.)"""
    xp = array_namespace(row_log)
    j = int(slot[0])
    losses[j] = xp.sum(row_log) / N - xp.sum(row_zt) / N
    slot[0] = j + 1


@_kernel(
    "xpnet_column_sum_sgd",
    "const T* d, I N, I K, T lr, T* b",
    """  XP_FOR(c, K) {
    T sum = 0;
    for (I r = 0; r < N; ++r) sum += d[r * K + c];  // column c of d: the bias's gradient
    b[c] = b[c] - lr * sum;  // SGD: b <- b - lr * db
  }
""",
)
def column_sum_sgd(d, N, K, lr, b) -> None:
    """b (K,) <- b - lr * sum(d, axis=0) for d (N, K): Affine2's db and its SGD update."""
    xp = array_namespace(d)
    b[...] = b - lr * xp.sum(d, axis=0)


@_kernel(
    "xpnet_relu_backward_sgd",
    "const T* dh, const T* h, I N, I H, T lr, T* dz, T* b",
    """  XP_FOR(c, H) {
    T sum = 0;
    for (I r = 0; r < N; ++r) {
      const I i = r * H + c;
      const T v = dh[i] * (T)(h[i] > 0);  // d relu: dout where the input was > 0
      dz[i] = v;
      sum += v;
    }
    b[c] = b[c] - lr * sum;  // Affine1's db, and SGD
  }
""",
)
def relu_backward_sgd(dh, h, N, H, lr, dz, b) -> None:
    """dz (N, H) <- dh * (h > 0), the ReLU layer's backward (h > 0 exactly where its input
    was); b (H,) <- b - lr * sum(dz, axis=0), Affine1's db and its SGD update."""
    xp = array_namespace(dh)
    dz[...] = dh * xp.astype(h > 0, h.dtype)
    b[...] = b - lr * xp.sum(dz, axis=0)


@_kernel(
    "xpnet_sigmoid_backward_sgd",
    "const T* dh, const T* h, I N, I H, T lr, T* dz, T* b",
    """  XP_FOR(c, H) {
    T sum = 0;
    for (I r = 0; r < N; ++r) {
      const I i = r * H + c;
      const T v = dh[i] * ((T)1 - h[i]) * h[i];  // d sigmoid = y (1 - y)
      dz[i] = v;
      sum += v;
    }
    b[c] = b[c] - lr * sum;  // Affine1's db, and SGD
  }
""",
)
def sigmoid_backward_sgd(dh, h, N, H, lr, dz, b) -> None:
    """dz (N, H) <- dh * (1 - h) * h, the Sigmoid layer's backward; b (H,) <- b - lr *
    sum(dz, axis=0), Affine1's db and its SGD update."""
    xp = array_namespace(dh)
    dz[...] = dh * (1.0 - h) * h
    b[...] = b - lr * xp.sum(dz, axis=0)


KERNELS: dict[str, Kernel] = {
    kernel.name: kernel
    for kernel in (
        gather,
        bias_relu,
        bias_sigmoid,
        softmax_rows,
        loss_write,
        column_sum_sgd,
        relu_backward_sgd,
        sigmoid_backward_sgd,
    )
}
ACTIVATION_KERNELS = {  # TwoLayerNet's activation -> (its forward, its backward) kernel
    "relu": (bias_relu, relu_backward_sgd),
    "sigmoid": (bias_sigmoid, sigmoid_backward_sgd),
}


def twin_call(kernel: Kernel, threads: int, *args: Array | float | int) -> None:
    """Run kernel's twin on args (threads: the launch's size, which the twin does not need)."""
    kernel.twin(*args)
