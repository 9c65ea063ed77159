"""Which thread counts are fastest for xpnet's step and evaluation, on a quiet and a loaded machine.

    python benchmarks/bench_threads.py                  # quiet, 1 and 2 busy processes: ~5-10 min
    python benchmarks/bench_threads.py --quick          # fewer rounds: ~2 min
    python benchmarks/bench_threads.py --loads 0,2 --threads-list 1,2,default

Workloads, at the book's shapes (TwoLayerNet 784-50-10, xpnet's own Trainer):
- step: one SGD step of batch 100 (Trainer._step: gather, forward, backward, update), µs;
- evaluation: accuracy over 10,000 images (Trainer.accuracy: forward of 10000 x 784 + argmax), ms;
each on xpnet's numpy and torch backends, float32 and float64, with the thread counts of
--threads-list, where N means inside ``xpnet.threads.use_threads(N)`` and "default" means no
limit at all (OpenBLAS's and PyTorch's own choice: one thread per core).

Load: for each --loads value L, L busy processes (``while True: pass``, plain Python at normal
priority: other work on the machine) run while a fresh child process measures. The child runs
with OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and MKL_NUM_THREADS removed from its environment, so
the libraries start with their defaults and only use_threads limits them. Thread counts run in
interleaved rounds (common.interleaved); figures are medians of rounds, ratios are medians of
per-round ratios to 1 thread. The load average is recorded before and after each phase: the
machine may be shared, so "quiet" means "no load of ours". Read main() first.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import common

BATCH_SIZE, EVAL_ROWS = 100, 10_000
BOOK_EVALUATIONS = 17 * 7  # the book's run evaluates 17 times, 60000 + 10000 images each
STEP_BUDGET_S, EVAL_BUDGET_S = 0.4, 0.6  # per timing: calls until the budget is spent (>= 3)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", default="0,1,2", help="busy processes per phase (0,1,2)")
    parser.add_argument("--threads-list", default="1,2,4,default", help="counts to compare")
    parser.add_argument("--backends", default="numpy,torch")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--repeats", type=int, default=7, help="rounds per workload (7)")
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--render", type=Path, default=None, help="print the tables of a --json")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = min(args.repeats, 3)
    return args


# -- the child: one phase, measured in a process whose libraries start with their defaults ------


def per_call(function, budget_s: float) -> float:
    """Seconds per call of function(), called until budget_s is spent (at least 3 calls)."""
    calls, start = 0, time.perf_counter()
    while calls < 3 or time.perf_counter() - start < budget_s:
        function()
        calls += 1
    return (time.perf_counter() - start) / calls


def make_trainer(backend_name: str, dtype: str):
    import numpy as np

    import xpnet

    (x_train, t_train), (x_test, t_test) = xpnet.load_mnist_sample()
    train = (np.tile(x_train, (15, 1)), np.tile(t_train, 15))  # MNIST's 60000: 600 steps/epoch
    test = (np.tile(x_test, (10, 1)), np.tile(t_test, 10))  # and its 10000 test images
    backend = xpnet.get_backend("cpu", backend=backend_name)
    net = xpnet.TwoLayerNet(784, 50, 10, xp=backend.xp, device=backend.device, dtype=dtype, seed=0)
    return xpnet.Trainer(net, train, test, batch_size=BATCH_SIZE, learning_rate=0.1, seed=0)


def measured_threads(setting: str) -> dict:
    """The pools' thread counts inside the setting, as threadpoolctl and torch report them."""
    from threadpoolctl import threadpool_info

    from xpnet.threads import use_threads

    def read():
        torch = sys.modules.get("torch")
        pools = {pool["internal_api"]: pool["num_threads"] for pool in threadpool_info()}
        return {**pools, "torch": torch.get_num_threads() if torch else None}

    if setting == "default":
        return read()
    with use_threads(int(setting)):
        return read()


def child(args) -> dict:
    from xpnet.threads import use_threads

    settings = args.threads_list.split(",")
    result = {"pools": {}, "figures": {}}
    for backend_name in args.backends.split(","):
        for dtype in args.dtypes.split(","):
            trainer = make_trainer(backend_name, dtype)
            counter = iter(range(1, 10**9))

            def step(trainer=trainer, counter=counter):
                trainer._step(next(counter) % (trainer.iters_per_epoch - 1) + 1)

            def evaluation(trainer=trainer):
                trainer.accuracy(trainer.x_test, trainer.t_test)

            result["pools"][backend_name] = {s: measured_threads(s) for s in settings}
            for workload, function, budget in (
                ("step", step, STEP_BUDGET_S),
                ("evaluation", evaluation, EVAL_BUDGET_S),
            ):
                per_call(function, 0.1)  # warm up

                def timing(setting, _round, function=function, budget=budget):
                    if setting == "default":
                        return per_call(function, budget)
                    with use_threads(int(setting)):
                        return per_call(function, budget)

                key = f"{backend_name} {dtype} {workload}"
                common.progress(f"{key} ...")
                result["figures"][key] = common.interleaved(settings, args.repeats, timing)
    result["machine"] = common.machine_info()  # after: torch's version is known
    return result


# -- the parent: phases with and without load ---------------------------------------------------


def run_phase(load: int, args) -> dict:
    """One child process measuring while `load` busy processes run; the load average around it."""
    env = {k: v for k, v in os.environ.items() if k not in common.THREAD_VARIABLES}
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(load)]
    try:
        time.sleep(2 if load else 0)  # let the load start before the clock does
        before = os.getloadavg()
        command = [sys.executable, __file__, "--child", *sys.argv[1:]]
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
        phase = json.loads(done.stdout)
        phase.update(load=load, loadavg_before=before, loadavg_after=os.getloadavg())
        return phase
    finally:
        for process in busy:
            process.kill()
            process.wait()


def markdown(phases: list[dict], settings: list[str]) -> str:
    """One table: a row per phase and workload, a column per thread count, ratio to 1 thread."""
    first = phases[0]["machine"]
    lines = [
        f"- date: {first['date']}; command: `{first['command'].replace(' --child', '')}`",
        f"- machine: {first['cpu']}, {first['cpu_count']} cores; versions: "
        + ", ".join(f"{k} {v}" for k, v in first["versions"].items() if v),
        f"- thread variables in the measuring process: {first['threads']}",
        "- threads as threadpoolctl and torch report them inside each setting: "
        + "; ".join(
            f"{backend} backend, {setting}: "
            + " ".join(f"{pool} {count}" for pool, count in counts.items() if count is not None)
            for backend, by_setting in phases[0]["pools"].items()
            for setting, counts in by_setting.items()
        ),
        "",
        "| busy processes (load avg before → after) | workload | "
        + " | ".join(f"threads {s}" for s in settings)
        + " | fastest |",
        "|---|---|" + "---|" * len(settings) + "---|",
    ]
    for phase in phases:
        where = (
            f"{phase['load']} ({phase['loadavg_before'][0]:.2f} → {phase['loadavg_after'][0]:.2f})"
        )
        for key, times in phase["figures"].items():
            unit, scale = ("µs", 1e6) if key.endswith("step") else ("ms", 1e3)
            ratios = common.paired_ratios(times, settings[0])
            cells = [
                f"{common.summary(times[s])['median'] * scale:.0f} {unit} ({ratios[s]:.2f}×)"
                for s in settings
            ]
            fastest = min(settings, key=lambda s: common.summary(times[s])["median"])
            lines.append(f"| {where} | {key} | " + " | ".join(cells) + f" | {fastest} |")
    lines += [
        "",
        f"The book's run from these parts (10000 steps + {BOOK_EVALUATIONS} evaluations of "
        "10,000 images: 17 epochs of 60000 + 10000), seconds:",
        "",
        "| busy processes | backend dtype | "
        + " | ".join(f"threads {s}" for s in settings)
        + " | fastest |",
        "|---|---|" + "---|" * len(settings) + "---|",
    ]
    for phase in phases:
        figures = phase["figures"]
        for key in [k[: -len(" step")] for k in figures if k.endswith(" step")]:
            run = {
                s: common.summary(figures[f"{key} step"][s])["median"] * 10_000
                + common.summary(figures[f"{key} evaluation"][s])["median"] * BOOK_EVALUATIONS
                for s in settings
            }
            cells = [f"{run[s]:.1f} ({run[s] / run[settings[0]]:.2f}×)" for s in settings]
            fastest = min(settings, key=run.get)
            lines.append(f"| {phase['load']} | {key} | " + " | ".join(cells) + f" | {fastest} |")
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    if args.child:
        print(json.dumps(child(args), default=str))
        return
    if args.render is not None:
        result = json.loads(args.render.read_text())
        print(markdown(result["phases"], args.threads_list.split(",")))
        return
    phases = []
    for load in [int(text) for text in args.loads.split(",")]:
        common.progress(f"phase: {load} busy processes")
        phases.append(run_phase(load, args))
    result = {"phases": phases}
    settings = args.threads_list.split(",")
    text = markdown(phases, settings)
    print(text)
    if args.json is not None:
        common.write_json(args.json, result)


if __name__ == "__main__":
    main()
