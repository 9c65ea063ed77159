"""The Markdown pieces every report uses: a table, a ratio, a size, a status, the machine.

Standard library only: rendering saved JSON needs no NumPy.
"""

from __future__ import annotations

import statistics


def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def mib(n: float | None) -> str:
    return "n/a" if n is None else f"{n / 2**20:.1f} MiB"


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value >= 1 else f"{value * 1e3:.1f} ms"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.2f}"


def accuracy(values: list[float]) -> str:
    """Accuracies in percent: the one value, or the mean (min–max) of several."""
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0] * 100:.2f}"
    mean = statistics.mean(values) * 100
    return f"{mean:.2f} ({min(values) * 100:.2f}–{max(values) * 100:.2f})"


def status(ok: bool | None) -> str:
    return "not measured" if ok is None else ("**met**" if ok else "**not met**")


def machine_section(result: dict) -> str:
    """Date, command, machine, GPUs, versions, BLAS and threads of a suite's JSON, as a list."""
    m = result["machine"]
    v = m["versions"]
    blas = m["blas"].get("numpy_blas")
    if isinstance(blas, dict):
        blas = f"{blas.get('name')} {blas.get('version')} ({blas.get('openblas configuration')})"
    libraries = ", ".join(f"{name} {version}" for name, version in v.items() if version)
    load = m.get("load_average_at_start"), m.get("load_average_at_end")
    load_text = " → ".join("/".join(f"{x:.2f}" for x in pair) for pair in load if pair is not None)
    lines = [
        f"- date: {m['date']}; command: `{m['command']}`",
        f"- machine: {m['cpu']}, {m['cpu_count']} cores,"
        f" sched_getaffinity {m['sched_getaffinity']}, load average (1/5/15 min) {load_text}",
        f"- GPUs: {', '.join(m['gpus']) or 'none'}",
        f"- versions: {libraries}; xpnet revision {m.get('xpnet_revision')}",
        f"- BLAS: {blas}; threadpoolctl: {m['blas'].get('threadpools')}",
        f"- threads: {', '.join(f'{k}={v}' for k, v in m['threads'].items())}",
    ]
    return "\n".join(lines)
