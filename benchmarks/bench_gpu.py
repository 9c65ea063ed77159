"""The GPU acceptance run's measurements: xpnet on CuPy beside PyTorch on the same GPU.

    python3 benchmarks/bench_gpu.py --json $OUT/bench/gpu.json      # on the GPU: ~80-110 s
    python benchmarks/bench_gpu.py --dry-run                        # here: the plumbing, < 1 min
    python benchmarks/bench_gpu.py --render-only --json PATH [--write BENCHMARKS.md]

It is run once, on a machine lent for minutes, so it never stops at the first error: each part
below runs in its own try/except (an error is recorded and the next part runs), the JSON is
rewritten after every part, each part's one-line summary goes to stderr as it ends, and the
summary of them all to stdout at the end (the Markdown section for BENCHMARKS.md beside the JSON).

0. gpu: the GPU's name, driver, CUDA and library versions;
1. steps: µs per SGD step (bench_train's workload 2: steps 1..599 of a fresh run, no evaluation)
   of xpnet on CuPy, xpnet on torch-CUDA, PyTorch eager with manual gradients on the same GPU,
   and xpnet on NumPy on this machine's CPU, in interleaved rounds; target: xpnet on CuPy
   <= 1.0 x torch eager manual;
2. run: the book's whole run (10000 steps, evaluation of 60000 + 10000 images every 600) of
   xpnet on CuPy, torch eager manual on the GPU and xpnet on NumPy on the CPU; target: the GPU
   run faster than the CPU one. A run that would not fit the time given is timed over fewer
   steps and extrapolated (said so in the JSON and the tables);
3. numerical: Trainer(grad="numerical") (`xpnet train --grad numerical`: ReLU, float32) on the
   GPU, a few dozen to a few hundred steps after warm-up, extrapolated to 10000 iterations
   (target: under a minute), and a few steps on the CPU as the peer;
4. memory: CuPy's memory pool (used and total bytes) after warm-up and after the timed runs,
   and within each run after 1000 and 10000 steps: it must not grow;
5. cuda_graph: a CUDA-graph-captured step on the torch backend (torch.cuda.graph), as
   bench_train's cuda_graph_check does it; then, last of all, one line recording CuPy's refusal
   to capture (its cuBLAS wrapper raises NotImplementedError under stream capture).

--budget-s (default 110) is the wall time the script plans for, from its start: parts take
fewer rounds, and runs fewer steps, when time is short. Exit status: 0 every part ran, 1 some
part or contestant failed (the error is in the JSON), 2 no usable GPU (one line, nothing run),
3 stopped by SIGTERM or Ctrl-C (what was measured is in the JSON; `timeout` itself exits 124).
--dry-run (or --device cpu) runs every part with NumPy and torch-CPU in place of the GPU
contestants, with tiny sizes.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import signal
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

import common

THREADS = common.set_threads_from_argv()  # before NumPy and torch load OpenBLAS / OpenMP

import bench_numgrad  # noqa: E402
import bench_train  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402
import run_all  # noqa: E402

import xpnet  # noqa: E402
from xpnet.backends import device_name  # noqa: E402

BOOK_ITERS = 10_000
STEP_NAMES = ("xpnet", "xpnet-torch", "torch-manual", "xpnet-cpu")
RUN_NAMES = ("xpnet", "torch-manual", "xpnet-cpu")
GPU_BEGIN, GPU_END = "<!-- gpu:begin -->", "<!-- gpu:end -->"
RUN_SHARE = 0.12  # of the budget, at most, for one contestant's run: 3 of them fit in part 2's

# the sizes of a real run, and of a dry run on the CPU (each overridden by its flag)
SIZES = {
    "gpu": {
        "repeats": 7,
        "full_repeats": 3,
        "iters": BOOK_ITERS,
        "cpu_iters": None,
        "numerical_steps": 200,
        "numerical_cpu_steps": 5,
        "budget_s": 110.0,
    },
    "dry": {
        "repeats": 2,
        "full_repeats": 1,
        "iters": 1200,
        "cpu_iters": 600,  # fewer than iters: the extrapolation is exercised too
        "numerical_steps": 6,
        "numerical_cpu_steps": 2,
        "budget_s": 60.0,
    },
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda", help="cuda or cuda:N; cpu means --dry-run")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="run every part on the CPU (NumPy, torch-CPU) with tiny sizes: tests the plumbing",
    )
    parser.add_argument("--json", type=Path, default=None, help="results (default out/bench/)")
    parser.add_argument("--budget-s", type=float, default=None, help="wall time to plan for")
    parser.add_argument("--repeats", type=int, default=None, help="rounds of steps (7)")
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
    parser.add_argument("--threads", type=int, default=common.DEFAULT_THREADS, help="CPU threads")
    parser.add_argument("--seed", type=int, default=0, help="base seed; round r uses seed + r")
    parser.add_argument(
        "--render-only", action="store_true", help="print the Markdown of the --json results"
    )
    parser.add_argument("--write", type=Path, default=None, help="with --render-only: a file")
    args = parser.parse_args(argv)
    args.dry_run = args.dry_run or args.device == "cpu"
    for name, value in SIZES["dry" if args.dry_run else "gpu"].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.json is None:
        args.json = Path("out/bench") / ("gpu-dry-run.json" if args.dry_run else "gpu.json")
    return args


# -- the parts' shared machinery ------------------------------------------------------------------


class Stopped(BaseException):
    """SIGTERM (from `timeout`, say): stop measuring and keep what was measured."""


def _stop(signum, frame):
    raise Stopped(signal.Signals(signum).name)


class Budget:
    """The wall time the script plans for, counted from its start."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.end = seconds, common._START + seconds

    def left(self) -> float:
        return self.end - time.perf_counter()

    def deadline(self, share: float, reserve: float) -> float:
        """A time.perf_counter() value for a part: share x the budget from now, less when the
        parts after it need reserve x the budget."""
        give = min(share * self.seconds, self.left() - reserve * self.seconds)
        return time.perf_counter() + max(give, 0.0)


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def safely(function, *args):
    """function(*args), or a sentence saying why it failed: reporting never stops the run."""
    try:
        return function(*args)
    except Exception as error:
        return f"({function.__name__} failed: {describe(error)})"


def gpu_problem(device: str) -> str | None:
    """None when CuPy or PyTorch can use the GPU `device`; otherwise why neither can."""
    problems = []
    for backend in ("cupy", "torch"):
        try:
            xpnet.get_backend(device, backend=backend)
            return None
        except Exception as error:  # DeviceUnavailableError, ValueError, a broken install
            problems.append(f"{backend}: {describe(error)}")
    return "; ".join(problems)


# -- what the machine is --------------------------------------------------------------------------


def nvidia_smi() -> list[dict]:
    fields = ["index", "name", "driver_version", "memory.total", "compute_cap", "power.limit"]
    for query in (fields, fields[:4]):  # an older driver lacks compute_cap
        run = subprocess.run(
            ["nvidia-smi", f"--query-gpu={','.join(query)}", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        if run.returncode == 0:
            rows = [line.split(", ") for line in run.stdout.strip().splitlines()]
            return [dict(zip(query, row, strict=False)) for row in rows]
    raise RuntimeError(f"nvidia-smi failed: {run.stderr.strip() or run.stdout.strip()}")


def cupy_facts(index: int) -> dict:
    import cupy

    runtime = cupy.cuda.runtime
    props = runtime.getDeviceProperties(index)
    name = props["name"]
    return {
        "version": cupy.__version__,
        "cuda_runtime": runtime.runtimeGetVersion(),
        "cuda_driver_api": runtime.driverGetVersion(),
        "device_count": runtime.getDeviceCount(),
        "name": name.decode() if isinstance(name, bytes) else str(name),
        "compute_capability": f"{props['major']}.{props['minor']}",
        "multiprocessors": props["multiProcessorCount"],
        "memory_bytes": props["totalGlobalMem"],
    }


def torch_facts(index: int) -> dict:
    import torch

    facts = {"version": torch.__version__, "cuda": torch.version.cuda}
    facts["cuda_available"] = torch.cuda.is_available()
    if facts["cuda_available"]:
        facts["name"] = torch.cuda.get_device_name(index)
        facts["capability"] = ".".join(map(str, torch.cuda.get_device_capability(index)))
        facts["cudnn"] = torch.backends.cudnn.version()
    return facts


# -- the run --------------------------------------------------------------------------------------


class Bench:
    """The parts, in order, and what they share: contestants, weights, budget, results."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.budget = Budget(args.budget_s)
        self.gpu = "cpu" if args.dry_run else args.device
        self.initial_weights = functools.cache(bench_train.initial_weights)
        self.contestants: dict = {}
        self.failed: dict[str, str] = {}  # contestant -> its first error
        self.pools: dict = {}
        settings = {
            key: getattr(args, key)
            for key in (
                "device",
                "dry_run",
                "budget_s",
                "repeats",
                "full_repeats",
                "iters",
                "cpu_iters",
                "numerical_steps",
                "numerical_cpu_steps",
                "numerical_activation",
                "numerical_dtype",
                "threads",
                "seed",
            )
        }
        settings.update(
            batch_size=peers.BATCH_SIZE,
            learning_rate=peers.LEARNING_RATE,
            step_iters=bench_train.STEP_ITERS,
        )
        self.result: dict = {
            "script": "bench_gpu",
            "status": "running",
            "settings": settings,
            "contestants": {},
            "parts": {},
        }

    def run(self) -> None:
        self.part("gpu", self.describe_machine)
        self.part("warm_up", self.warm_up)
        self.part("steps", self.steps)
        self.part("run", self.book_run)
        self.part("numerical", self.numerical)
        self.part("memory", self.memory)
        self.part("cuda_graph", self.cuda_graph)
        if not self.args.dry_run and not self.args.no_cupy_capture:
            self.part("cupy_capture", self.cupy_capture)  # last: nothing after it can suffer

    def part(self, name: str, function) -> None:
        common.progress(f"part {name} ...")
        self.result["current_part"] = name
        start = time.perf_counter()
        try:
            record = {"status": "ok", **function()}
        except Exception as error:  # recorded, and the next part runs
            record = {
                "status": "error",
                "error": describe(error),
                "traceback": "".join(traceback.format_exception(error, limit=-4)),
            }
            common.progress(f"part {name} failed: {describe(error)}")
        record["seconds"] = time.perf_counter() - start
        self.result["parts"][name] = record
        self.result.pop("current_part")
        self.save()
        common.progress(safely(report.gpu_summary_line, self.result, name) or "")

    def save(self) -> None:
        self.result["elapsed_s"] = time.perf_counter() - common._START
        self.result["contestant_errors"] = self.failed
        try:
            common.write_json(self.args.json, self.result)
        except Exception as error:  # keep measuring: the summary still reaches stdout
            common.progress(f"could not write {self.args.json}: {describe(error)}")

    def init(self, seed: int) -> dict:
        return self.initial_weights(seed)

    def interleaved(self, names, repeats: int, run, deadline: float) -> dict:
        """common.interleaved, where a contestant that raises is recorded and left out."""

        def guarded(name, r):
            if name in self.failed:
                return None
            try:
                return run(name, r)
            except Exception as error:
                self.failed[name] = f"{self.result.get('current_part')}: {describe(error)}"
                common.progress(f"  {name} failed: {describe(error)}")
                return None

        results = common.interleaved(names, repeats, guarded, deadline=deadline)
        kept = {name: values for name, values in results.items() if name not in self.failed}
        if not kept:
            raise RuntimeError(f"every contestant failed: {self.failed}")
        return kept

    def pool(self) -> dict | None:
        """CuPy's memory pool now, after a collection: used and total bytes (None without a
        CuPy contestant; the error, when reading it fails, so that the part's figures stay)."""
        contestant = self.contestants.get("xpnet")
        if contestant is None:
            return None
        try:
            gc.collect()
            contestant.synchronize()
            return bench_train.gpu_pool(contestant.backend)
        except Exception as error:
            return {"error": describe(error)}

    # -- 0. the machine ---------------------------------------------------------------------------

    def describe_machine(self) -> dict:
        index = int(self.args.device.partition(":")[2] or 0)
        facts: dict = {}
        for key, function in (
            ("nvidia_smi", nvidia_smi),
            ("cupy", lambda: cupy_facts(index)),
            ("torch", lambda: torch_facts(index)),
        ):
            try:
                facts[key] = function()
            except Exception as error:  # e.g. no nvidia-smi in a dry run
                facts[key] = {"unavailable": describe(error)}
        self.result["machine"] = common.machine_info()  # after the imports: their versions
        return facts

    # -- warm-up ----------------------------------------------------------------------------------

    def warm_up(self) -> dict:
        """Make each contestant, warm it up (kernels compiled, caches filled), then time its
        set-up and its step 0 with the evaluation, which part 2 uses to plan its runs."""
        self.data, data_text = bench_train.load_data("sample")
        self.result["settings"]["data"] = data_text
        self.iters_per_epoch = max(self.data[0][0].shape[0] // peers.BATCH_SIZE, 1)
        backends = {
            "xpnet": lambda: xpnet.get_backend(
                self.gpu, backend="cupy" if self.gpu != "cpu" else None
            ),
            "xpnet-torch": lambda: xpnet.get_backend(self.gpu, backend="torch"),
            "xpnet-cpu": lambda: xpnet.get_backend("cpu"),
        }
        seed = self.args.seed
        for name in STEP_NAMES:
            try:
                if name == "torch-manual":
                    c = peers.TorchManual(self.data, self.gpu, "float32")
                else:
                    c = bench_train.Xpnet(self.data, backends[name](), "float32")
                start = time.perf_counter()
                c.fresh(self.init(seed), seed)
                c.train(1)
                c.train(50, evaluate=False)
                c.synchronize()
                warm_up = time.perf_counter() - start
                setup, _ = common.timed(lambda c=c: c.fresh(self.init(seed), seed), c.synchronize)
                first, _ = common.timed(lambda c=c: c.train(1), c.synchronize)
            except Exception as error:
                self.failed[name] = f"warm_up: {describe(error)}"
                common.progress(f"  {name} failed: {describe(error)}")
                continue
            self.contestants[name] = c
            self.result["contestants"][name] = {
                "label": c.name,
                "device": c.device,
                "dtype": c.dtype,
                "warm_up_s": warm_up,
                "setup_s": setup,
                "first_step_with_evaluation_s": first,
            }
            common.progress(f"  {name} ({c.name} on {c.device}) warm: {warm_up:.1f} s")
        if not self.contestants:
            raise RuntimeError(f"no contestant could be warmed up: {self.failed}")
        self.pools["after_warm_up"] = self.pool()
        return {"contestants": list(self.contestants)}

    # -- 1. one step ------------------------------------------------------------------------------

    def steps(self) -> dict:
        names = [name for name in STEP_NAMES if name in self.contestants]

        def one(name, r):
            seed = self.args.seed + r
            return bench_train.time_steps(self.contestants[name], self.init(seed), seed) * 1e6

        us = self.interleaved(names, self.args.repeats, one, self.budget.deadline(0.15, 0.45))
        self.pools["after_steps"] = self.pool()
        return {
            "us": us,
            "rounds": len(next(iter(us.values()))),
            "summary": {name: common.summary(values) for name, values in us.items()},
            "ratio_to_torch_manual": common.paired_ratios(us, "torch-manual"),
            "ratio_to_xpnet_cpu": common.paired_ratios(us, "xpnet-cpu"),
        }

    # -- 2. the book's run ------------------------------------------------------------------------

    def plan_run(self, name: str) -> dict:
        """The steps to time for name's run: all of them when the estimate (set-up + steps at
        part 1's speed + evaluations) fits RUN_SHARE of the budget, else fewer, whole epochs."""
        iters, per_epoch = self.args.iters, self.iters_per_epoch
        facts = self.result["contestants"][name]
        steps = self.result["parts"].get("steps", {}).get("summary", {}).get(name)
        estimate = None
        if steps is not None:
            step_s = steps["median"] / 1e6
            evaluation_s = facts["first_step_with_evaluation_s"]
            estimate = facts["setup_s"] + common.book_run_seconds(
                step_s, evaluation_s, per_epoch, iters
            )
        timed = iters
        if name == "xpnet-cpu" and self.args.cpu_iters:
            timed = min(self.args.cpu_iters, iters)
        elif estimate is not None and estimate > RUN_SHARE * self.budget.seconds:
            fraction = RUN_SHARE * self.budget.seconds / estimate
            timed = min(iters, max(per_epoch, int(fraction * iters) // per_epoch * per_epoch))
        return {"iters": timed, "estimated_s": estimate}

    def book_run(self) -> dict:
        names = [name for name in RUN_NAMES if name in self.contestants]
        iters, per_epoch = self.args.iters, self.iters_per_epoch
        plan = {name: self.plan_run(name) for name in names}

        def one(name, r):
            seed = self.args.seed + r
            timed = plan[name]["iters"]
            record = bench_train.time_full_run(self.contestants[name], self.init(seed), seed, timed)
            record.pop("first_losses", None)
            record["iters"] = timed
            if timed < iters:  # extrapolate: steps at this run's speed, evaluations as measured
                evaluation_s = self.result["contestants"][name]["first_step_with_evaluation_s"]
                loop = record["seconds"] - record["setup_s"]
                evaluations = len(range(0, timed, per_epoch))
                step_s = max(loop - evaluations * evaluation_s, 0.0) / timed
                record.update(
                    measured_s=record["seconds"],
                    seconds=record["setup_s"]
                    + common.book_run_seconds(step_s, evaluation_s, per_epoch, iters),
                    extrapolated_from=timed,
                )
            return record

        rounds = self.interleaved(
            names, self.args.full_repeats, one, self.budget.deadline(0.40, 0.12)
        )
        self.pools["after_run"] = self.pool()
        seconds = {name: [r["seconds"] for r in values] for name, values in rounds.items()}
        return {
            "iters": iters,
            "plan": plan,
            "rounds": rounds,
            "summary": {name: common.summary(values) for name, values in seconds.items()},
            "ratio_to_xpnet_cpu": common.paired_ratios(seconds, "xpnet-cpu"),
            "ratio_to_torch_manual": common.paired_ratios(seconds, "torch-manual"),
        }

    # -- 3. training by numerical gradient --------------------------------------------------------

    def numerical(self) -> dict:
        gpu_backend = "cupy" if self.gpu != "cpu" else None
        out: dict = {}
        for key, device, backend, steps, deadline in (
            ("gpu", self.gpu, gpu_backend, self.args.numerical_steps, (0.10, 0.04)),
            ("cpu", "cpu", None, self.args.numerical_cpu_steps, (0.05, 0.02)),
        ):
            try:
                out[key] = self.time_numerical(
                    xpnet.get_backend(device, backend=backend),
                    steps,
                    self.budget.deadline(*deadline),
                )
            except Exception as error:  # the CPU peer still runs when the GPU one fails
                out[key] = {"error": describe(error)}
            step_s = out[key].get("step_s")
            common.progress(
                f"  numerical, {key}: "
                + (f"{step_s * 1e3:.1f} ms/step" if step_s else str(out[key]))
            )
        if "error" in out["gpu"] and "error" in out["cpu"]:
            raise RuntimeError(f"gpu: {out['gpu']['error']}; cpu: {out['cpu']['error']}")
        if "step_s" in out["gpu"] and "step_s" in out["cpu"]:
            out["speedup_gpu_vs_cpu"] = out["cpu"]["step_s"] / out["gpu"]["step_s"]
        return out

    def time_numerical(self, backend, max_steps: int, deadline: float) -> dict:
        """Seconds per Trainer(grad="numerical") step, median of blocks timed after step 0 (with
        its evaluation and, on a GPU, the kernels' compilation) and two warm-up steps; then the
        book's 10000 iterations extrapolated with their 17 evaluations."""
        args = self.args
        trainer = bench_numgrad.numerical_trainer(
            backend,
            self.data,
            activation=args.numerical_activation,
            dtype=args.numerical_dtype,
            seed=args.seed,
        )
        sync = backend.synchronize
        first, _ = common.timed(lambda: trainer.run(1), sync)
        evaluation = bench_numgrad.time_evaluation(trainer)
        warm_up, _ = common.timed(lambda: trainer.run(3), sync)
        max_steps = min(max_steps, trainer.iters_per_epoch - trainer.iteration)  # no evaluation
        times, done, block = [], 0, 1
        while done < max_steps and (not times or time.perf_counter() < deadline):
            n = min(block, max_steps - done)
            seconds, _ = common.timed(lambda n=n: trainer.run(trainer.iteration + n), sync)
            times.append(seconds / n)
            done += n
            block = max(1, min(10, int(0.5 / max(times[-1], 1e-6))))  # blocks of ~0.5 s
        step = statistics.median(times)
        return {
            "backend": backend.name,
            "device": device_name(backend),
            "activation": args.numerical_activation,
            "dtype": args.numerical_dtype,
            "first_step_with_evaluation_s": first,
            "warm_up_steps_s": warm_up,
            "steps": done,
            "block_step_s": times,
            "step_s": step,
            "evaluation_s": evaluation,
            "evaluations": len(range(0, BOOK_ITERS, trainer.iters_per_epoch)),
            "extrapolated_s": common.book_run_seconds(
                step, evaluation, trainer.iters_per_epoch, BOOK_ITERS
            ),
            "last_loss": trainer.history.train_loss[-1],
        }

    # -- 4. memory --------------------------------------------------------------------------------

    def memory(self) -> dict:
        contestant = self.contestants.get("xpnet")
        if contestant is None:
            raise RuntimeError("no xpnet contestant on CuPy to read the pool of")
        rounds = self.result["parts"].get("run", {}).get("rounds", {}).get("xpnet", [])
        in_run = [r["memory"] for r in rounds if r.get("memory")]
        out = {"backend": contestant.backend.name, **self.pools, "in_run": in_run}
        pairs = [(m["gpu_pool"][0], m["gpu_pool"][1]) for m in in_run if m.get("gpu_pool")]
        pairs.append((self.pools.get("after_warm_up"), self.pools.get("after_run")))
        pairs = [(a, b) for a, b in pairs if a and b and "error" not in a and "error" not in b]
        if pairs:  # none without CuPy (a dry run)
            out["growth_bytes"] = {
                key: max(b[key] - a[key] for a, b in pairs) for key in ("used_bytes", "total_bytes")
            }
            out["grew"] = any(growth > 0 for growth in out["growth_bytes"].values())
        return out

    # -- 5. CUDA graphs ---------------------------------------------------------------------------

    def cuda_graph(self) -> dict:
        contestant = self.contestants.get("xpnet-torch")
        if contestant is None:
            raise RuntimeError("no xpnet contestant on the torch backend")
        return {
            "graph": bench_train.cuda_graph_check(
                contestant, self.init(self.args.seed), self.args.seed
            )
        }

    def cupy_capture(self) -> dict:
        """Expected to fail: CuPy's cuBLAS wrapper refuses to run under stream capture."""
        contestant = self.contestants.get("xpnet")
        if contestant is None or contestant.backend.name != "cupy":
            raise RuntimeError("no xpnet contestant on CuPy")
        return {
            "graph": bench_train.cuda_graph_check(
                contestant, self.init(self.args.seed), self.args.seed
            )
        }


def render(args: argparse.Namespace) -> int:
    result = json.loads(args.json.read_text())
    markdown = report.gpu_report(result)
    print(markdown)
    if args.write is not None:
        run_all.write_between_markers(args.write, markdown, begin=GPU_BEGIN, end=GPU_END)
        print(f"\n{args.write} updated", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.render_only:
        return render(args)
    if not args.dry_run:
        problem = gpu_problem(args.device)
        if problem is not None:
            print(
                f"bench_gpu: no GPU is usable here ({problem}); run it on the GPU machine,"
                " or with --dry-run to test it on the CPU",
                file=sys.stderr,
            )
            return 2
    signal.signal(signal.SIGTERM, _stop)
    bench = Bench(args)
    try:
        safely(common.set_torch_threads, args.threads)  # torch's CPU pool, for torch-CPU
        bench.run()
        bench.result["status"] = "finished"
    except (Stopped, KeyboardInterrupt) as stop:
        part = bench.result.get("current_part")
        bench.result["status"] = f"stopped by {stop or type(stop).__name__} during part {part}"
    except Exception as error:  # a fault of this script, outside every part: keep the figures
        bench.result["status"] = f"crashed: {describe(error)}"
        bench.result["traceback"] = traceback.format_exc()
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the report
    bench.save()
    markdown_path = args.json.with_suffix(".md")
    try:
        markdown_path.write_text(report.gpu_report(bench.result) + "\n")
    except Exception as error:  # the JSON is what counts; say why the Markdown is missing
        print(f"bench_gpu: no Markdown ({describe(error)})", file=sys.stderr)
    print("\n" + str(safely(report.gpu_summary, bench.result)), flush=True)
    print(f"\nresults: {args.json}, Markdown: {markdown_path}", file=sys.stderr)
    if bench.result["status"] != "finished":
        return 3 if bench.result["status"].startswith("stopped") else 1
    parts = bench.result["parts"].values()
    return 1 if bench.failed or any(p["status"] != "ok" for p in parts) else 0


if __name__ == "__main__":
    sys.exit(main())
