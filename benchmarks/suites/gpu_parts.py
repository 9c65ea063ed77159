"""The parts of suite gpu (gpu.py says what each measures), in the order they run: ``Parts.ORDER``.

Each part is a method returning its record for the JSON; what the parts share -- contestants,
initial weights, the time budget (gpu.Budget), the pool readings -- lives on the Parts object.
A contestant that raises is recorded in ``failed`` and left out of the later parts.
"""

from __future__ import annotations

import functools
import gc
import statistics
import time

import xpnet
from xpnet.backends import device_name

from .. import contestants as cs
from .. import measure
from ..gpu import cuda_graph_check, gpu_pool
from ..machine import gpu_facts, machine_info
from ..textbook import BATCH_SIZE
from .gpu_fast import fast_part, sweep_part
from .numgrad import numerical_trainer, time_evaluation

RUN_SHARE = 0.12  # of the budget, at most, for one contestant's run: 3 of them fit in part 2's
PROFILE_STEPS = 200


def _error(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class Parts:
    ORDER = ("gpu", "warm_up", "steps", "fast", "run", "numerical", "memory", "cuda_graph")
    ORDER += ("profile", "sweep", "cupy_capture")  # last: nothing after it can suffer

    def __init__(self, args, result: dict, budget, make_contestant, step_names, run_names):
        self.args, self.result, self.budget = args, result, budget
        self.make_contestant = make_contestant  # name, data, device -> a contestant
        self.step_names, self.run_names = step_names, run_names
        self.device = args.device  # the GPU, or "cpu" in a dry run
        self.init = functools.cache(cs.initial_weights)
        self.contestants: dict = {}
        self.failed: dict[str, str] = result.setdefault("contestant_errors", {})
        self.pools: dict = {}

    def interleaved(self, names, repeats: int, run, deadline: float) -> dict:
        """measure.interleaved, where a contestant that raises is recorded and left out."""

        def guarded(name, r):
            if name in self.failed:
                return None
            try:
                return run(name, r)
            except Exception as error:
                self.failed[name] = f"{self.result.get('current_part')}: {_error(error)}"
                measure.progress(f"  {name} failed: {_error(error)}")
                return None

        results = measure.interleaved(names, repeats, guarded, deadline=deadline)
        kept = {name: values for name, values in results.items() if name not in self.failed}
        if not kept:
            raise RuntimeError(f"every contestant failed: {self.failed}")
        return kept

    def pool(self) -> dict | None:
        """CuPy's memory pool now, after a collection (None without a CuPy contestant; the
        error, when reading it fails, so that the part's figures stay)."""
        contestant = self.contestants.get("xpnet")
        if contestant is None:
            return None
        try:
            gc.collect()
            contestant.synchronize()
            return gpu_pool(contestant.backend)
        except Exception as error:
            return {"error": _error(error)}

    def gpu(self) -> dict:
        facts = gpu_facts(int(self.args.device.partition(":")[2] or 0))
        self.result["machine"] = machine_info()  # after the imports: their versions
        return facts

    def warm_up(self) -> dict:
        """Make each contestant, warm it up (kernels compiled, caches filled), then time its
        set-up and its step 0 with the evaluation, which part 2 uses to plan its runs."""
        self.data, self.result["settings"]["data"] = cs.load_data("sample")
        self.iters_per_epoch = max(self.data[0][0].shape[0] // BATCH_SIZE, 1)
        seed = self.args.seed
        for name in self.step_names:
            try:
                c = self.make_contestant(name, self.data, self.device)
                start = time.perf_counter()
                c.fresh(self.init(seed), seed)
                c.train(1)
                c.train(50, evaluate=False)
                c.synchronize()
                warm_up = time.perf_counter() - start
                setup, _ = measure.timed(lambda c=c: c.fresh(self.init(seed), seed), c.synchronize)
                first, _ = measure.timed(lambda c=c: c.train(1), c.synchronize)
            except Exception as error:
                self.failed[name] = f"warm_up: {_error(error)}"
                measure.progress(f"  {name} failed: {_error(error)}")
                continue
            self.contestants[name] = c
            self.result["contestants"][name] = {
                **cs.describe({name: c})[name],
                "warm_up_s": warm_up,
                "setup_s": setup,
                "first_step_with_evaluation_s": first,
            }
            measure.progress(f"  {name} ({c.name} on {c.device}) warm: {warm_up:.1f} s")
        if not self.contestants:
            raise RuntimeError(f"no contestant could be warmed up: {self.failed}")
        self.pools["after_warm_up"] = self.pool()
        return {"contestants": list(self.contestants)}

    def steps(self) -> dict:
        names = [name for name in self.step_names if name in self.contestants]

        def one(name, r):
            seed = self.args.seed + r
            return cs.time_steps(self.contestants[name], self.init(seed), seed) * 1e6

        us = self.interleaved(names, self.args.repeats, one, self.budget.deadline(0.15, 0.45))
        self.pools["after_steps"] = self.pool()
        return {
            "us": us,
            "rounds": len(next(iter(us.values()))),
            "summary": {name: measure.summary(values) for name, values in us.items()},
            "ratio_to_torch_manual": measure.paired_ratios(us, "torch-manual"),
            "ratio_to_xpnet_cpu": measure.paired_ratios(us, "xpnet-cpu"),
        }

    def plan_run(self, name: str) -> dict:
        """The steps to time for name's run: all of them when the estimate (set-up + steps at
        part 1's speed + evaluations) fits RUN_SHARE of the budget, else fewer, whole epochs."""
        iters, per_epoch = self.args.iters, self.iters_per_epoch
        facts = self.result["contestants"][name]
        steps = self.result["parts"].get("steps", {}).get("summary", {}).get(name)
        estimate = None
        if steps is not None:
            estimate = facts["setup_s"] + measure.book_run_seconds(
                steps["median"] / 1e6, facts["first_step_with_evaluation_s"], per_epoch, iters
            )
        timed = iters
        if name == "xpnet-cpu" and self.args.cpu_iters:
            timed = min(self.args.cpu_iters, iters)
        elif estimate is not None and estimate > RUN_SHARE * self.budget.seconds:
            fraction = RUN_SHARE * self.budget.seconds / estimate
            timed = min(iters, max(per_epoch, int(fraction * iters) // per_epoch * per_epoch))
        return {"iters": timed, "estimated_s": estimate}

    def run(self) -> dict:
        names = [name for name in self.run_names if name in self.contestants]
        iters, per_epoch = self.args.iters, self.iters_per_epoch
        plan = {name: self.plan_run(name) for name in names}

        def one(name, r):
            seed, timed = self.args.seed + r, plan[name]["iters"]
            record = cs.time_full_run(self.contestants[name], self.init(seed), seed, timed)
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
                    + measure.book_run_seconds(step_s, evaluation_s, per_epoch, iters),
                    extrapolated_from=timed,
                )
            return record

        deadline = self.budget.deadline(0.40, 0.12)
        rounds = self.interleaved(names, self.args.full_repeats, one, deadline)
        self.pools["after_run"] = self.pool()
        seconds = {name: [r["seconds"] for r in values] for name, values in rounds.items()}
        return {
            "iters": iters,
            "plan": plan,
            "rounds": rounds,
            "summary": {name: measure.summary(values) for name, values in seconds.items()},
            "ratio_to_xpnet_cpu": measure.paired_ratios(seconds, "xpnet-cpu"),
            "ratio_to_torch_manual": measure.paired_ratios(seconds, "torch-manual"),
        }

    def numerical(self) -> dict:
        gpu_backend = "cupy" if self.device != "cpu" else None
        out: dict = {}
        for key, device, backend, steps, deadline in (
            ("gpu", self.device, gpu_backend, self.args.numerical_steps, (0.10, 0.04)),
            ("cpu", "cpu", None, self.args.numerical_cpu_steps, (0.05, 0.02)),
        ):
            try:
                backend = xpnet.get_backend(device, backend=backend)
                out[key] = self.time_numerical(backend, steps, self.budget.deadline(*deadline))
            except Exception as error:  # the CPU peer still runs when the GPU one fails
                out[key] = {"error": _error(error)}
            step_s = out[key].get("step_s")
            text = f"{step_s * 1e3:.1f} ms/step" if step_s else str(out[key])
            measure.progress(f"  numerical, {key}: {text}")
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
        activation, dtype = args.numerical_activation, args.numerical_dtype
        trainer = numerical_trainer(
            backend, self.data, activation=activation, dtype=dtype, seed=args.seed
        )
        sync = backend.synchronize
        first, _ = measure.timed(lambda: trainer.run(1), sync)
        evaluation = time_evaluation(trainer)
        warm_up, _ = measure.timed(lambda: trainer.run(3), sync)
        max_steps = min(max_steps, trainer.iters_per_epoch - trainer.iteration)  # no evaluation
        times, done, block = [], 0, 1
        while done < max_steps and (not times or time.perf_counter() < deadline):
            n = min(block, max_steps - done)
            seconds, _ = measure.timed(lambda n=n: trainer.run(trainer.iteration + n), sync)
            times.append(seconds / n)
            done += n
            block = max(1, min(10, int(0.5 / max(times[-1], 1e-6))))  # blocks of ~0.5 s
        step = statistics.median(times)
        book = measure.book_run_seconds(step, evaluation, trainer.iters_per_epoch, 10_000)
        return {
            "backend": backend.name,
            "device": device_name(backend),
            "activation": activation,
            "dtype": dtype,
            "first_step_with_evaluation_s": first,
            "warm_up_steps_s": warm_up,
            "steps": done,
            "block_step_s": times,
            "step_s": step,
            "evaluation_s": evaluation,
            "evaluations": len(range(0, 10_000, trainer.iters_per_epoch)),
            "extrapolated_s": book,
            "last_loss": trainer.history.train_loss[-1],
        }

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

    def _graph(self, name: str, why: str) -> dict:
        contestant = self.contestants.get(name)
        if contestant is None:
            raise RuntimeError(why)
        contestant.fresh(self.init(self.args.seed), self.args.seed)
        return {"graph": cuda_graph_check(contestant.trainer)}

    def cuda_graph(self) -> dict:
        return self._graph("xpnet-torch", "no xpnet contestant on the torch backend")

    def cupy_capture(self) -> dict:
        """Expected to fail: CuPy's cuBLAS wrapper refuses to run under stream capture."""
        return self._graph("xpnet", "no xpnet contestant on CuPy")

    def fast(self) -> dict:
        return fast_part(self)

    def sweep(self) -> dict:
        return sweep_part(self)

    def profile(self) -> dict:
        """cProfile of xpnet's step on each backend of the GPU run: where its host time goes."""
        seed, out = self.args.seed, {}
        for name in ("xpnet", "xpnet-torch"):
            if name in self.contestants:
                c = self.contestants[name]
                out[name] = cs.profile_step(c, self.init(seed), seed, PROFILE_STEPS, top=18)
        return {"profiles": out}
