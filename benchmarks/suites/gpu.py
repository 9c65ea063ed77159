"""Suite gpu: the GPU acceptance run's figures, xpnet on the GPU beside PyTorch on the same GPU.

    python3 -m benchmarks measure gpu --json $OUT/bench/gpu.json     # on the GPU: ~80-110 s
    python -m benchmarks measure gpu --dry-run                       # here: the plumbing, < 1 min

It is run once, on a machine lent for minutes, so it never stops at the first error: each part
runs in its own try/except (an error is recorded and the next part runs), the JSON is rewritten
after every part, and each part's one-line summary goes to stderr as it ends.

0. gpu: the GPU's name, driver, CUDA and library versions;
1. steps: µs per SGD step (suite train's workload 2) of the CONTESTANTS below, interleaved;
   target: xpnet on CuPy <= 1.0 x torch eager manual;
2. run: the book's whole run (10000 steps, evaluation every 600) of xpnet on CuPy, torch eager
   manual on the GPU and xpnet on NumPy on the CPU; target: the GPU run faster than the CPU one.
   A run that would not fit the time given is timed over fewer steps and extrapolated;
3. numerical: Trainer(grad="numerical") (ReLU, float32) on the GPU, up to a few hundred steps
   after warm-up, extrapolated to 10000 iterations (target: under a minute); the CPU as peer;
4. memory: CuPy's memory pool after warm-up, after the runs and within each run: no growth;
5. cuda_graph: a CUDA-graph-captured step on the torch backend (torch.cuda.graph); last of all,
   cupy_capture: CuPy's own matmul refusing to capture, in one line (cupy-graph's GEMMs go
   through nvmath-python's cuBLAS handle instead);
6. profile: cProfile of xpnet's step on each GPU backend, where its host time goes;
7. fast: each contestant's step with host time and GPU time apart (CUDA events), the capture
   or compile time apart, the GPU clocks (gpu_fast.py);
8. sweep: batch x hidden from 100 x 50 to 10000 x 4096, beside one CPU core and torch eager.

--budget-s (default 110) is the wall time it plans for: parts take fewer rounds, and runs fewer
steps, when time is short. Exit status: 0 every part ran, 1 some part or contestant failed (the
error is in the JSON), 2 no usable GPU (one line, nothing run), 3 stopped by SIGTERM or Ctrl-C
(what was measured is in the JSON). --dry-run (= --device cpu) runs every part with NumPy and
torch-CPU in place of the GPU contestants, with tiny sizes.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
import traceback

import xpnet

from .. import contestants as cs
from .. import measure
from ..gpu import gpu_problem
from ..machine import set_torch_threads
from ..render.gpu_lines import gpu_summary, gpu_summary_line
from ..textbook import BATCH_SIZE, LEARNING_RATE
from ..torch_peers import TorchManual
from .gpu_parts import Parts

BOOK_ITERS = 10_000
# Parts 1 and 2's contestants: name -> (xpnet's backend on the GPU, or a peer; the Trainer's
# step=): each fast path beside the eager step it replaces and torch eager (issue 20). A path
# the Trainer cannot build is recorded as that contestant's error, never stood in for; only a
# dry run, on the CPU, runs a named GPU path as step="auto" of its stand-in.
CONTESTANTS = {
    "xpnet": ("cupy", "auto"),
    "xpnet-eager": ("cupy", "eager"),
    "xpnet-fused": ("cupy", "cupy-fused"),
    "xpnet-graph": ("cupy", "cupy-graph"),
    "xpnet-torch": ("torch", "auto"),
    "xpnet-torch-eager": ("torch", "eager"),
    "xpnet-jax": ("jax", "jax-scan"),
    "torch-manual": ("torch-manual", None),
    "xpnet-cpu": ("numpy-cpu", "auto"),
}
RUN_NAMES = ("xpnet", "xpnet-torch", "torch-manual", "xpnet-cpu")
# the sizes of a real run, and of a dry run on the CPU (each overridden by its flag)
SIZES = {
    "gpu": dict(repeats=7, full_repeats=3, iters=BOOK_ITERS, cpu_iters=None, budget_s=110.0),
    "dry": dict(repeats=2, full_repeats=1, iters=1200, cpu_iters=600, budget_s=60.0),
}
NUMERICAL_STEPS = {"gpu": (200, 5), "dry": (6, 2)}  # steps timed on the GPU, on the CPU


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_const",
        const="cpu",
        dest="device",
        help="run every part on the CPU (NumPy, torch-CPU) with tiny sizes: tests the plumbing",
    )
    parser.add_argument("--budget-s", type=float, default=None, help="wall time to plan for")
    parser.add_argument("--full-repeats", type=int, default=None, help="rounds of runs (3)")
    parser.add_argument("--iters", type=int, default=None, help="steps of the book's run (10000)")
    parser.add_argument(
        "--cpu-iters", type=int, default=None, help="steps the CPU run times (default: all it can)"
    )
    parser.add_argument("--numerical-steps", type=int, default=None, help="GPU steps timed (200)")
    parser.add_argument("--numerical-cpu-steps", type=int, default=None, help="CPU steps (5)")
    parser.add_argument("--numerical-activation", choices=["relu", "sigmoid"], default="relu")
    parser.add_argument("--numerical-dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument(
        "--no-cupy-capture", action="store_true", help="skip the (failing) CuPy capture line"
    )


def settle(args: argparse.Namespace) -> None:
    args.dry_run = args.device == "cpu"
    size = "dry" if args.dry_run else "gpu"
    for name, value in SIZES[size].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    gpu_steps, cpu_steps = NUMERICAL_STEPS[size]
    args.numerical_steps = args.numerical_steps or gpu_steps
    args.numerical_cpu_steps = args.numerical_cpu_steps or cpu_steps


def make_contestant(name: str, data, gpu: str):
    """The contestant `name` of CONTESTANTS, on `gpu` ("cpu" in a dry run)."""
    kind, step = CONTESTANTS[name]
    if kind == "torch-manual":
        return TorchManual(data, gpu, "float32")
    if kind == "numpy-cpu":
        backend = xpnet.get_backend("cpu")
    else:
        backend = xpnet.get_backend(gpu, backend=None if gpu == "cpu" and kind == "cupy" else kind)
    if gpu == "cpu" and step not in ("auto", "eager", "jax-scan"):
        step = "auto"  # a dry run: the GPU path's stand-in runs what the CPU has
    return cs.Xpnet(data, backend, "float32", step=step)


class Budget:
    """The wall time the suite plans for, counted from the start of the process."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.end = seconds, measure.START + seconds

    def left(self) -> float:
        return self.end - time.perf_counter()

    def deadline(self, share: float, reserve: float) -> float:
        """A time.perf_counter() value for a part: share x the budget from now, less when the
        parts after it need reserve x the budget."""
        give = min(share * self.seconds, self.left() - reserve * self.seconds)
        return time.perf_counter() + max(give, 0.0)


class Stopped(BaseException):
    """SIGTERM (from `timeout`, say): stop measuring and keep what was measured."""


def _stop(signum, frame):
    raise Stopped(signal.Signals(signum).name)


def run(args: argparse.Namespace) -> dict:
    settle(args)
    if not args.dry_run and (problem := gpu_problem(args.device)) is not None:
        print(
            f"bench gpu: no GPU is usable here ({problem}); run it on the GPU machine,"
            " or with --dry-run to test it on the CPU",
            file=sys.stderr,
        )
        raise SystemExit(2)
    settings = {k: getattr(args, k) for k in ("device", "dry_run", "budget_s", "repeats")}
    for key in ("full_repeats", "iters", "cpu_iters", "numerical_steps", "numerical_cpu_steps"):
        settings[key] = getattr(args, key)
    settings.update(
        numerical_activation=args.numerical_activation,
        numerical_dtype=args.numerical_dtype,
        threads=args.threads,
        seed=args.seed,
        batch_size=BATCH_SIZE,
        learning_rate=LEARNING_RATE,
        step_iters=cs.STEP_ITERS,
    )
    result = {"status": "running", "settings": settings, "contestants": {}, "parts": {}}
    budget = Budget(args.budget_s)
    parts = Parts(args, result, budget, make_contestant, list(CONTESTANTS), RUN_NAMES)
    signal.signal(signal.SIGTERM, _stop)
    try:
        try:
            set_torch_threads(args.threads)  # torch's CPU pool, for torch-CPU
        except Exception as error:
            measure.progress(f"torch threads not set: {error}")
        for name in parts.ORDER:
            if name == "cupy_capture" and (args.dry_run or args.no_cupy_capture):
                continue
            part(result, name, getattr(parts, name), args)
        result["status"] = "finished"
    except (Stopped, KeyboardInterrupt) as stop:
        now = result.get("current_part")
        result["status"] = f"stopped by {stop or type(stop).__name__} during part {now}"
    except Exception as error:  # a fault of this suite, outside every part: keep the figures
        result["status"] = f"crashed: {type(error).__name__}: {error}"
        result["traceback"] = traceback.format_exc()
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the report
    result.pop("current_part", None)
    save(result, args)
    return result


def part(result: dict, name: str, function, args) -> None:
    """Run one part: its record (or its error) goes into the JSON, which is saved at once."""
    measure.progress(f"part {name} ...")
    result["current_part"] = name
    start = time.perf_counter()
    try:
        record = {"status": "ok", **function()}
    except Exception as error:  # recorded, and the next part runs
        record = {
            "status": "error",
            "error": f"{type(error).__name__}: {error}",
            "traceback": "".join(traceback.format_exception(error, limit=-4)),
        }
        measure.progress(f"part {name} failed: {record['error']}")
    record["seconds"] = time.perf_counter() - start
    result["parts"][name] = record
    result.pop("current_part")
    save(result, args)
    try:
        measure.progress(gpu_summary_line(result, name) or "")
    except Exception as error:  # reporting never stops the run
        measure.progress(f"(no summary line: {type(error).__name__}: {error})")


def save(result: dict, args) -> None:
    result["elapsed_s"] = time.perf_counter() - measure.START
    try:
        measure.write_json(args.json, result)
    except Exception as error:  # keep measuring: the summary still reaches stdout
        measure.progress(f"could not write {args.json}: {type(error).__name__}: {error}")


last_lines = gpu_summary  # the plain-text lines the runner prints last


def exit_status(result: dict) -> int:
    if result["status"] != "finished":
        return 3 if result["status"].startswith("stopped") else 1
    parts = result["parts"].values()
    failed = result.get("contestant_errors") or any(p["status"] != "ok" for p in parts)
    return 1 if failed else 0
