"""One phase of suite threads, in a process whose libraries start with their default threads.

    python -m benchmarks.suites.threads_child --threads-list 1,2,4,default --repeats 7

threads.py starts it with the thread variables removed from its environment and reads the JSON
it prints: per backend and dtype, the thread pools inside each setting and, per workload and
setting, the seconds per call of each interleaved round.
"""

from __future__ import annotations

import argparse
import json
import sys

from threadpoolctl import threadpool_info

import xpnet
from xpnet.threads import use_threads

from ..contestants import load_data, new_trainer, run_steps
from ..machine import machine_info
from ..measure import interleaved, per_call, progress

BATCH_SIZE = 100
STEP_BUDGET_S, EVAL_BUDGET_S = 0.4, 0.6  # per timing: calls until the budget is spent (>= 3)


def make_trainer(backend_name: str, dtype: str):
    (train, test), _ = load_data("sample")  # MNIST's 60000 (600 steps an epoch) and 10000
    backend = xpnet.get_backend("cpu", backend=backend_name)
    net = xpnet.TwoLayerNet(784, 50, 10, xp=backend.xp, device=backend.device, dtype=dtype, seed=0)
    return new_trainer(net, train, test, batch_size=BATCH_SIZE, learning_rate=0.1, seed=0)


def pools_in(setting: str) -> dict:
    """The pools' thread counts inside the setting, as threadpoolctl and torch report them."""

    def read():
        torch = sys.modules.get("torch")
        pools = {pool["internal_api"]: pool["num_threads"] for pool in threadpool_info()}
        return {**pools, "torch": torch.get_num_threads() if torch else None}

    if setting == "default":
        return read()
    with use_threads(int(setting)):
        return read()


def within(setting: str, function, budget_s: float) -> float:
    """Seconds per call of function() inside the thread setting."""
    if setting == "default":
        return per_call(function, budget_s=budget_s)
    with use_threads(int(setting)):
        return per_call(function, budget_s=budget_s)


def phase(args: argparse.Namespace) -> dict:
    settings = args.threads_list.split(",")
    result = {"pools": {}, "figures": {}}
    for backend_name in args.backends.split(","):
        for dtype in args.dtypes.split(","):
            trainer = make_trainer(backend_name, dtype)
            counter = iter(range(1, 10**9))

            def step(trainer=trainer, counter=counter):
                i = next(counter) % (trainer.iters_per_epoch - 1) + 1  # never an evaluation step
                run_steps(trainer, i, i + 1)

            def evaluation(trainer=trainer):
                trainer.accuracy(trainer.x_test, trainer.t_test)

            result["pools"][backend_name] = {s: pools_in(s) for s in settings}
            for workload, function, budget in (
                ("step", step, STEP_BUDGET_S),
                ("evaluation", evaluation, EVAL_BUDGET_S),
            ):
                per_call(function, budget_s=0.1)  # warm up

                def timing(setting, _round, function=function, budget=budget):
                    return within(setting, function, budget)

                key = f"{backend_name} {dtype} {workload}"
                progress(f"{key} ...")
                result["figures"][key] = interleaved(settings, args.repeats, timing)
    result["machine"] = machine_info()  # after: torch's version is known
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads-list", default="1,2,4,default")
    parser.add_argument("--backends", default="numpy,torch")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--repeats", type=int, default=7)
    print(json.dumps(phase(parser.parse_args()), default=str))


if __name__ == "__main__":
    main()
