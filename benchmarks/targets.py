"""The speed, accuracy and memory targets the benchmarks check, in one table.

Each target: the sentence BENCHMARKS.md shows (``{limit}`` is filled in), the limit, how a
measured value compares with it, its unit, and the issue that set it. The renderer reads them
from here: nothing else holds a target. Standard library only.
"""

from __future__ import annotations

import operator

OPERATORS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge}

TARGETS = {
    # issue 5, on the CPU: suites train and numgrad
    "cpu_vs_textbook": dict(
        issue=5,
        text="CPU: xpnet.train, book's settings, float32 ≤ {limit} × textbook float64",
        op="<=",
        limit=0.33,
        unit="ratio",
    ),
    "cpu_vs_torch": dict(
        issue=5,
        text="CPU: ≤ {limit} × PyTorch eager float32 (the faster of manual and autograd)",
        op="<=",
        limit=0.7,
        unit="ratio",
    ),
    "cpu_vs_bound": dict(
        issue=5, text="CPU: within {limit} × the compute bound", op="<=", limit=1.25, unit="ratio"
    ),
    "accuracy": dict(
        issue=5,
        text="Accuracy unchanged (same seed: within {limit} points): xpnet float32 vs the book's"
        " net and loop, float64, on the same batches",
        op="<=",
        limit=0.5,
        unit="points of test accuracy, largest difference",
    ),
    "memory_growth": dict(
        issue=5,
        text="Memory: no growth across 10000 steps (RSS after 1000 vs after 10000 steps)",
        op="<",
        limit=4.0,
        unit="MiB, largest growth",
    ),
    "evaluation_in_chunks": dict(
        issue=5, text="Memory: evaluation of 60000 images in chunks", op=None, limit=None, unit=""
    ),
    "numgrad_speedup": dict(
        issue=5,
        text="Numerical gradient ≥ {limit:.0f}× faster than the element-by-element loop (textbook)",
        op=">=",
        limit=50.0,
        unit="speed-up",
    ),
    "numgrad_agreement": dict(
        issue=5, text="… agreeing within {limit:g} (float64)", op="<=", limit=1e-9, unit="max abs"
    ),
    "numgrad_training": dict(
        issue=5,
        text="Training by numerical gradient: 10000 iterations < {limit:g} min on this CPU",
        op="<",
        limit=15.0,
        unit="min",
    ),
    # the GPU: suite gpu
    "gpu_step_vs_torch": dict(
        issue=5,
        text="one step: xpnet on CuPy ≤ {limit} × PyTorch eager (manual gradients) on the same GPU",
        op="<=",
        limit=1.0,
        unit="ratio",
    ),
    "gpu_run_vs_cpu": dict(
        issue=5,
        text="the book's run: xpnet on the GPU faster than xpnet on NumPy on this machine's CPU",
        op="<",
        limit=1.0,
        unit="ratio",
    ),
    "gpu_numerical": dict(
        issue=5,
        text="training by numerical gradient on the GPU: 10000 iterations < {limit:.0f} s",
        op="<",
        limit=60.0,
        unit="s",
    ),
    "gpu_pool_growth": dict(
        issue=5,
        text="CuPy memory pool: no growth (after warm-up vs after the runs, and within each run)",
        op="<=",
        limit=0,
        unit="bytes, largest growth",
    ),
}


def text(key: str) -> str:
    """The target's sentence, with its limit."""
    target = TARGETS[key]
    return target["text"].format(limit=target["limit"])


def limit(key: str):
    return TARGETS[key]["limit"]


def met(key: str, value: float | None) -> bool | None:
    """Whether value meets the target (None: not measured)."""
    if value is None:
        return None
    target = TARGETS[key]
    return OPERATORS[target["op"]](value, target["limit"])
