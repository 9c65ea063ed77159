"""Markdown of suite gpu: the section between BENCHMARKS.md's gpu markers.

``gpu_report(result)`` takes the JSON the suite wrote; gpu_lines.py has its plain-text lines.
Standard library only.
"""

from __future__ import annotations

import statistics

from .gpu_fast import fast_table, sweep_table
from .gpu_lines import _graph_text, _memory_line, _who, gpu_header
from .tables import accuracy, ratio, table
from .targets import _ok, gpu_targets
from .train import profile_table


def gpu_report(result: dict) -> str:
    """Suite gpu's JSON as a Markdown section for BENCHMARKS.md."""
    s, m = result["settings"], result.get("machine", {})
    versions = m.get("versions", {})
    libraries = ", ".join(f"{name} {version}" for name, version in versions.items() if version)
    parts = [
        f"### {gpu_header(result)}",
        f"- command: `{m.get('command')}`; status: {result.get('status')} after"
        f" {result.get('elapsed_s', 0):.0f} s (budget {s['budget_s']:.0f} s)\n"
        f"- CPU: {m.get('cpu')}, {m.get('cpu_count')} cores, {s['threads']} thread(s) for BLAS"
        f" and torch; versions: {libraries}; xpnet revision {m.get('xpnet_revision')}\n"
        f"- settings: 784-50-10 ReLU, batch {s['batch_size']}, lr {s['learning_rate']}, float32,"
        f" seed {s['seed']}; data: {s.get('data', 'n/a')}",
        "#### Targets",
        gpu_targets(result),
        f"#### 1. One SGD step (steps 1..{s['step_iters']} of a fresh run, no evaluation)",
        _gpu_steps_table(result),
        f"#### 2. The book's run ({s['iters']} iterations, evaluation every 600)",
        _gpu_run_table(result),
        "#### 3. Training by numerical gradient (`xpnet train --grad numerical`:"
        f" {s['numerical_activation']}, {s['numerical_dtype']})",
        _gpu_numerical_table(result),
        "#### 4. CuPy memory pool",
        _part_text(result, "memory", _memory_line),
        "#### 5. CUDA graphs",
        "- torch backend (`torch.cuda.graph`, static batch): "
        + _part_text(result, "cuda_graph", lambda part: _graph_text(part["graph"]))
        + "\n- CuPy (stream capture; its cuBLAS wrapper refuses it, so no figure is promised): "
        + _part_text(result, "cupy_capture", lambda part: _graph_text(part["graph"])),
        "#### 6. Where xpnet's step spends its host time (cProfile)",
        _part_text(result, "profile", _profiles),
        "#### 7. The fast paths: host time and GPU time apart",
        _part_text(result, "fast", lambda part: fast_table(part, lambda n: _who(result, n))),
        "#### 8. Size sweep (batch × hidden)",
        _part_text(result, "sweep", lambda part: sweep_table(part, lambda n: _who(result, n))),
    ]
    errors = [
        f"- part {name}: {p['error']}"
        for name, p in result.get("parts", {}).items()
        if p.get("status") != "ok"
    ] + [f"- contestant {n}: {e}" for n, e in result.get("contestant_errors", {}).items()]
    if errors:
        parts += ["#### Errors", "\n".join(errors)]
    return "\n\n".join(parts)


def _part_text(result: dict, name: str, render) -> str:
    part = result.get("parts", {}).get(name)
    if part is None:
        return "not run"
    if part.get("status") != "ok":
        return f"failed: {part.get('error')}"
    return render(part)


def _gpu_steps_table(result: dict) -> str:
    steps = _ok(result, "steps")
    if steps is None:
        return _part_text(result, "steps", str)
    rows = [
        [
            _who(result, name),
            f"{s['median']:.0f} ({s['min']:.0f}–{s['max']:.0f})",
            ratio(steps["ratio_to_torch_manual"].get(name)),
            ratio(steps["ratio_to_xpnet_cpu"].get(name)),
        ]
        for name, s in steps["summary"].items()
    ]
    headers = ["contestant", "µs per step, median (min–max)", "× torch manual", "× xpnet CPU"]
    return f"{steps['rounds']} interleaved rounds.\n\n" + table(headers, rows)


def _gpu_run_table(result: dict) -> str:
    run = _ok(result, "run")
    if run is None:
        return _part_text(result, "run", str)
    rows, notes = [], []
    for name, rounds in run["rounds"].items():
        s = run["summary"][name]
        extrapolated = [r["extrapolated_from"] for r in rounds if "extrapolated_from" in r]
        if extrapolated:
            notes.append(
                f"{_who(result, name)}: {extrapolated[0]} steps timed (with their evaluations),"
                f" extrapolated to {run['iters']}: set-up + {run['iters']} × the step"
                " + one evaluation per 600 steps, the evaluation timed at warm-up;"
                " its accuracy is that of step"
                f" {(extrapolated[0] - 1) // 600 * 600}"
            )
        rows.append(
            [
                _who(result, name),
                f"{s['median']:.2f} ({s['min']:.2f}–{s['max']:.2f})",
                ratio(run["ratio_to_xpnet_cpu"].get(name)),
                ratio(run["ratio_to_torch_manual"].get(name)),
                f"{statistics.median(r['setup_s'] for r in rounds):.2f}",
                accuracy([r["train_acc"] for r in rounds if "train_acc" in r]),
                accuracy([r["test_acc"] for r in rounds if "test_acc" in r]),
            ]
        )
    headers = [
        "contestant",
        "seconds, median (min–max)",
        "× xpnet CPU",
        "× torch manual",
        "of which set-up s",
        "train acc %",
        "test acc %",
    ]
    rounds = len(next(iter(run["rounds"].values())))
    head = f"{rounds} interleaved round(s), seeds from {result['settings']['seed']}."
    return "\n\n".join([head, table(headers, rows)] + (["\n".join(notes)] if notes else []))


def _gpu_numerical_table(result: dict) -> str:
    numerical = _ok(result, "numerical")
    if numerical is None:
        return _part_text(result, "numerical", str)
    rows = []
    for key in ("gpu", "cpu"):
        n = numerical.get(key, {})
        if "error" in n:
            rows.append([key, f"failed: {n['error']}", "", "", "", ""])
            continue
        times = n["block_step_s"]
        rows.append(
            [
                f"{n['backend']} ({n['device']})",
                f"{n['step_s'] * 1e3:.2f} ({min(times) * 1e3:.2f}–{max(times) * 1e3:.2f})",
                n["steps"],
                f"{n['evaluation_s']:.3f}",
                f"**{n['extrapolated_s']:.1f} s**",
                f"{n['last_loss']:.3f}",
            ]
        )
    headers = [
        "backend",
        "ms per step, median of blocks (min–max)",
        "steps timed",
        "evaluation s",
        "10000 iterations, extrapolated",
        "last loss",
    ]
    head = (
        "After step 0 (with its evaluation and, on a GPU, the kernels' compilation) and two"
        " warm-up steps; 10000 × the step + 17 evaluations."
        f" GPU speed-up over the CPU: {ratio(numerical.get('speedup_gpu_vs_cpu'))}."
    )
    return head + "\n\n" + table(headers, rows)


def _profiles(part: dict) -> str:
    return (
        "\n\n".join(
            f"{name}: {profile_table(profile)}" for name, profile in part["profiles"].items()
        )
        or "no xpnet contestant on a GPU"
    )
