"""Suite train: the book's training run, xpnet against the textbook and PyTorch eager.

    python -m benchmarks measure train                 # CPU, ~5-10 minutes on 2 busy cores
    python -m benchmarks measure train --quick         # 1000 iterations, one round: ~1 minute
    python -m benchmarks measure train --device cuda   # xpnet on CuPy vs PyTorch on the same GPU

Workloads, each run by every contestant in interleaved rounds (A, B, C, A, B, C, ...):
1. the book's run: TwoLayerNet 784-50-10, --iters steps (10000) of batch 100 and lr 0.1, train
   and test accuracy over the whole sets (60000 + 10000 images) at every step i % 600 == 0;
2. the step without evaluation: steps 1..599 of a fresh run, in microseconds per step.
The limit (bound.py): the matmuls of those steps and evaluations alone, the "compute bound"
each figure is also given as a multiple of. Memory: RSS of xpnet's Trainer after 1000 and after
10000 steps, and each run's peak above its starting RSS. Then cProfile of xpnet's step, and its
CUDA-graph capture on a GPU. Data: contestants.load_data. Read run() first.
"""

from __future__ import annotations

import argparse

import xpnet

from .. import contestants as xp_contestants
from .. import measure
from ..bound import compute_bound, merge_bounds
from ..contestants import STEP_ITERS, Xpnet
from ..gpu import cuda_graph_check
from ..machine import set_torch_threads
from ..textbook import BATCH_SIZE, LEARNING_RATE, Textbook
from ..torch_peers import TorchAutograd, TorchManual

PEERS_CPU = "textbook-f64,textbook-f32,torch-manual,torch-autograd,xpnet"
PEERS_CUDA = "textbook-f64,torch-manual,torch-autograd,xpnet"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--iters", type=int, default=None, help="steps per full run (10000)")
    parser.add_argument(
        "--full-repeats", type=int, default=None, help="rounds of full runs (default 3)"
    )
    parser.add_argument(
        "--peers",
        default=None,
        help=f"contestants, comma-separated (cpu default: {PEERS_CPU}; also xpnet-f64)",
    )
    parser.add_argument("--data", choices=["sample", "mnist"], default="sample")
    parser.add_argument(
        "--profile-steps",
        type=int,
        default=STEP_ITERS,
        help="steps of xpnet's Trainer to profile with cProfile (0: none)",
    )


def settle(args: argparse.Namespace) -> None:
    """The defaults that depend on --quick and --device."""
    if args.iters is None:
        args.iters = 1000 if args.quick else 10_000
    if args.full_repeats is None:
        args.full_repeats = 1 if args.quick else 3
    if args.quick:
        args.repeats = min(args.repeats, 3)
    if args.peers is None:
        args.peers = PEERS_CPU if args.device == "cpu" else PEERS_CUDA
    args.peers = [name.strip() for name in args.peers.split(",") if name.strip()]


def make_contestants(args, data) -> dict:
    backend = xpnet.get_backend(args.device, backend=args.backend)
    makers = {
        "textbook-f64": lambda: Textbook(data, "float64"),
        "textbook-f32": lambda: Textbook(data, "float32"),
        "torch-manual": lambda: TorchManual(data, args.device, "float32"),
        "torch-autograd": lambda: TorchAutograd(data, args.device, "float32"),
        "xpnet": lambda: Xpnet(data, backend, "float32"),
        "xpnet-f64": lambda: Xpnet(data, backend, "float64"),
    }
    unknown = [name for name in args.peers if name not in makers]
    if unknown:
        raise SystemExit(f"unknown --peers {unknown}; choose from {', '.join(makers)}")
    return {name: makers[name]() for name in args.peers}


def run(args: argparse.Namespace) -> dict:
    settle(args)
    set_torch_threads(args.threads)
    data, data_text = xp_contestants.load_data(args.data)
    contestants = make_contestants(args, data)
    names = list(contestants)
    inits: dict[int, dict] = {}

    def init_for(seed):
        if seed not in inits:
            inits[seed] = xp_contestants.initial_weights(seed)
        return inits[seed]

    result: dict = {
        "settings": {
            "device": args.device,
            "backend": args.backend,
            "iters": args.iters,
            "batch_size": BATCH_SIZE,
            "learning_rate": LEARNING_RATE,
            "repeats": args.repeats,
            "full_repeats": args.full_repeats,
            "step_iters": STEP_ITERS,
            "threads": args.threads,
            "seed": args.seed,
            "data": data_text,
            "quick": args.quick,
        },
        "peak_rss_at_start": measure.peak_rss_bytes(),
    }

    measure.progress("warming up every contestant ...")
    for c in contestants.values():
        c.fresh(init_for(args.seed), args.seed)
        c.train(1)
        c.train(50, evaluate=False)
        c.synchronize()
    result["contestants"] = xp_contestants.describe(contestants)

    measure.progress("the limit: matmuls alone ...")
    dtypes = sorted({c.dtype for c in contestants.values()})

    def bound(dtype):
        return compute_bound(args.device, dtype, data, args.iters, args.repeats)

    bounds = {dtype: bound(dtype) for dtype in dtypes}

    measure.progress(f"workload 2: {STEP_ITERS} steps without evaluation ...")

    def steps(name, r):
        return xp_contestants.time_steps(contestants[name], init_for(args.seed + r), args.seed + r)

    step_s = measure.interleaved(names, args.repeats, steps)
    result["steps"] = {"us": {name: [s * 1e6 for s in values] for name, values in step_s.items()}}

    measure.progress(f"workload 1: the book's run, {args.iters} iterations ...")

    def full_run(name, r):
        seed = args.seed + r
        return xp_contestants.time_full_run(contestants[name], init_for(seed), seed, args.iters)

    runs = measure.interleaved(names, args.full_repeats, full_run)
    result["runs"] = {"rounds": runs}

    if "xpnet" in runs:
        measure.progress("accuracy check: the book's net on xpnet's batches ...")
        result["accuracy_check"] = [
            xp_contestants.same_batches_check(
                data, init_for(run["seed"]), run["seed"], args.iters, run
            )
            for run in runs["xpnet"]
        ]

    measure.progress("the limit again (the lower of both measurements counts) ...")
    for dtype in dtypes:
        bounds[dtype] = merge_bounds(bounds[dtype], bound(dtype))
    result["bound"] = bounds

    result["steps"].update(
        analyse(step_s, contestants, {d: b["step_s"] for d, b in bounds.items()})
    )
    result["runs"].update(
        analyse(
            {n: [run["seconds"] for run in v] for n, v in runs.items()},
            contestants,
            {d: b["run_s"] for d, b in bounds.items()},
        )
    )
    result["peak_rss_at_end"] = measure.peak_rss_bytes()

    xpnet_contestant = contestants.get("xpnet")
    if xpnet_contestant is not None and args.profile_steps > 0:
        measure.progress("profiling xpnet's step with cProfile ...")
        steps_to_profile = min(args.profile_steps, STEP_ITERS)
        result["profile"] = xp_contestants.profile_step(
            xpnet_contestant, init_for(args.seed), args.seed, steps_to_profile
        )
    if xpnet_contestant is not None:
        xpnet_contestant.fresh(init_for(args.seed), args.seed)
        result["cuda_graph"] = cuda_graph_check(xpnet_contestant.trainer)
    return result


def analyse(seconds: dict[str, list[float]], contestants: dict, bound: dict[str, float]) -> dict:
    """Medians, paired ratios to the textbook (float64) and to the faster PyTorch eager peer,
    and each median as a multiple of the compute bound of its dtype."""
    summaries = {name: measure.summary(values) for name, values in seconds.items()}
    torch_names = [name for name in seconds if name.startswith("torch-")]
    torch_reference = min(torch_names, key=lambda n: summaries[n]["median"], default=None)
    return {
        "summary": summaries,
        "ratio_to_textbook": measure.paired_ratios(seconds, "textbook-f64"),
        "torch_reference": torch_reference,
        "ratio_to_torch": measure.paired_ratios(seconds, torch_reference)
        if torch_reference
        else {},
        "ratio_to_bound": {
            name: summaries[name]["median"] / bound[contestants[name].dtype] for name in seconds
        },
    }
