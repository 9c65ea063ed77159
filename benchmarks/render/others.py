"""Markdown of suites jax, dask, threads and cli, from the JSON each writes (stdlib only)."""

from __future__ import annotations

from ..measure import paired_ratios, summary
from .tables import table

MIB = 2**20
BOOK_EVALUATIONS = 17 * 7  # the book's run evaluates 17 times, 60000 + 10000 images each


def jax_report(r: dict) -> str:
    s, m = r["settings"], r["machine"]
    names = ("numpy", "jax-eager", "jax-compiled")
    rows = []
    for dtype, result in r["results"].items():
        cells = []
        for name in names:
            t = summary([1e6 * t for t in result["seconds_per_step"][name]])
            cells.append(f"{t['median']:.0f} ({t['min']:.0f}-{t['max']:.0f})")
        cells.append(f"{result['to_numpy']['jax-compiled']:.2f}x")
        cells.append(f"{result['to_jax_eager']['jax-compiled']:.2f}x")
        rows.append([dtype, *cells])
    headers = ["dtype", "xpnet on NumPy", "xpnet on JAX, eager", "xpnet on JAX, compiled (jit)"]
    headers += ["compiled / NumPy", "compiled / eager"]
    paths = ", ".join(f"{name} {path}" for name, path in r.get("step_paths", {}).items())
    v, threads = m["versions"], m["threads"]
    return "\n".join(
        [
            f"TwoLayerNet 784-50-10, batch 100, SGD; {s['repeats']} interleaved rounds of"
            f" {s['steps']} steps; microseconds per step, median (min-max); ratios: to the"
            " other's step in the same round, median",
            "",
            table(headers, rows),
            "",
            f"Command: `{m['command']}`; {m['date'][:10]}; {m['cpu']} ({m['cpu_count']} cores,"
            f" shared); JAX {v.get('jax')} on {r['jax_backend']}, NumPy {v['numpy']}; threads"
            f" {s['threads']} (OPENBLAS_NUM_THREADS, XLA_FLAGS={threads.get('XLA_FLAGS', '')!r});"
            f" step paths: {paths}; xpnet {m['xpnet_revision']}.",
        ]
    )


def dask_report(r: dict) -> str:
    m, s = r["machine"], r["settings"]
    limit = r["worker_memory_limit"] / MIB
    rows = [
        [
            name,
            f"{r['rows'][name]:,}",
            f"{sec['median']:.2f} ({sec['min']:.2f}-{sec['max']:.2f})",
            f"{r['ratio_per_row_to_numpy_memory'][name]:.2f}",
            f"{r['ratio_per_row_to_numpy_stream'][name]:.2f}",
        ]
        for name, sec in r["seconds"].items()
    ]
    headers = ["contestant", "rows", "seconds (median, min-max)"]
    headers += ["time per row vs NumPy in memory", "vs NumPy streaming the same rows"]
    rss = ", ".join(f"{b / MIB:.0f} MiB" for b in r["worker_rss_after"])
    return "\n".join(
        [
            f"### Dask: evaluating {r['data_bytes'] / MIB:.0f} MiB on {s['workers']} workers x"
            f" {limit:.0f} MiB ({m['date'][:10]})",
            "",
            f"`{m['command']}` on {m['cpu']} ({m['cpu_count']} cores, load average"
            f" {m['load_average_at_start'][0]:.1f} at the start), dask {m['versions']['dask']},"
            f" numpy {m['versions']['numpy']}, xpnet {m['xpnet_revision']}; medians of"
            f" {s['repeats']} interleaved rounds.",
            "",
            table(headers, rows),
            "",
            f"Workers' resident memory after the last round: {rss} (limit {limit:.0f} MiB each,"
            f" whole cluster {s['workers'] * limit:.0f} MiB, data"
            f" {r['data_bytes'] / MIB:.0f} MiB). Results: "
            + "; ".join(f"{k}: {v}" for k, v in r["evaluation"].items()),
        ]
    )


def threads_report(r: dict) -> str:
    """One table: a row per phase and workload, a column per thread count, ratio to 1 thread;
    then the book's run estimated from the parts."""
    phases, settings = r["phases"], r["settings"]["threads_list"]
    m, child = r["machine"], phases[0]["machine"]
    pools = "; ".join(
        f"{backend} backend, {setting}: "
        + " ".join(f"{pool} {count}" for pool, count in counts.items() if count is not None)
        for backend, by_setting in phases[0]["pools"].items()
        for setting, counts in by_setting.items()
    )
    heads = [f"threads {s}" for s in settings] + ["fastest"]
    rows, book = [], []
    for phase in phases:
        where = (
            f"{phase['load']} ({phase['loadavg_before'][0]:.2f} → {phase['loadavg_after'][0]:.2f})"
        )
        medians = {}
        for key, times in phase["figures"].items():
            unit, scale = ("µs", 1e6) if key.endswith("step") else ("ms", 1e3)
            ratios = paired_ratios(times, settings[0])
            medians[key] = {s: summary(times[s])["median"] for s in settings}
            cells = [f"{medians[key][s] * scale:.0f} {unit} ({ratios[s]:.2f}×)" for s in settings]
            rows.append([where, key, *cells, min(settings, key=medians[key].get)])
        for key in [k[: -len(" step")] for k in medians if k.endswith(" step")]:
            run = {
                s: medians[f"{key} step"][s] * 10_000
                + medians[f"{key} evaluation"][s] * BOOK_EVALUATIONS
                for s in settings
            }
            cells = [f"{run[s]:.1f} ({run[s] / run[settings[0]]:.2f}×)" for s in settings]
            book.append([phase["load"], key, *cells, min(settings, key=run.get)])
    return "\n".join(
        [
            f"- date: {m['date']}; command: `{m['command']}`",
            f"- machine: {m['cpu']}, {m['cpu_count']} cores; versions: "
            + ", ".join(f"{k} {v}" for k, v in child["versions"].items() if v),
            f"- thread variables in the measuring process: {child['threads']}",
            f"- threads as threadpoolctl and torch report them inside each setting: {pools}",
            "",
            table(["busy processes (load avg before → after)", "workload", *heads], rows),
            "",
            f"The book's run from these parts (10000 steps + {BOOK_EVALUATIONS} evaluations of"
            " 10,000 images: 17 epochs of 60000 + 10000), seconds:",
            "",
            table(["busy processes", "backend dtype", *heads], book),
        ]
    )


def cli_report(r: dict) -> str:
    s, m = r["settings"], r["machine"]
    short, long = min(s["iters"]), max(s["iters"])
    rows = [
        [f"`{src}`"]
        + [f"{tree['seconds'][str(n)]['median']:.1f} s" for n in s["iters"]]
        + [f"{tree['long_over_short']:.1f}x"]
        for src, tree in r["trees"].items()
    ]
    headers = ["src tree", *(f"{n} steps" for n in s["iters"]), f"{long} / {short}"]
    return "\n".join(
        [
            f"`{' '.join(s['command'])}`, wall time of the whole process, {s['repeats']}"
            f" interleaved round(s), medians; `{m['command']}` on {m['cpu']}"
            f" ({m['cpu_count']} cores), {m['date'][:10]}, xpnet {m['xpnet_revision']}:",
            "",
            table(headers, rows),
        ]
    )
