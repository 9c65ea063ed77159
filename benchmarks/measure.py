"""How every suite measures: clocks, rounds, ratios, memory. Written once, used by all.

Read it in the order a suite uses it: ``timed`` (one timed segment: gc first, the device
synchronized before both clock reads) and ``per_call`` (warm-up calls, then a fixed number of
calls or a time budget); ``interleaved`` runs the contestants A, B, C, A, B, C, ... so that a slow
minute on a shared machine hits all of them alike; ``summary`` and ``paired_ratios`` turn the
rounds into medians and round-by-round ratios; the RSS readers say what a run kept.

Only the standard library is imported: this module loads before NumPy.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

START = time.perf_counter()


def _nothing() -> None:
    pass


def timed(function: Callable[[], Any], synchronize: Callable[[], None]) -> tuple[float, Any]:
    """(seconds, result) of function(), with the device synchronized before both clock reads."""
    gc.collect()  # a collection owed by the previous contestant is not charged to this one
    synchronize()
    start = time.perf_counter()
    result = function()
    synchronize()
    return time.perf_counter() - start, result


def per_call(
    function: Callable[[], Any],
    *,
    calls: int | None = None,
    budget_s: float | None = None,
    warmup: int = 0,
    synchronize: Callable[[], None] = _nothing,
) -> float:
    """Seconds per call of function(): `warmup` untimed calls, then `calls` calls, or as many as
    fit in budget_s (at least 3). No gc.collect() here: it costs ~0.1 s with torch loaded."""
    if (calls is None) == (budget_s is None):
        raise ValueError("per_call takes calls or budget_s, one of them")
    for _ in range(warmup):
        function()
    synchronize()
    done, start = 0, time.perf_counter()
    while (done < calls) if calls is not None else (done < 3 or _since(start) < budget_s):
        function()
        done += 1
    synchronize()
    return (time.perf_counter() - start) / done


def _since(start: float) -> float:
    return time.perf_counter() - start


def progress(message: str) -> None:
    """One line on stderr, with the seconds since the process started."""
    print(f"[{time.perf_counter() - START:6.0f} s] {message}", file=sys.stderr, flush=True)


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


def write_json(path: Path, result: dict[str, Any]) -> None:
    """Write result as JSON to path, atomically: a reader never finds half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(result, indent=2, default=str) + "\n")
    os.replace(partial, path)
