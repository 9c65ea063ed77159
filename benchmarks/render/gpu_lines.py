"""The plain-text lines of suite gpu: one as each part ends (``gpu_summary_line``, on stderr)
and all of them at the end (``gpu_summary``, the last lines of its output). Standard library only.
"""

from __future__ import annotations

from ..targets import limit, met
from .gpu_fast import fast_line, sweep_line
from .tables import mib, percent, ratio

GPU_PART_NUMBERS = {
    "gpu": "0",
    "warm_up": "–",
    "steps": "1",
    "run": "2",
    "numerical": "3",
    "memory": "4",
    "cuda_graph": "5",
    "profile": "6",
    "cupy_capture": "5",
    "fast": "7",
    "sweep": "8",
}


def _who(result: dict, name: str) -> str:
    c = result.get("contestants", {}).get(name)
    return f"{c['label']} ({c['device']})" if c else name


def _met(ok: bool | None, part: dict) -> str:
    if part.get("dry_run"):
        return "dry run"
    return "not measured" if ok is None else ("met" if ok else "NOT met")


def gpu_header(result: dict) -> str:
    """'GPU: <name>, driver X, cupy Y, torch Z, <date>' (or what the dry run stood in for)."""
    facts = result.get("parts", {}).get("gpu", {})
    smi = facts.get("nvidia_smi")
    smi = smi[0] if isinstance(smi, list) and smi else {}
    cupy, torch = facts.get("cupy", {}), facts.get("torch", {})
    versions = result.get("machine", {}).get("versions", {})
    name = smi.get("name") or cupy.get("name") or torch.get("name")
    driver = smi.get("driver_version") or (
        f"CUDA driver API {cupy['cuda_driver_api']}" if "cuda_driver_api" in cupy else "n/a"
    )
    date = result.get("machine", {}).get("date", "date n/a")[:10]
    if result.get("settings", {}).get("dry_run"):
        name = "none (dry run on the CPU: NumPy and torch-CPU stand in for the GPU)"
    return (
        f"GPU: {name or 'n/a'}, driver {driver},"
        f" cupy {cupy.get('version') or versions.get('cupy')},"
        f" torch {versions.get('torch') or torch.get('version')}, {date}"
    )


def gpu_summary_line(result: dict, name: str) -> str | None:
    """One line of plain text for a finished part of suite gpu (None for an unknown part)."""
    number = GPU_PART_NUMBERS.get(name)
    part = result.get("parts", {}).get(name)
    if number is None or part is None:
        return None
    if part.get("status") != "ok":
        return f"{number}. {name}: ERROR {part.get('error')}"
    part = {**part, "dry_run": result.get("settings", {}).get("dry_run")}  # for _met
    if name == "gpu":
        line = gpu_header(result)
    elif name == "warm_up":
        line = "warm-up: " + ", ".join(
            f"{n} = {_who(result, n)}, {result['contestants'][n]['warm_up_s']:.1f} s"
            for n in part["contestants"]
        )
    elif name == "steps":
        line = _steps_line(part)
    elif name == "run":
        line = _run_line(part)
    elif name == "numerical":
        line = _numerical_line(part)
    elif name == "memory":
        line = _memory_line(part)
    elif name == "cuda_graph":
        line = "CUDA graph, torch backend: " + _graph_text(part["graph"])
    elif name == "profile":
        line = "cProfile of xpnet's step, host time: " + ", ".join(
            f"{n} {p['total_us_per_step']:.0f} µs/step" for n, p in part["profiles"].items()
        )
    elif name == "fast":
        line = fast_line(part)
    elif name == "sweep":
        line = sweep_line(part)
    else:
        line = "CuPy stream capture (expected to fail): " + _graph_text(part["graph"])
    return f"{number}. {line}"


def _steps_line(part: dict) -> str:
    figures = " | ".join(f"{n} {s['median']:.0f}" for n, s in part["summary"].items())
    to_torch = part["ratio_to_torch_manual"].get("xpnet")
    target = met("gpu_step_vs_torch", to_torch)
    return (
        f"one step, µs (median of {part['rounds']} rounds): {figures};"
        f" xpnet / torch manual = {ratio(to_torch)}"
        f" (target ≤ {limit('gpu_step_vs_torch')}: {_met(target, part)})"
    )


def _run_line(part: dict) -> str:
    figures = []
    for n, s in part["summary"].items():
        last = part["rounds"][n][-1]
        timed = last.get("extrapolated_from")
        note = f" at step {(timed - 1) // 600 * 600}, {timed} steps timed" if timed else ""
        figures.append(f"{n} {s['median']:.2f} s (test {percent(last.get('test_acc'))}%{note})")
    to_cpu = part["ratio_to_xpnet_cpu"].get("xpnet")
    rounds = len(next(iter(part["rounds"].values())))
    return (
        f"the book's run, {part['iters']} iterations (median of {rounds}): {' | '.join(figures)};"
        f" xpnet GPU / xpnet CPU = {ratio(to_cpu)}"
        f" (target < {limit('gpu_run_vs_cpu'):g}: {_met(met('gpu_run_vs_cpu', to_cpu), part)})"
    )


def _numerical_line(part: dict) -> str:
    texts = []
    for key in ("gpu", "cpu"):
        n = part.get(key, {})
        if "error" in n:
            texts.append(f"{key}: ERROR {n['error']}")
            continue
        texts.append(
            f"{n['backend']} ({n['device']}) {n['step_s'] * 1e3:.1f} ms/step ({n['steps']} steps)"
            f" → 10000 iterations ≈ {n['extrapolated_s']:.0f} s"
        )
    gpu = part.get("gpu", {})
    target = met("gpu_numerical", gpu.get("extrapolated_s"))
    speedup = part.get("speedup_gpu_vs_cpu")
    return (
        f"training by numerical gradient: {' | '.join(texts)};"
        f" GPU speed-up {ratio(speedup)}"
        f" (target < {limit('gpu_numerical'):.0f} s: {_met(target, part)})"
    )


def _pool(pool: dict | None) -> str:
    if not pool:
        return "n/a"
    if "error" in pool:
        return f"unread ({pool['error']})"
    return f"{mib(pool['used_bytes'])} / {mib(pool['total_bytes'])}"


def _memory_line(part: dict) -> str:
    text = (
        f"CuPy pool used / total: after warm-up {_pool(part.get('after_warm_up'))},"
        f" after the step rounds {_pool(part.get('after_steps'))},"
        f" after the runs {_pool(part.get('after_run'))}"
    )
    for memory in part.get("in_run", []):
        pools = memory.get("gpu_pool") or [None, None]
        (a, b) = memory["steps"]
        text += f"; in a run, step {a} → {b}: {_pool(pools[0])} → {_pool(pools[1])}"
    grew, growth = part.get("grew"), part.get("growth_bytes", {})
    verdict = "n/a (no CuPy)" if grew is None else "no growth"
    if grew:
        verdict = (
            "GREW (largest growth: "
            + ", ".join(
                f"{key.removesuffix('_bytes')} +{mib(value)}" for key, value in growth.items()
            )
            + ")"
        )
    return f"{text}: {verdict}"


def _graph_text(part: dict) -> str:
    text = part.get("status", "not run")
    if "graph_us" in part:
        text += f": eager {part['eager_us']:.1f} µs/step, replayed {part['graph_us']:.1f} µs/step"
    elif "eager_us" in part:
        text += f" (eager {part['eager_us']:.1f} µs/step)"
    if "error" in part:
        text += f": {part['error']}"
    return text


def gpu_summary(result: dict) -> str:
    """The plain-text summary suite gpu prints at the end: status, then a line per part."""
    lines = [f"bench gpu: {result.get('status')} after {result.get('elapsed_s', 0):.0f} s"]
    lines += [line for name in result.get("parts", {}) if (line := gpu_summary_line(result, name))]
    lines += [
        f"contestant {n} left out: {e}" for n, e in result.get("contestant_errors", {}).items()
    ]
    return "\n".join(lines)
