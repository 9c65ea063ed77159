"""Suite fast: each fast path beside the eager step it replaces, and PyTorch eager, on one device.

    python -m benchmarks measure fast                 # the CPU, one thread: ~3-5 minutes here
    python -m benchmarks measure fast --quick         # 2 rounds

What step="auto" rests on (xpnet.fast.choice.auto_paths): on this device, is a backend's fast
path faster than its eager step? The workload is the book's step (TwoLayerNet 784-50-10,
float32, batch 100, SGD lr 0.1, the bundled sample tiled to 60000 images), steps 1..599 of a
fresh run as Trainer.run makes them (one run_steps call per log point), after a warm-up round
that compiles every program (JAX), timed apart. Contestants, in interleaved rounds: xpnet on
NumPy, on torch and on JAX with their eager step, xpnet on JAX with jax-scan, and the peer
torch eager with manual gradients (benchmarks/torch_peers.py). Figures: µs per step, median
(min-max) over the rounds; ratios within a round to torch eager manual and to NumPy.
"""

from __future__ import annotations

import argparse

import xpnet

from .. import contestants as cs
from .. import measure
from ..torch_peers import TorchManual

# name: (backend, the Trainer's step=); None: the PyTorch peer
CONTESTANTS = {
    "numpy": ("numpy", "auto"),
    "torch-eager": ("torch", "eager"),
    "jax-eager": ("jax", "eager"),
    "jax-scan": ("jax", "jax-scan"),
    "torch-manual": (None, None),
}
FAST = {"jax": ("jax-eager", "jax-scan")}  # backend: (its eager step, its fast path)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--only", nargs="*", default=None, help=f"contestants (default: {' '.join(CONTESTANTS)})"
    )


def contestant(name: str, data, device: str):
    backend, step = CONTESTANTS[name]
    if backend is None:
        return TorchManual(data, device, "float32")
    return cs.Xpnet(data, xpnet.get_backend(device, backend=backend), "float32", step=step)


def run(args: argparse.Namespace) -> dict:
    repeats = 2 if args.quick else args.repeats
    data, about = cs.load_data("sample")
    names = args.only or list(CONTESTANTS)
    made = {name: contestant(name, data, args.device) for name in names}
    init = cs.initial_weights(args.seed)

    warm = {}  # a first round, untimed: kernels and programs compiled, caches warm
    for name, c in made.items():
        seconds, _ = measure.timed(lambda c=c: cs.time_steps(c, init, args.seed), c.synchronize)
        warm[name] = {"seconds": seconds}
        fast = getattr(getattr(c, "trainer", None), "_fast", None)
        if fast is not None and getattr(fast, "compile_seconds", None):
            warm[name]["compile_seconds"] = dict(fast.compile_seconds)
        measure.progress(f"  {name} warm in {seconds:.1f} s")

    def one(name: str, r: int) -> float:
        seed = args.seed + r
        return cs.time_steps(made[name], cs.initial_weights(seed), seed) * 1e6

    us = measure.interleaved(names, repeats, one)
    decisions = {}
    for backend, (eager, fast) in FAST.items():
        if eager in us and fast in us:
            ratio = measure.paired_ratios(us, eager)[fast]
            decisions[backend] = {"fast_over_eager": ratio, "faster": ratio < 1.0}
    return {
        "settings": {
            "device": args.device,
            "repeats": repeats,
            "steps": cs.STEP_ITERS,
            "threads": args.threads,
            "seed": args.seed,
            "data": about,
            "batch_size": 100,
            "dtype": "float32",
        },
        "contestants": cs.describe(made),
        "warm_up": warm,
        "us": us,
        "summary": {name: measure.summary(values) for name, values in us.items()},
        "ratio_to_torch_manual": measure.paired_ratios(us, "torch-manual"),
        "ratio_to_numpy": measure.paired_ratios(us, "numpy"),
        "auto": decisions,
    }
