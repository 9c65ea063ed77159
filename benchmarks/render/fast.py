"""Markdown of suite fast: each fast path beside its eager step and PyTorch eager (stdlib only)."""

from __future__ import annotations

from ..targets import met, text
from .tables import ratio, status, table

LABELS = {
    "numpy": "xpnet on NumPy (eager)",
    "torch-eager": "xpnet on torch (eager)",
    "jax-eager": "xpnet on JAX (eager)",
    "jax-scan": "xpnet on JAX (jax-scan)",
    "torch-manual": "PyTorch eager, manual gradients",
}


def fast_report(r: dict) -> str:
    s, m = r["settings"], r["machine"]
    rows = []
    for name, t in r["summary"].items():
        rows.append(
            [
                LABELS.get(name, name),
                r["contestants"].get(name, {}).get("step_path", "—"),
                f"{t['median']:.0f} ({t['min']:.0f}-{t['max']:.0f})",
                ratio(r["ratio_to_torch_manual"].get(name)),
                ratio(r["ratio_to_numpy"].get(name)),
            ]
        )
    headers = ["contestant", "step", "µs per step", "/ torch eager manual", "/ xpnet on NumPy"]
    lines = [
        f"TwoLayerNet 784-50-10, {s['dtype']}, batch {s['batch_size']}, SGD; steps 1..{s['steps']}"
        f" of a fresh run as Trainer.run makes them, {s['repeats']} interleaved rounds after a"
        " warm-up round; µs per step, median (min-max); ratios within a round, median",
        "",
        table(headers, rows),
        "",
    ]
    for backend, d in r.get("auto", {}).items():
        verdict = "faster: auto takes it" if d["faster"] else "slower: auto keeps the eager step"
        lines.append(
            f"- {backend}: fast path / eager step = {d['fast_over_eager']:.2f}x ({verdict})"
        )
    compiles = {
        name: w["compile_seconds"]
        for name, w in r.get("warm_up", {}).items()
        if "compile_seconds" in w
    }
    for name, seconds in compiles.items():
        each = ", ".join(
            f"K={k}: {v:.1f} s" for k, v in sorted(seconds.items(), key=lambda kv: int(kv[0]))
        )
        lines.append(f"- {name}: compile time, apart from the steps (one program per K): {each}")
    numpy_torch = r["ratio_to_torch_manual"].get("numpy")
    jax_numpy = r["ratio_to_numpy"].get("jax-scan")
    target_rows = [
        [
            text("cpu_numpy_vs_torch_manual"),
            ratio(numpy_torch),
            status(met("cpu_numpy_vs_torch_manual", numpy_torch)),
        ],
        [
            text("cpu_jax_fast_vs_numpy"),
            ratio(jax_numpy),
            status(met("cpu_jax_fast_vs_numpy", jax_numpy)),
        ],
    ]
    v, threads = m["versions"], m["threads"]
    lines += [
        "",
        table(["target", "measured", ""], target_rows),
        "",
        f"Command: `{m['command']}`; {m['date'][:10]}; {m['cpu']} ({m['cpu_count']} cores,"
        f" shared; load at start {m.get('load_average_at_start')}); NumPy {v.get('numpy')}, torch"
        f" {v.get('torch')}, JAX {v.get('jax')}; threads {s['threads']}"
        f" (XLA_FLAGS={threads.get('XLA_FLAGS', '')!r}); data: {s['data']}; xpnet"
        f" {m['xpnet_revision']}.",
    ]
    return "\n".join(lines)
