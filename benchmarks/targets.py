"""The speed, accuracy and memory targets the benchmarks check, in one table.

Each target: how a measured value compares with the limit, the limit, and the sentence
BENCHMARKS.md shows (``{limit}`` is filled in). The renderer reads them from here: nothing else
holds a target. Standard library only.
"""

from __future__ import annotations

import operator

OPERATORS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge}

TARGETS = {  # name: (comparison, limit, sentence); all set by issue 5
    # on the CPU: suites train and numgrad
    "cpu_vs_textbook": (
        "<=",
        0.33,
        "CPU: xpnet.train, book's settings, float32 ≤ {limit} × textbook float64",
    ),
    "cpu_vs_torch": (
        "<=",
        0.7,
        "CPU: ≤ {limit} × PyTorch eager float32 (the faster of manual and autograd)",
    ),
    "cpu_vs_bound": ("<=", 1.25, "CPU: within {limit} × the compute bound"),
    "accuracy": (
        "<=",
        0.5,
        "Accuracy unchanged (same seed: within {limit} points): xpnet float32 vs the book's"
        " net and loop, float64, on the same batches",
    ),  # points
    "memory_growth": (
        "<",
        4.0,
        "Memory: no growth across 10000 steps (RSS after 1000 vs after 10000 steps)",
    ),  # MiB
    "evaluation_in_chunks": (None, None, "Memory: evaluation of 60000 images in chunks"),
    "numgrad_speedup": (
        ">=",
        50.0,
        "Numerical gradient ≥ {limit:.0f}× faster than the element-by-element loop (textbook)",
    ),
    "numgrad_agreement": (
        "<=",
        1e-9,
        "… agreeing within {limit:g} (float64)",
    ),  # max abs difference
    "numgrad_training": (
        "<",
        15.0,
        "Training by numerical gradient: 10000 iterations < {limit:g} min on this CPU",
    ),
    # on the CPU: suite fast (issue 20)
    "cpu_numpy_vs_torch_manual": (
        "<=",
        0.7,
        "CPU, one step: xpnet on NumPy ≤ {limit} × PyTorch eager with manual gradients",
    ),
    "cpu_jax_fast_vs_numpy": (
        "<=",
        1.0,
        "CPU, one step: xpnet's JAX fast path (jax-scan, which auto takes) ≤ {limit} × xpnet on"
        " NumPy",
    ),
    # on the GPU: suite gpu
    "gpu_step_vs_torch": (
        "<=",
        1.0,
        "one step: xpnet on CuPy ≤ {limit} × PyTorch eager (manual gradients) on the same GPU",
    ),
    "gpu_run_vs_cpu": (
        "<",
        1.0,
        "the book's run: xpnet on the GPU faster than xpnet on NumPy on this machine's CPU",
    ),
    "gpu_numerical": (
        "<",
        60.0,
        "training by numerical gradient on the GPU: 10000 iterations < {limit:.0f} s",
    ),
    "gpu_pool_growth": (
        "<=",
        0,
        "CuPy memory pool: no growth (after warm-up vs after the runs, and within each run)",
    ),  # bytes
}


def text(key: str) -> str:
    """The target's sentence, with its limit."""
    _, limit, sentence = TARGETS[key]
    return sentence.format(limit=limit)


def limit(key: str):
    return TARGETS[key][1]


def met(key: str, value: float | None) -> bool | None:
    """Whether value meets the target (None: not measured)."""
    if value is None:
        return None
    comparison, limit, _ = TARGETS[key]
    return OPERATORS[comparison](value, limit)
