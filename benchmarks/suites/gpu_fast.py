"""Suite gpu's parts for the fast paths (issue 20): ``fast``, each contestant's step with its
host time and its GPU time apart, and ``sweep``, batch x hidden from the book's to 10000 x 4096.

fast: steps 1..STEPS of a fresh run (the full step: gather from the epoch's indices, forward,
backward, SGD, the loss written at the device's slot), in interleaved rounds: host µs (until
run_steps returns: what Python spends to queue the steps), GPU µs (between CUDA events on the
stream, around the same steps) and wall µs (until the GPU is done); the capture or compile
time of the path, apart (its Trainer's construction); the GPU's clocks before and after.

sweep: per size, xpnet's auto step on CuPy and on torch, PyTorch eager (manual) on the GPU and
xpnet on NumPy on one CPU core; µs per step of a few steps after one untimed step, per round.
"""

from __future__ import annotations

import time

import xpnet

from .. import contestants as cs
from .. import measure
from ..gpu import gpu_clocks, gpu_events
from ..torch_peers import TorchManual

STEPS = 200  # timed steps, inside the first epoch (600 steps of 100)
SWEEP = [(100, 50), (1000, 50), (1000, 1000), (10_000, 4096)]  # (batch, hidden)
SWEEP_STEPS = {"gpu": 50, "cpu": 3}  # at most, per round and size


def _device_of(contestant):
    backend = getattr(contestant, "backend", None)
    return backend.device if backend is not None else contestant.torch_device


def _steps(contestant, start: int, stop: int) -> None:
    if isinstance(contestant, cs.Xpnet):
        cs.run_steps(contestant.trainer, start, stop)
    else:
        contestant.iteration = start
        contestant.train(stop - start, evaluate=False)


def time_host_and_gpu(contestant, init, seed: int, steps: int) -> dict:
    """µs per step of steps 1..steps of a fresh run: host, GPU (CUDA events; None off CUDA),
    wall; and the set-up (the path's capture or compile included) in seconds."""
    setup, _ = measure.timed(lambda: contestant.fresh(init, seed), contestant.synchronize)
    _steps(contestant, 0, 1)  # step 0, untimed, not evaluated
    contestant.synchronize()
    events = gpu_events(_device_of(contestant))
    start = time.perf_counter()
    first = events[0]() if events else None
    _steps(contestant, 1, 1 + steps)
    host = time.perf_counter() - start
    last = events[0]() if events else None
    contestant.synchronize()
    wall = time.perf_counter() - start
    gpu_ms = events[1](first, last) if events else None
    out = {"host_us": host / steps * 1e6, "wall_us": wall / steps * 1e6, "setup_s": setup}
    out["gpu_us"] = None if gpu_ms is None else gpu_ms * 1e3 / steps
    fast = getattr(getattr(contestant, "trainer", None), "_fast", None)
    for key in ("capture_seconds", "compile_seconds"):
        if getattr(fast, key, None):
            out[key] = getattr(fast, key)
    return out


def fast_part(parts) -> dict:
    names = [n for n in parts.step_names if n in parts.contestants and n != "xpnet-cpu"]
    clocks = {"before": gpu_clocks()}

    def one(name, r):
        seed = parts.args.seed + r
        return time_host_and_gpu(parts.contestants[name], parts.init(seed), seed, STEPS)

    rounds = parts.interleaved(names, parts.args.repeats, one, parts.budget.deadline(0.12, 0.3))
    clocks["after"] = gpu_clocks()
    summary = {}
    for name, values in rounds.items():
        summary[name] = {
            key: measure.summary([v[key] for v in values])
            for key in ("host_us", "gpu_us", "wall_us", "setup_s")
            if all(v.get(key) is not None for v in values)
        }
    wall = {name: [v["wall_us"] for v in values] for name, values in rounds.items()}
    return {
        "steps": STEPS,
        "rounds": rounds,
        "summary": summary,
        "wall_ratio_to_torch_manual": measure.paired_ratios(wall, "torch-manual"),
        "clocks": clocks,
    }


def sweep_contestants(parts, batch: int, hidden: int) -> dict:
    sizes, gpu = (784, hidden, 10), parts.device
    made = {}
    for name, backend in (("xpnet", "cupy"), ("xpnet-torch", "torch")):
        stand_in = "numpy" if gpu == "cpu" and backend == "cupy" else backend
        where = xpnet.get_backend(gpu, backend=stand_in)
        made[name] = cs.Xpnet(parts.data, where, "float32", sizes=sizes, batch_size=batch)
    peer = TorchManual(parts.data, gpu, "float32")
    peer.batch_size = batch
    made["torch-manual"] = peer
    cpu = xpnet.get_backend("cpu")
    made["xpnet-cpu"] = cs.Xpnet(parts.data, cpu, "float32", sizes=sizes, batch_size=batch)
    return made


def sweep_part(parts) -> dict:
    deadline = parts.budget.deadline(0.15, 0.1)
    out = {}
    for batch, hidden in SWEEP:
        if out and time.perf_counter() > deadline:  # the first size always runs
            out[f"{batch}x{hidden}"] = {"skipped": "the time given to this part is spent"}
            continue
        per_epoch = parts.data[0][0].shape[0] // batch
        made = sweep_contestants(parts, batch, hidden)
        init = cs.initial_weights(parts.args.seed, (784, hidden, 10))

        def one(name, r, made=made, init=init, per_epoch=per_epoch):
            kind = "cpu" if name == "xpnet-cpu" else "gpu"
            steps = min(SWEEP_STEPS[kind], per_epoch - 1)
            return time_host_and_gpu(made[name], init, parts.args.seed + r, steps)["wall_us"]

        us = parts.interleaved(list(made), 3, one, deadline)
        out[f"{batch}x{hidden}"] = {
            "batch": batch,
            "hidden": hidden,
            "us": us,
            "summary": {name: measure.summary(values) for name, values in us.items()},
            "ratio_to_xpnet_cpu": measure.paired_ratios(us, "xpnet-cpu"),
            "ratio_to_torch_manual": measure.paired_ratios(us, "torch-manual"),
        }
        measure.progress(f"  sweep {batch}x{hidden}: {out[f'{batch}x{hidden}']['summary']}")
    return {"sizes": out}
