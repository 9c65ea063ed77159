"""Suite jax: the Trainer's step on JAX, compiled (jax.jit) and eager, against xpnet on NumPy.

    python -m benchmarks measure jax                  # CPU, one BLAS/XLA thread: ~1-2 minutes
    python -m benchmarks measure jax --quick          # 2 rounds of 100 steps
    python -m benchmarks measure jax --device cuda    # JAX on a GPU (NumPy stays on the CPU)

The workload: TwoLayerNet 784-50-10, batch 100, SGD lr 0.1, the bundled sample's 4000 training
images, in float32 and float64; a step is the Trainer's own, as training runs it
(contestants.run_steps: the batch drawn on the host, gathered on the device, loss and
gradients, the update, the loss kept on the device), timed over --steps steps after a warm-up
that compiles. Contestants, in interleaved rounds: xpnet on NumPy (eager), xpnet on JAX eager
(``step="eager"``: one dispatch per operation) and xpnet on JAX compiled (``step="auto"``: today
xpnet.compiled, one jitted call per step, parameters donated); the JSON names each one's step
path. Medians (min-max) in microseconds per step, and ratios within the same round.
"""

from __future__ import annotations

import argparse

import xpnet
from xpnet.backends import synchronize

from .. import measure
from ..contestants import new_trainer, run_steps, step_path

CONTESTANTS = {"numpy": "auto", "jax-eager": "eager", "jax-compiled": "auto"}  # name: step=


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--steps", type=int, default=400, help="timed steps per round (400)")


def make_trainer(backend, dtype: str, *, step: str, seed: int, data) -> xpnet.Trainer:
    net = xpnet.TwoLayerNet(784, 50, 10, xp=backend.xp, device=backend.device, dtype=dtype)
    return new_trainer(net, *data, step=step, batch_size=100, learning_rate=0.1, seed=seed)


def seconds_per_step(trainer: xpnet.Trainer, steps: int, warmup: int = 5) -> float:
    """The Trainer's step, timed alone: steps after warmup ones (the first compiles on JAX)."""
    run_steps(trainer, 0, warmup)
    seconds, _ = measure.timed(  # JAX dispatches asynchronously: the wait is timed too
        lambda: run_steps(trainer, warmup, warmup + steps), lambda: finish(trainer)
    )
    return seconds / steps


def finish(trainer: xpnet.Trainer) -> None:
    """Wait until the device has computed every step queued: JAX has no device-wide barrier,
    so wait for the parameters (the last step wrote them all)."""
    for value in trainer.net.params.values():
        synchronize(value)


def run(args: argparse.Namespace) -> dict:
    if args.quick:
        args.repeats, args.steps = 2, 100
    jax_backend = xpnet.get_backend(args.device, backend="jax")
    numpy_backend = xpnet.get_backend("cpu")
    data = xpnet.load_mnist_sample(normalize=True, flatten=True, one_hot_label=False)
    results, paths = {}, {}
    for dtype in ("float32", "float64"):

        def one(name: str, r: int, dtype=dtype) -> float:
            backend = numpy_backend if name == "numpy" else jax_backend
            trainer = make_trainer(
                backend, dtype, step=CONTESTANTS[name], seed=args.seed + r, data=data
            )
            paths[name] = step_path(trainer)
            return seconds_per_step(trainer, args.steps)

        measure.progress(f"{dtype}: {args.repeats} rounds of {args.steps} steps")
        times = measure.interleaved(list(CONTESTANTS), args.repeats, one)
        results[dtype] = {
            "seconds_per_step": times,
            "to_numpy": measure.paired_ratios(times, "numpy"),
            "to_jax_eager": measure.paired_ratios(times, "jax-eager"),
        }
    return {
        "settings": {
            "device": args.device,
            "repeats": args.repeats,
            "steps": args.steps,
            "threads": args.threads,
            "seed": args.seed,
            "quick": args.quick,
        },
        "jax_backend": jax_backend.describe(),
        "step_paths": paths,
        "results": results,
    }
