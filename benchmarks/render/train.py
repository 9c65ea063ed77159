"""Markdown of suites train and numgrad: the tables of BENCHMARKS.md's results block.

``train_report(result)`` and ``numgrad_report(result)`` take the JSON a suite wrote and return
its section; the targets table is targets.py's. Standard library only.
"""

from __future__ import annotations

import statistics

from .tables import accuracy, machine_section, mib, percent, ratio, seconds, table

# -- suite train ----------------------------------------------------------------------------------


def _labels(result: dict) -> dict[str, str]:
    return {name: c["label"] for name, c in result["contestants"].items()}


def _torch_header(analysis: dict, labels: dict) -> str:
    reference = analysis.get("torch_reference")
    return f"× {labels[reference]}" if reference else "× torch eager"


def bound_table(result: dict) -> str:
    parts = []
    for dtype, bound in result["bound"].items():
        libraries = bound["libraries"]
        rows = [
            [op["label"], op["shape"]]
            + [f"{op['seconds'][lib] * 1e6:.1f}" for lib in libraries]
            + [f"{op['gflops']:.1f} ({op['best']})"]
            for op in bound["ops"]
        ]
        headers = ["matmul", "shape"] + [f"{lib} µs" for lib in libraries] + ["best GFLOP/s"]
        evaluations = bound["evaluations"] * bound["chunks_per_evaluation"]
        parts.append(
            f"**{dtype}** — one step's matmuls: {bound['step_s'] * 1e6:.1f} µs; one evaluation"
            f" chunk: {bound['eval_chunk_s'] * 1e3:.2f} ms; compute bound of the run:"
            f" {bound['iters']} × {bound['step_s'] * 1e6:.1f} µs + {evaluations} chunks ="
            f" **{seconds(bound['run_s'])}**\n\n" + table(headers, rows)
        )
    return "\n\n".join(parts)


def runs_table(result: dict) -> str:
    runs, labels = result["runs"], _labels(result)
    rows = []
    for name, rounds in runs["rounds"].items():
        s = runs["summary"][name]
        train_acc = [r["train_acc"] for r in rounds if "train_acc" in r]
        test_acc = [r["test_acc"] for r in rounds if "test_acc" in r]
        peak = max((r["peak_rss_above_start"] or 0) for r in rounds)
        rows.append(
            [
                labels[name],
                result["contestants"][name]["device"],
                f"{s['median']:.2f} ({s['min']:.2f}–{s['max']:.2f})",
                ratio(runs["ratio_to_textbook"].get(name)),
                ratio(runs["ratio_to_torch"].get(name)),
                ratio(runs["ratio_to_bound"].get(name)),
                f"{statistics.median(r['setup_s'] for r in rounds):.2f}",
                accuracy(train_acc),
                accuracy(test_acc),
                mib(peak),
            ]
        )
    headers = [
        "contestant",
        "device",
        "median s (min–max)",
        "× textbook float64",
        _torch_header(runs, labels),
        "× compute bound",
        "of which set-up s",
        "train acc %",
        "test acc %",
        "peak RSS above start",
    ]
    return table(headers, rows)


def steps_table(result: dict) -> str:
    steps, labels = result["steps"], _labels(result)
    rows = []
    for name, s in steps["summary"].items():
        rows.append(
            [
                labels[name],
                f"{s['median'] * 1e6:.0f} ({s['min'] * 1e6:.0f}–{s['max'] * 1e6:.0f})",
                ratio(steps["ratio_to_textbook"].get(name)),
                ratio(steps["ratio_to_torch"].get(name)),
                ratio(steps["ratio_to_bound"].get(name)),
            ]
        )
    headers = [
        "contestant",
        "µs per step, median (min–max)",
        "× textbook float64",
        _torch_header(steps, labels),
        "× step's matmuls alone",
    ]
    return table(headers, rows)


def memory_section(result: dict) -> str:
    lines = [
        f"- process peak RSS (VmHWM) at start {mib(result['peak_rss_at_start'])},"
        f" at end {mib(result['peak_rss_at_end'])}"
    ]
    xpnet_rounds = result["runs"]["rounds"].get("xpnet", [])
    for r in xpnet_rounds:
        memory = r.get("memory")
        if not memory:
            continue
        (a, b), (rss_a, rss_b) = memory["steps"], memory["rss"]
        line = (
            f"- xpnet Trainer, seed {r['seed']}: RSS {mib(rss_a)} after {a} steps, {mib(rss_b)}"
            f" after {b} steps: growth {mib(memory['growth'])}"
        )
        pools = memory.get("gpu_pool") or [None, None]
        if pools[0] is not None:
            line += (
                f"; CuPy pool used/total {mib(pools[0]['used_bytes'])}/"
                f"{mib(pools[0]['total_bytes'])} → {mib(pools[1]['used_bytes'])}/"
                f"{mib(pools[1]['total_bytes'])}"
            )
        lines.append(line)
    return "\n".join(lines)


def profile_table(profile: dict | None) -> str:
    """cProfile's top functions of contestants.profile_step, per step."""
    if not profile:
        return "not run"
    rows = [
        [
            f"`{row['function']}`",
            f"{row['calls_per_step']:.1f}",
            f"{row['own_us_per_step']:.1f}",
            f"{row['cumulative_us_per_step']:.1f}",
        ]
        for row in profile["top"]
    ]
    head = (
        f"cProfile over {profile['steps']} steps of xpnet's Trainer (profiled step:"
        f" {profile['total_us_per_step']:.0f} µs; cProfile adds its own cost to every call)\n\n"
    )
    return head + table(["function", "calls/step", "own µs/step", "cumulative µs/step"], rows)


def accuracy_check_table(result: dict) -> str:
    checks = result.get("accuracy_check")
    if not checks:
        return "not run (no xpnet contestant)"
    rows = [
        [
            c["seed"],
            percent(c["xpnet_train_acc"]),
            percent(c["textbook_train_acc"]),
            percent(c["xpnet_test_acc"]),
            percent(c["textbook_test_acc"]),
            "n/a" if c["loss_max_diff"] is None else f"{c['loss_max_diff']:.1e}",
        ]
        for c in checks
    ]
    headers = [
        "seed",
        "xpnet float32 train %",
        "book float64 train %",
        "xpnet float32 test %",
        "book float64 test %",
        "first 100 losses, max diff",
    ]
    return table(headers, rows)


def _seeds(settings: dict, rounds: str) -> str:
    first, last = settings["seed"], settings["seed"] + settings[rounds] - 1
    return str(first) if first == last else f"{first}–{last}"


def train_report(result: dict) -> str:
    s = result["settings"]
    graph = result.get("cuda_graph") or {"status": "not run"}
    graph_text = graph["status"]
    if "error" in graph:
        graph_text += f": {graph['error']}"
    if "graph_us" in graph:
        graph_text += f": eager {graph['eager_us']:.1f} µs/step, replayed {graph['graph_us']:.1f}"
    return "\n\n".join(
        [
            "### Suite train",
            machine_section(result),
            f"Settings: device {s['device']}, xpnet backend {s['backend'] or 'default'},"
            f" {s['iters']} iterations, batch {s['batch_size']}, lr {s['learning_rate']},"
            f" {s['full_repeats']} rounds of full runs (seeds {_seeds(s, 'full_repeats')}) and"
            f" {s['repeats']} of steps (seeds {_seeds(s, 'repeats')}), threads {s['threads']}."
            f" Data: {s['data']}.",
            f"#### Workload 1: the book's run ({s['iters']} iterations, 784-50-10, evaluation"
            " every 600 iterations)",
            runs_table(result),
            "Accuracy with the same seed: the book's network and loop (float64) trained on the"
            " batches xpnet's Trainer draws for that seed (replayed; the first 100 losses confirm"
            " the replay), both evaluated at the last evaluation step:",
            accuracy_check_table(result),
            f"#### Workload 2: one step, without evaluation (steps 1..{s['step_iters']})",
            steps_table(result),
            "#### The limit: the same matmuls alone (best of repeats, measured before and after)",
            bound_table(result),
            "#### Memory",
            memory_section(result),
            "#### Where xpnet's step spends its time",
            profile_table(result.get("profile")),
            f"#### CUDA graph capture of xpnet's step\n\n{graph_text}",
        ]
    )


# -- suite numgrad --------------------------------------------------------------------------------


def numgrad_report(result: dict) -> str:
    timing = result["timing"]
    labels = result["labels"]
    rows = []
    for name, s in timing["summary"].items():
        rows.append(
            [
                labels[name],
                f"{s['median'] * 1e3:.1f} ({s['min'] * 1e3:.1f}–{s['max'] * 1e3:.1f})",
                ratio(timing["speedup_vs_textbook"].get(name)),
            ]
        )
    parts = [
        "### Suite numgrad",
        machine_section(result),
        f"Numerical gradient of the whole 784-50-10 network (39,760 parameters) on"
        f" {result['settings']['samples']} samples, float64, {result['settings']['repeats']}"
        f" interleaved rounds, all from the same weights. xpnet's numerical_gradient"
        f" {'takes' if result['has_method'] else 'does not take'} a method= argument.",
        table(["contestant", "median ms (min–max)", "speed-up vs textbook loop"], rows),
        "Agreement (max abs difference over all 39,760 entries; largest |gradient| "
        f"{result['largest_gradient']:.3g}):",
        table(
            ["between", "and", "max abs diff"],
            [[labels.get(a, a), labels.get(b, b), f"{d:.2e}"] for a, b, d in result["agreement"]],
        ),
    ]
    training = result.get("training")
    if training:
        fastest, slowest = min(training["step_times_s"]), max(training["step_times_s"])
        parts.append(
            f'Training by numerical gradient (xpnet.Trainer grad="numerical",'
            f" {training['activation']} net, {training['dtype']}, batch 100):"
            f" {training['steps']} timed steps, {training['step_s'] * 1e3:.1f} ms per step"
            f" (median; {fastest * 1e3:.1f}–{slowest * 1e3:.1f});"
            f" evaluation of 60000 + 10000 images {training['evaluation_s']:.2f} s;"
            f" extrapolated to 10000 iterations: 10000 × step + {training['evaluations']}"
            f" evaluations = **{training['extrapolated_s'] / 60:.1f} min**"
            f" ({training['extrapolated_s'] / 3600:.2f} h)."
        )
    return "\n\n".join(parts)
