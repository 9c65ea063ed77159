"""Markdown tables from the benchmark scripts' JSON results, and the issue's targets.

Each ``*_report`` function takes the dict a script writes with --json and returns Markdown ready
to paste; ``targets_table`` checks the issue's targets against both scripts' results. Only the
standard library is used: run_all.py renders saved JSON without importing NumPy.
"""

from __future__ import annotations

import statistics

# The targets (issue 5), checked by targets_table.
SPEED_VS_TEXTBOOK = 0.33  # xpnet float32 run <= 0.33 x textbook float64
SPEED_VS_TORCH = 0.7  # <= 0.7 x PyTorch eager float32
SPEED_VS_BOUND = 1.25  # <= 1.25 x the compute bound
ACCURACY_POINTS = 0.5  # test accuracy within 0.5 points of the textbook's
NUMGRAD_SPEEDUP = 50.0  # numerical gradient >= 50x faster than the element-by-element loop
NUMGRAD_AGREEMENT = 1e-9  # max abs difference, float64
NUMGRAD_TRAINING_S = 15 * 60  # 10000 iterations by numerical gradient in under 15 minutes
MEMORY_GROWTH_BYTES = 4 * 2**20  # "no growth": less than 4 MiB from step 1000 to step 10000


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


def machine_section(result: dict) -> str:
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


# -- bench_train ----------------------------------------------------------------------------------


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
                _accuracy(train_acc),
                _accuracy(test_acc),
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


def _accuracy(values: list[float]) -> str:
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0] * 100:.2f}"
    mean = statistics.mean(values) * 100
    return f"{mean:.2f} ({min(values) * 100:.2f}–{max(values) * 100:.2f})"


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


def profile_table(result: dict) -> str:
    profile = result.get("profile")
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
            "### bench_train",
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
            profile_table(result),
            f"#### CUDA graph capture of xpnet's step\n\n{graph_text}",
        ]
    )


# -- bench_numgrad --------------------------------------------------------------------------------


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
        "### bench_numgrad",
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


# -- targets --------------------------------------------------------------------------------------


def _status(ok: bool | None) -> str:
    return "not measured" if ok is None else ("**met**" if ok else "**not met**")


def targets_table(train: dict | None, numgrad: dict | None) -> str:
    """The issue's targets with what was measured and met / not met / not measured."""
    rows = []
    on_cpu = train is not None and train["settings"]["device"] == "cpu"
    if on_cpu and "xpnet" in train["runs"]["summary"]:
        runs = train["runs"]
        to_textbook = runs["ratio_to_textbook"].get("xpnet")
        to_torch = runs["ratio_to_torch"].get("xpnet")
        to_bound = runs["ratio_to_bound"].get("xpnet")
        torch_name = runs.get("torch_reference")
        rows += [
            [
                f"CPU: xpnet.train, book's settings, float32 ≤ {SPEED_VS_TEXTBOOK} × textbook"
                " float64",
                ratio(to_textbook),
                _status(None if to_textbook is None else to_textbook <= SPEED_VS_TEXTBOOK),
            ],
            [
                f"CPU: ≤ {SPEED_VS_TORCH} × PyTorch eager float32 (the faster of manual and"
                " autograd)",
                f"{ratio(to_torch)} ({torch_name})",
                _status(None if to_torch is None else to_torch <= SPEED_VS_TORCH),
            ],
            [
                f"CPU: within {SPEED_VS_BOUND} × the compute bound",
                ratio(to_bound),
                _status(None if to_bound is None else to_bound <= SPEED_VS_BOUND),
            ],
            _accuracy_target(train),
            _memory_target(train),
            [
                "Memory: evaluation of 60000 images in chunks",
                "Trainer.accuracy evaluates eval_chunk = 10000 images at a time; peak RSS"
                f" above start during xpnet's run {_peak(train, 'xpnet')} vs textbook float64"
                f" {_peak(train, 'textbook-f64')}",
                _status(True),
            ],
        ]
    else:
        rows.append(["CPU training targets", "no CPU bench_train result", _status(None)])
    if numgrad is not None:
        speedup = numgrad["timing"]["speedup_vs_textbook"].get("xpnet")
        rows.append(
            [
                f"Numerical gradient ≥ {NUMGRAD_SPEEDUP:.0f}× faster than the element-by-element"
                " loop (textbook)",
                ratio(speedup),
                _status(None if speedup is None else speedup >= NUMGRAD_SPEEDUP),
            ]
        )
        agreement = {(a, b): d for a, b, d in numgrad["agreement"]}
        loop_diff = agreement.get(("xpnet", "xpnet-loop"))
        if loop_diff is not None:
            measured = f'{loop_diff:.1e} (xpnet default vs method="loop")'
            ok = loop_diff <= NUMGRAD_AGREEMENT
        else:
            loop_diff = agreement.get(("xpnet", "textbook-loop"))
            measured = (
                f"{loop_diff:.1e} vs the textbook loop, whose loss differs (log(y + 1e-7));"
                ' no method="loop" result to compare with'
            )
            ok = None
        rows.append([f"… agreeing within {NUMGRAD_AGREEMENT:g} (float64)", measured, _status(ok)])
        training = numgrad.get("training")
        if training:
            minutes = training["extrapolated_s"] / 60
            rows.append(
                [
                    "Training by numerical gradient: 10000 iterations < 15 min on this CPU",
                    f"{minutes:.1f} min (extrapolated from {training['steps']} steps)",
                    _status(training["extrapolated_s"] < NUMGRAD_TRAINING_S),
                ]
            )
    rows.append(["GPU targets", "measured on a GPU by bench_gpu.py", "see the GPU section below"])
    return table(["target (issue 5)", "measured", "status"], rows)


def _peak(train: dict, name: str) -> str:
    rounds = train["runs"]["rounds"].get(name)
    if not rounds:
        return "n/a"
    return mib(max((r["peak_rss_above_start"] or 0) for r in rounds))


BATCHES_VERIFIED = 1e-3  # the first 100 losses of xpnet and the replay agree this well


def _accuracy_target(train: dict) -> list:
    text = (
        f"Accuracy unchanged (same seed: within {ACCURACY_POINTS} points): xpnet float32 vs the"
        " book's net and loop, float64, on the same batches"
    )
    checks = [c for c in train.get("accuracy_check", []) if c.get("xpnet_test_acc") is not None]
    if not checks:
        return [text, "n/a", _status(None)]
    if any(c["loss_max_diff"] is None or c["loss_max_diff"] > BATCHES_VERIFIED for c in checks):
        return [text, "the batch replay did not match xpnet's Trainer", _status(None)]
    diffs = [(c["xpnet_test_acc"] - c["textbook_test_acc"]) * 100 for c in checks]
    measured = "test accuracy differs by " + ", ".join(
        f"{d:+.2f} (seed {c['seed']})" for d, c in zip(diffs, checks, strict=True)
    )
    return [text, measured + " points", _status(max(abs(d) for d in diffs) <= ACCURACY_POINTS)]


def accuracy_check_table(result: dict) -> str:
    checks = result.get("accuracy_check")
    if not checks:
        return "not run (no xpnet contestant)"
    rows = [
        [
            c["seed"],
            _percent(c["xpnet_train_acc"]),
            _percent(c["textbook_train_acc"]),
            _percent(c["xpnet_test_acc"]),
            _percent(c["textbook_test_acc"]),
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


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.2f}"


def _memory_target(train: dict) -> list:
    growths = [
        r["memory"]["growth"]
        for r in train["runs"]["rounds"].get("xpnet", [])
        if r.get("memory") and r["memory"].get("growth") is not None
    ]
    text = "Memory: no growth across 10000 steps (RSS after 1000 vs after 10000 steps)"
    if not growths:
        return [text, "n/a", _status(None)]
    steps = train["runs"]["rounds"]["xpnet"][0]["memory"]["steps"]
    measured = (
        f"{', '.join(mib(g) for g in growths)} from step {steps[0]} to {steps[1]}"
        f" (threshold {mib(MEMORY_GROWTH_BYTES)})"
    )
    return [text, measured, _status(max(growths) < MEMORY_GROWTH_BYTES)]


# -- bench_gpu ------------------------------------------------------------------------------------

GPU_STEP_VS_TORCH = 1.0  # xpnet on CuPy: one step <= 1.0 x PyTorch eager (manual) on the same GPU
GPU_NUMERICAL_S = 60.0  # 10000 iterations by numerical gradient on the GPU in under a minute
GPU_PART_NUMBERS = {
    "gpu": "0",
    "warm_up": "–",
    "steps": "1",
    "run": "2",
    "numerical": "3",
    "memory": "4",
    "cuda_graph": "5",
    "cupy_capture": "5",
}


def _ok(result: dict, name: str) -> dict | None:
    part = result.get("parts", {}).get(name)
    return part if part and part.get("status") == "ok" else None


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
    """One line of plain text for a finished part of bench_gpu (None for an unknown part)."""
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
    else:
        line = "CuPy stream capture (expected to fail): " + _graph_text(part["graph"])
    return f"{number}. {line}"


def _steps_line(part: dict) -> str:
    figures = " | ".join(f"{n} {s['median']:.0f}" for n, s in part["summary"].items())
    to_torch = part["ratio_to_torch_manual"].get("xpnet")
    target = None if to_torch is None else to_torch <= GPU_STEP_VS_TORCH
    return (
        f"one step, µs (median of {part['rounds']} rounds): {figures};"
        f" xpnet / torch manual = {ratio(to_torch)}"
        f" (target ≤ {GPU_STEP_VS_TORCH}: {_met(target, part)})"
    )


def _run_line(part: dict) -> str:
    figures = []
    for n, s in part["summary"].items():
        last = part["rounds"][n][-1]
        timed = last.get("extrapolated_from")
        note = f" at step {(timed - 1) // 600 * 600}, {timed} steps timed" if timed else ""
        figures.append(f"{n} {s['median']:.2f} s (test {_percent(last.get('test_acc'))}%{note})")
    to_cpu = part["ratio_to_xpnet_cpu"].get("xpnet")
    rounds = len(next(iter(part["rounds"].values())))
    return (
        f"the book's run, {part['iters']} iterations (median of {rounds}): {' | '.join(figures)};"
        f" xpnet GPU / xpnet CPU = {ratio(to_cpu)}"
        f" (target < 1: {_met(None if to_cpu is None else to_cpu < 1, part)})"
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
    target = None if "extrapolated_s" not in gpu else gpu["extrapolated_s"] < GPU_NUMERICAL_S
    speedup = part.get("speedup_gpu_vs_cpu")
    return (
        f"training by numerical gradient: {' | '.join(texts)};"
        f" GPU speed-up {ratio(speedup)}"
        f" (target < {GPU_NUMERICAL_S:.0f} s: {_met(target, part)})"
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
    """The plain-text summary bench_gpu prints at the end: status, then a line per part."""
    lines = [f"bench_gpu: {result.get('status')} after {result.get('elapsed_s', 0):.0f} s"]
    lines += [line for name in result.get("parts", {}) if (line := gpu_summary_line(result, name))]
    lines += [
        f"contestant {n} left out: {e}" for n, e in result.get("contestant_errors", {}).items()
    ]
    return "\n".join(lines)


def gpu_report(result: dict) -> str:
    """bench_gpu's JSON as a Markdown section for BENCHMARKS.md."""
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
        _gpu_targets(result),
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


def _gpu_targets(result: dict) -> str:
    steps, run, numerical = (_ok(result, n) for n in ("steps", "run", "numerical"))
    to_torch = steps and steps["ratio_to_torch_manual"].get("xpnet")
    to_cpu = run and run["ratio_to_xpnet_cpu"].get("xpnet")
    seconds = numerical and numerical.get("gpu", {}).get("extrapolated_s")
    memory = _ok(result, "memory")
    grew = memory.get("grew") if memory else None
    rows = [
        [
            f"one step: xpnet on CuPy ≤ {GPU_STEP_VS_TORCH} × PyTorch eager (manual gradients)"
            " on the same GPU",
            ratio(to_torch),
            _status(None if to_torch is None else to_torch <= GPU_STEP_VS_TORCH),
        ],
        [
            "the book's run: xpnet on the GPU faster than xpnet on NumPy on this machine's CPU",
            ratio(to_cpu),
            _status(None if to_cpu is None else to_cpu < 1),
        ],
        [
            "training by numerical gradient on the GPU: 10000 iterations"
            f" < {GPU_NUMERICAL_S:.0f} s",
            "–" if seconds is None else f"{seconds:.1f} s (extrapolated)",
            _status(None if seconds is None else seconds < GPU_NUMERICAL_S),
        ],
        [
            "CuPy memory pool: no growth (after warm-up vs after the runs, and within each run)",
            "n/a" if grew is None else ("grew" if grew else "no growth"),
            _status(None if grew is None else not grew),
        ],
    ]
    if result["settings"].get("dry_run"):  # CPU stand-ins: no verdict on a GPU target
        rows = [[text, measured, "dry run: not a GPU figure"] for text, measured, _ in rows]
    return table(["target", "measured", "status"], rows)


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
                _accuracy([r["train_acc"] for r in rounds if "train_acc" in r]),
                _accuracy([r["test_acc"] for r in rounds if "test_acc" in r]),
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
