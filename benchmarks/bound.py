"""The limit: the book's run if it did nothing but its matmuls, each at the machine's best speed.

The matmuls of one training step -- forward ``x @ W1`` (100,784)@(784,50) and ``h @ W2``,
backward ``h.T @ dy``, ``dy @ W2.T``, ``x.T @ dh`` (the first layer's dx is not needed) -- and
of one evaluation chunk (10000 rows through both layers), each timed in a tight loop into a
preallocated output with every library at hand (NumPy and torch on a CPU; CuPy and torch on a
GPU), best of the repeats; the faster library counts per shape. The compute bound of the run is
iters x (one step's matmuls) + evaluations x chunks x (one chunk's matmuls).
"""

from __future__ import annotations

import math

import numpy as np

from .measure import per_call
from .textbook import BATCH_SIZE, SIZES

EVAL_CHUNK = 10_000  # xpnet's Trainer evaluates in chunks of this many images


def step_matmuls(batch_size: int = BATCH_SIZE) -> list[tuple]:
    """(label, A's shape, B's shape, A stored transposed, B stored transposed) of each matmul of
    one training step; a transposed operand is a .T view, as in the step itself."""
    N, (D, H, C) = batch_size, SIZES
    return [
        ("x @ W1", (N, D), (D, H), False, False),  # forward
        ("h @ W2", (N, H), (H, C), False, False),
        ("h.T @ dy", (H, N), (N, C), True, False),  # backward: dW2
        ("dy @ W2.T", (N, C), (C, H), False, True),  # dh
        ("x.T @ dh", (D, N), (N, H), True, False),  # dW1; the first layer's dx is not needed
    ]


def eval_matmuls(rows: int) -> list[tuple]:
    D, H, C = SIZES
    return [
        (f"x @ W1 ({rows} rows)", (rows, D), (D, H), False, False),
        (f"h @ W2 ({rows} rows)", (rows, H), (H, C), False, False),
    ]


def _operands(library: str, device: str, dtype: str, a_shape, b_shape, out_shape):
    """(A, B, out, matmul, synchronize) of one library, random operands on `device`."""
    if library == "numpy":
        rng = np.random.default_rng(0)
        A, B = (rng.standard_normal(s).astype(dtype) for s in (a_shape, b_shape))
        return A, B, np.empty(out_shape, dtype=dtype), np.matmul, lambda: None
    if library == "torch":
        import torch

        options = {"dtype": getattr(torch, dtype), "device": device}
        A, B = torch.randn(a_shape, **options), torch.randn(b_shape, **options)

        def sync():
            if torch.device(device).type == "cuda":
                torch.cuda.synchronize()

        return A, B, torch.empty(out_shape, **options), torch.matmul, sync
    import cupy

    A, B = (cupy.random.standard_normal(s).astype(dtype) for s in (a_shape, b_shape))
    sync = cupy.cuda.get_current_stream().synchronize
    return A, B, cupy.empty(out_shape, dtype=dtype), cupy.matmul, sync


def time_matmul(library: str, device: str, dtype: str, spec, repeats: int) -> float:
    """Seconds per call of one matmul into a preallocated output: best of repeats."""
    _, a_shape, b_shape, transpose_a, transpose_b = spec
    a_stored = a_shape[::-1] if transpose_a else a_shape
    b_stored = b_shape[::-1] if transpose_b else b_shape
    A, B, out, matmul, sync = _operands(
        library, device, dtype, a_stored, b_stored, (a_shape[0], b_shape[1])
    )
    a, b = (A.T if transpose_a else A), (B.T if transpose_b else B)

    def call():
        matmul(a, b, out=out)

    calls, seconds = 1, per_call(call, calls=1, synchronize=sync)
    while seconds * calls < 0.01 and calls < 2**16:  # calibrate: ~10 ms a timing
        calls *= 2
        seconds = per_call(call, calls=calls, synchronize=sync)
    return min([seconds] + [per_call(call, calls=calls, synchronize=sync) for _ in range(repeats)])


def libraries_for(device: str) -> list[str]:
    """NumPy and torch on a CPU; CuPy (where installed) and torch on a GPU."""
    if device == "cpu":
        return ["numpy", "torch"]
    try:
        import cupy  # noqa: F401
    except ImportError:
        return ["torch"]
    return ["cupy", "torch"]


def compute_bound(device: str, dtype: str, data, iters: int, repeats: int) -> dict:
    """The time the book's run would take if it did nothing but its matmuls, each at the best
    speed the machine's libraries reach for that shape."""
    (x_train, _), (x_test, _) = data
    libraries = libraries_for(device)
    rows = min(EVAL_CHUNK, x_train.shape[0])
    ops = []
    for part, specs in (("step", step_matmuls()), ("eval", eval_matmuls(rows))):
        for spec in specs:
            label, (m, k), (_, n) = spec[:3]
            seconds = {lib: time_matmul(lib, device, dtype, spec, repeats) for lib in libraries}
            shape = f"({m},{k})@({k},{n})"
            ops.append(
                {"part": part, "label": label, "shape": shape, "mkn": [m, k, n], "seconds": seconds}
            )
    return bound_totals(
        {
            "libraries": libraries,
            "ops": ops,
            "iters": iters,
            "evaluations": len(range(0, iters, max(x_train.shape[0] // BATCH_SIZE, 1))),
            "chunks_per_evaluation": math.ceil(x_train.shape[0] / rows)
            + math.ceil(x_test.shape[0] / rows),
        }
    )


def bound_totals(bound: dict) -> dict:
    """Add each op's best library and GFLOP/s, and the totals: one step, one evaluation chunk,
    the whole run (iters steps + evaluations x chunks of evaluation)."""
    for op in bound["ops"]:
        op["best"] = min(op["seconds"], key=op["seconds"].get)
        m, k, n = op["mkn"]
        op["gflops"] = 2 * m * k * n / op["seconds"][op["best"]] / 1e9
    step, chunk = (
        sum(op["seconds"][op["best"]] for op in bound["ops"] if op["part"] == part)
        for part in ("step", "eval")
    )
    evaluations = bound["evaluations"] * bound["chunks_per_evaluation"]
    return {
        **bound,
        "step_s": step,
        "eval_chunk_s": chunk,
        "run_s": bound["iters"] * step + evaluations * chunk,
    }


def merge_bounds(first: dict, second: dict) -> dict:
    """The better (lower) of two measurements of the bound, op by op."""
    ops = [
        {**a, "seconds": {lib: min(a["seconds"][lib], b["seconds"][lib]) for lib in a["seconds"]}}
        for a, b in zip(first["ops"], second["ops"], strict=True)
    ]
    return bound_totals({**first, "ops": ops})
