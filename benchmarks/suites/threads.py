"""Suite threads: which thread counts are fastest for xpnet's step and evaluation, on a quiet
and a loaded machine.

    python -m benchmarks measure threads                # quiet, 1 and 2 busy processes: ~8 min
    python -m benchmarks measure threads --quick        # 3 rounds
    python -m benchmarks measure threads --loads 0,2 --threads-list 1,2,default

Workloads, at the book's shapes (TwoLayerNet 784-50-10, xpnet's own Trainer):
- step: one SGD step of batch 100 (the Trainer's step: gather, forward, backward, update), µs;
- evaluation: accuracy over 10,000 images (Trainer.accuracy: forward of 10000 x 784 + argmax), ms;
each on xpnet's numpy and torch backends, float32 and float64, with the thread counts of
--threads-list, where N means inside ``xpnet.threads.use_threads(N)`` and "default" means no
limit at all (OpenBLAS's and PyTorch's own choice: one thread per core).

Load: for each --loads value L, L busy processes (``while True: pass``, plain Python at normal
priority: other work on the machine) run while a fresh child process (threads_child.py)
measures. The child runs with OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS removed
from its environment, so the libraries start with their defaults and only use_threads limits
them. Thread counts run in interleaved rounds; figures are medians of rounds, ratios medians of
per-round ratios to 1 thread. The load average is recorded before and after each phase: the
machine may be shared, so "quiet" means "no load of ours".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from ..machine import THREAD_VARIABLES, load_average
from ..measure import progress


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--loads", default="0,1,2", help="busy processes per phase (0,1,2)")
    parser.add_argument("--threads-list", default="1,2,4,default", help="counts to compare")
    parser.add_argument("--backends", default="numpy,torch")
    parser.add_argument("--dtypes", default="float32,float64")


def run_phase(load: int, args: argparse.Namespace) -> dict:
    """One child process measuring while `load` busy processes run; the load average around it."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(load)]
    try:
        time.sleep(2 if load else 0)  # let the load start before the clock does
        before = load_average()
        command = [sys.executable, "-m", f"{__package__}.threads_child"]
        for flag in ("threads_list", "backends", "dtypes", "repeats"):
            command += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
        phase = json.loads(done.stdout)
        phase.update(load=load, loadavg_before=before, loadavg_after=load_average())
        return phase
    finally:
        for process in busy:
            process.kill()
            process.wait()


def run(args: argparse.Namespace) -> dict:
    if args.quick:
        args.repeats = min(args.repeats, 3)
    phases = []
    for load in [int(text) for text in args.loads.split(",")]:
        progress(f"phase: {load} busy processes")
        phases.append(run_phase(load, args))
    settings = {key: getattr(args, key) for key in ("loads", "backends", "dtypes", "repeats")}
    return {
        "settings": {**settings, "threads_list": args.threads_list.split(","), "quick": args.quick},
        "phases": phases,
    }
