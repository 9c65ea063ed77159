"""What every benchmark script shares: thread settings, clocks, rounds, memory, machine facts.

Read it in the order a script uses it: ``set_threads_from_argv`` runs before NumPy or PyTorch is
imported (OpenBLAS reads its thread count once, when it loads); ``add_common_arguments`` gives
every script the same flags; ``interleaved`` runs the contestants A, B, C, A, B, C, ... so that
a slow minute on a shared machine hits all of them alike; ``paired_ratios`` compares them round
by round; ``machine_info`` records where and how the figures were taken.

Only the standard library is imported at the top: this module is imported before NumPy.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
DEFAULT_THREADS = 1


def set_threads_from_argv(argv: Sequence[str] | None = None) -> int:
    """Read --threads from the command line and set the BLAS/OpenMP thread variables.

    Must run before NumPy and PyTorch are imported. N > 0 sets OPENBLAS_NUM_THREADS,
    OMP_NUM_THREADS and MKL_NUM_THREADS to N; 0 leaves the environment (the libraries'
    defaults) alone. Returns N.
    """
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    threads = parser.parse_known_args(sys.argv[1:] if argv is None else argv)[0].threads
    if threads > 0:
        for name in THREAD_VARIABLES:
            os.environ[name] = str(threads)
    return threads


def set_torch_threads(threads: int) -> None:
    """torch.set_num_threads(threads) when threads > 0 (PyTorch keeps its own pool)."""
    if threads > 0:
        import torch

        torch.set_num_threads(threads)


def add_common_arguments(parser: argparse.ArgumentParser, *, repeats: int) -> None:
    """The flags every script takes: where to run, how often, what to write."""
    parser.add_argument(
        "--device", default="cpu", help="cpu, cuda or cuda:N, for xpnet and PyTorch alike"
    )
    parser.add_argument(
        "--backend",
        default=None,
        choices=["numpy", "cupy", "torch", "array_api_strict"],
        help="xpnet's backend (default: numpy on cpu, cupy on cuda)",
    )
    parser.add_argument(
        "--repeats", type=int, default=repeats, help=f"rounds per workload (default {repeats})"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help=(
            "BLAS/OpenMP/torch threads (default 1: the step's matmuls are too small to gain from "
            "threads, and spinning BLAS threads are slowed 10-100x by a busy core); "
            "0 keeps the libraries' defaults"
        ),
    )
    parser.add_argument("--seed", type=int, default=0, help="base seed; round r uses seed + r")
    parser.add_argument("--quick", action="store_true", help="a short run, for the nox session")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")


# -- clocks and rounds ----------------------------------------------------------------------------


def timed(function: Callable[[], Any], synchronize: Callable[[], None]) -> tuple[float, Any]:
    """(seconds, result) of function(), with the device synchronized before both clock reads."""
    gc.collect()  # a collection owed by the previous contestant is not charged to this one
    synchronize()
    start = time.perf_counter()
    result = function()
    synchronize()
    return time.perf_counter() - start, result


_START = time.perf_counter()


def progress(message: str) -> None:
    """One line on stderr, with the seconds since the script started."""
    print(f"[{time.perf_counter() - _START:6.0f} s] {message}", file=sys.stderr, flush=True)


def interleaved(
    names: Sequence[str],
    repeats: int,
    run: Callable[[str, int], Any],
    *,
    deadline: float | None = None,
) -> dict:
    """{name: [result of round 0, round 1, ...]} from run(name, round) called A, B, C, A, B, ...

    Each round starts one contestant later (round 1 runs B, C, A), so no contestant always
    follows the same neighbour. Progress goes to stderr. deadline (a time.perf_counter() value):
    the first round always runs; a later one only when the longest round so far would still
    end before the deadline, so every list has the same, possibly smaller, number of rounds.
    """
    results: dict[str, list] = {name: [None] * repeats for name in names}
    longest = 0.0
    for r in range(repeats):
        start = time.perf_counter()
        if r and deadline is not None and start + longest > deadline:
            progress(f"  {r} of {repeats} rounds: the time given to this part is spent")
            return {name: values[:r] for name, values in results.items()}
        order = list(names[r % len(names) :]) + list(names[: r % len(names)])
        for name in order:
            results[name][r] = run(name, r)
            progress(f"  round {r + 1}/{repeats}: {name} done")
        longest = max(longest, time.perf_counter() - start)
    return results


def book_run_seconds(
    step_s: float, evaluation_s: float, iters_per_epoch: int, iters: int = 10_000
) -> float:
    """The book's run from its parts: iters steps, and an evaluation at every step
    i = 0, E, 2E, ... below iters (17 for 10000 iterations of 600 per epoch)."""
    return iters * step_s + len(range(0, iters, iters_per_epoch)) * evaluation_s


def summary(values: Sequence[float]) -> dict[str, float]:
    """median, min and max of a list of figures."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def paired_ratios(times: dict[str, list[float]], reference: str) -> dict[str, float]:
    """{name: median over rounds of times[name][r] / times[reference][r]}.

    A ratio taken within one round compares contestants that ran a few seconds apart, so a
    slow spell of the machine cancels out; the median then drops the odd disturbed round.
    """
    if reference not in times:
        return {}
    return {
        name: statistics.median(a / b for a, b in zip(values, times[reference], strict=True))
        for name, values in times.items()
    }


# -- memory ---------------------------------------------------------------------------------------


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_bytes() -> int | None:
    """The resident set size now (VmRSS), or None where /proc is missing."""
    kib = _status_kib("VmRSS")
    return None if kib is None else kib * 1024


def peak_rss_bytes() -> int:
    """The peak resident set size (VmHWM; ru_maxrss where /proc is missing)."""
    kib = _status_kib("VmHWM")
    if kib is None:
        import resource

        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib * 1024


def reset_peak_rss() -> bool:
    """Reset VmHWM to the present RSS (Linux >= 4.0); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def mib(n: float | None) -> str:
    return "n/a" if n is None else f"{n / 2**20:.1f} MiB"


# -- where the figures come from ------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info() -> dict[str, Any]:
    """NumPy's BLAS from numpy.show_config, and threadpoolctl's view when it is installed."""
    import numpy as np

    info: dict[str, Any] = {}
    try:
        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        info["numpy_blas"] = {
            key: blas.get(key) for key in ("name", "version", "openblas configuration")
        }
    except Exception as error:  # old NumPy: show_config has no mode=
        info["numpy_blas"] = f"unavailable ({type(error).__name__})"
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {key: pool.get(key) for key in ("internal_api", "version", "num_threads", "filepath")}
            for pool in threadpool_info()
        ]
    except ImportError:
        info["threadpools"] = "threadpoolctl not installed"
    return info


def versions() -> dict[str, str | None]:
    import numpy as np

    found: dict[str, str | None] = {"python": platform.python_version(), "numpy": np.__version__}
    for name in ("torch", "cupy", "array_api_compat", "array_api_strict", "xpnet"):
        module = sys.modules.get(name)
        found[name] = getattr(module, "__version__", "?") if module else None
    return found


def thread_settings() -> dict[str, Any]:
    settings: dict[str, Any] = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    torch = sys.modules.get("torch")
    if torch is not None:
        settings["torch.get_num_threads()"] = torch.get_num_threads()
    return settings


def git_revision() -> str | None:
    """The library's commit, with '+dirty' when the working tree differs from it."""
    try:
        root = Path(__file__).resolve().parent.parent
        run = dict(cwd=root, capture_output=True, text=True, timeout=10, check=True)
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], **run).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], **run).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def gpu_names() -> list[str]:
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return []


def machine_info() -> dict[str, Any]:
    """The machine, the libraries, the threads, the date and the exact command."""
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": shlex.join(["python", *sys.argv]),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "sched_getaffinity": affinity,
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "gpus": gpu_names(),
        "versions": versions(),
        "xpnet_revision": git_revision(),
        "threads": thread_settings(),
        "blas": blas_info(),
    }


def finish(result: dict[str, Any], path: Path | None, markdown: str) -> None:
    """Print the Markdown report and write the JSON results to path (when given)."""
    result["machine"]["load_average_at_end"] = (
        os.getloadavg() if hasattr(os, "getloadavg") else None
    )
    print(markdown)
    if path is not None:
        write_json(path, result)
        print(f"\nresults written to {path}", file=sys.stderr)


def write_json(path: Path, result: dict[str, Any]) -> None:
    """Write result as JSON to path, atomically: a reader never finds half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(result, indent=2, default=str) + "\n")
    os.replace(partial, path)
