"""Time the Trainer's step on JAX, compiled (jax.jit) and eager, against xpnet on NumPy.

    python benchmarks/bench_jax.py                  # CPU, one BLAS/XLA thread: ~1-2 minutes
    python benchmarks/bench_jax.py --quick          # 2 rounds of 100 steps
    python benchmarks/bench_jax.py --device cuda    # JAX on a GPU (NumPy stays on the CPU)

The workload: TwoLayerNet 784-50-10, batch 100, SGD lr 0.1, the bundled sample's 4000 training
images, in float32 and float64; a step is the Trainer's own (``Trainer._step``: the batch drawn
on the host, gathered on the device, loss and gradients, the update, the loss kept on the
device), timed over --steps steps after a warm-up that compiles. Contestants, in interleaved
rounds: xpnet on NumPy (eager), xpnet on JAX eager (one dispatch per operation) and xpnet on
JAX compiled (xpnet.compiled: one jitted call per step, parameters donated). Prints a Markdown
table of medians (min-max) in microseconds per step, and each one's ratio to NumPy within the
same round, then where and when it ran.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time

import common

THREADS = common.set_threads_from_argv()  # before NumPy loads OpenBLAS
if THREADS == 1:  # XLA's CPU matmuls on one thread too, like OpenBLAS
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false"
    ).strip()

import numpy as np  # noqa: E402

import xpnet  # noqa: E402
from xpnet.backends import synchronize  # noqa: E402
from xpnet.train import Trainer  # noqa: E402

CONTESTANTS = ("numpy", "jax-eager", "jax-compiled")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    common.add_common_arguments(parser, repeats=7)
    parser.add_argument("--steps", type=int, default=400, help="timed steps per round (400)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.steps = 2, 100
    return args


def make_trainer(backend, dtype: str, *, compiled: bool, seed: int, data) -> Trainer:
    net = xpnet.TwoLayerNet(784, 50, 10, xp=backend.xp, device=backend.device, dtype=dtype)
    trainer = Trainer(net, *data, batch_size=100, learning_rate=0.1, seed=seed)
    if not compiled:
        trainer._compiled = None  # the eager step, op by op
    return trainer


def seconds_per_step(trainer: Trainer, steps: int, warmup: int = 5) -> float:
    """The Trainer's step, timed alone: steps after warmup ones (the first compiles on JAX)."""
    for i in range(warmup):
        trainer._step(i)
    finish(trainer)
    start = time.perf_counter()
    for i in range(warmup, warmup + steps):
        trainer._step(i)
    finish(trainer)
    return (time.perf_counter() - start) / steps


def finish(trainer: Trainer) -> None:
    """Wait until the device has computed every step queued (JAX dispatches asynchronously)."""
    synchronize(trainer._losses)
    for value in trainer.net.params.values():
        synchronize(value)


def main(argv=None) -> None:
    args = parse_args(argv)
    jax_backend = xpnet.get_backend(args.device, backend="jax")
    numpy_backend = xpnet.get_backend("cpu")
    data = xpnet.load_mnist_sample(normalize=True, flatten=True, one_hot_label=False)
    results = {}
    for dtype in ("float32", "float64"):

        def run(name: str, r: int, dtype=dtype) -> float:
            backend = numpy_backend if name == "numpy" else jax_backend
            trainer = make_trainer(
                backend, dtype, compiled=name == "jax-compiled", seed=args.seed + r, data=data
            )
            return seconds_per_step(trainer, args.steps)

        common.progress(f"{dtype}: {args.repeats} rounds of {args.steps} steps")
        times = common.interleaved(CONTESTANTS, args.repeats, run)
        results[dtype] = {
            "seconds_per_step": times,
            "to_numpy": common.paired_ratios(times, "numpy"),
            "to_jax_eager": common.paired_ratios(times, "jax-eager"),
        }
    print(render(results, args, jax_backend))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {"args": vars(args) | {"json": str(args.json)}, "results": results}, indent=1
            )
        )


def render(results: dict, args: argparse.Namespace, jax_backend) -> str:
    import jax

    lines = [
        f"TwoLayerNet 784-50-10, batch 100, SGD; {args.repeats} interleaved rounds of"
        f" {args.steps} steps; microseconds per step, median (min-max); ratios: to the other's"
        " step in the same round, median",
        "",
        "| dtype | xpnet on NumPy | xpnet on JAX, eager | xpnet on JAX, compiled (jit) |"
        " compiled / NumPy | compiled / eager |",
        "|---|---|---|---|---|---|",
    ]
    for dtype, result in results.items():
        cells = []
        for name in CONTESTANTS:
            s = common.summary([1e6 * t for t in result["seconds_per_step"][name]])
            cells.append(f"{s['median']:.0f} ({s['min']:.0f}-{s['max']:.0f})")
        cells.append(f"{result['to_numpy']['jax-compiled']:.2f}x")
        cells.append(f"{result['to_jax_eager']['jax-compiled']:.2f}x")
        lines.append(f"| {dtype} | " + " | ".join(cells) + " |")
    command = " ".join(["python benchmarks/bench_jax.py", *sys.argv[1:]])
    lines += [
        "",
        f"Command: `{command}`; {datetime.date.today().isoformat()}; "
        f"{common.cpu_model()} ({os.cpu_count()} cores, shared); JAX {jax.__version__} on"
        f" {jax_backend.describe()}, NumPy {np.__version__}; threads {THREADS}"
        f" (OPENBLAS_NUM_THREADS, XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
