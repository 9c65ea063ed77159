"""Suite cli: the CLI's cost over a run's length, `xpnet train` at N and 8N steps, wall time.

A run whose cost is linear in its length takes 8x as long for 8x the steps; a run that rewrites
its growing files every epoch takes more. Each tree given with --src is run in turn, round by
round (so load on the machine falls on all of them alike); medians per tree and length, with
the ratio of the long to the short run. The process's start-up and data are included.

    python -m benchmarks measure cli --src /path/to/an/older/checkout/src --src src
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from ..machine import thread_environment
from ..measure import interleaved, summary

FLAGS = ["--dataset", "sample", "--device", "cpu", "--no-plot", "--no-progress"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--src", action="append", default=None, help="a tree's src folder (default: src)"
    )
    parser.add_argument("--iters", type=int, nargs="+", default=None, help="(4000 32000)")


def train_seconds(src: str, iters: int, threads: int) -> float:
    """Wall seconds of one `python -m xpnet train ... --iters N` with PYTHONPATH=src."""
    env = thread_environment(threads, dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=src))
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "xpnet", "train", *FLAGS, "--iters", str(iters)]
        start = time.perf_counter()
        subprocess.run(
            [*command, "--out", os.path.join(out, "run")],
            env=env,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - start


def run(args: argparse.Namespace) -> dict:
    sources = args.src or ["src"]
    lengths = args.iters or ([400, 3200] if args.quick else [4000, 32000])
    if args.quick:
        args.repeats = 1
    cases = [f"{src} @ {iters}" for iters in lengths for src in sources]

    def one(case: str, _round: int) -> float:
        src, iters = case.rsplit(" @ ", 1)
        return train_seconds(src, int(iters), args.threads)

    times = interleaved(cases, args.repeats, one)
    short, long = min(lengths), max(lengths)
    trees = {}
    for src in sources:
        medians = {n: summary(times[f"{src} @ {n}"])["median"] for n in lengths}
        trees[src] = {
            "seconds": {str(n): summary(times[f"{src} @ {n}"]) for n in lengths},
            "long_over_short": medians[long] / medians[short],
        }
    return {
        "settings": {
            "src": sources,
            "iters": lengths,
            "repeats": args.repeats,
            "threads": args.threads,
            "quick": args.quick,
            "command": ["xpnet", "train", *FLAGS, "--iters", "N"],
        },
        "seconds": times,
        "trees": trees,
    }
