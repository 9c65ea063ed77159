"""The targets tables: each target of targets.py beside what was measured, met or not.

``cpu_targets(train, numgrad)`` for the results block (suites train and numgrad on the CPU),
``gpu_targets(result)`` for the GPU section. The limits and sentences are targets.py's; here is
only where each measured value is found in the JSON. Standard library only.
"""

from __future__ import annotations

from ..targets import limit, met, text
from .tables import mib, ratio, status, table

BATCHES_VERIFIED = 1e-3  # the first 100 losses of xpnet and the replay agree this well


def _row(key: str, measured: str, value) -> list:
    return [text(key), measured, status(met(key, value))]


def cpu_targets(train: dict | None, numgrad: dict | None) -> str:
    """The CPU targets with what was measured and met / not met / not measured."""
    rows = []
    on_cpu = train is not None and train["settings"]["device"] == "cpu"
    if on_cpu and "xpnet" in train["runs"]["summary"]:
        runs = train["runs"]
        to_textbook = runs["ratio_to_textbook"].get("xpnet")
        to_torch = runs["ratio_to_torch"].get("xpnet")
        to_bound = runs["ratio_to_bound"].get("xpnet")
        torch_name = runs.get("torch_reference")
        rows += [
            _row("cpu_vs_textbook", ratio(to_textbook), to_textbook),
            _row("cpu_vs_torch", f"{ratio(to_torch)} ({torch_name})", to_torch),
            _row("cpu_vs_bound", ratio(to_bound), to_bound),
            _accuracy_target(train),
            _memory_target(train),
            [
                text("evaluation_in_chunks"),
                "Trainer.accuracy evaluates eval_chunk = 10000 images at a time; peak RSS"
                f" above start during xpnet's run {_peak(train, 'xpnet')} vs textbook float64"
                f" {_peak(train, 'textbook-f64')}",
                status(True),
            ],
        ]
    else:
        rows.append(["CPU training targets", "no CPU result of suite train", status(None)])
    if numgrad is not None:
        speedup = numgrad["timing"]["speedup_vs_textbook"].get("xpnet")
        rows.append(_row("numgrad_speedup", ratio(speedup), speedup))
        agreement = {(a, b): d for a, b, d in numgrad["agreement"]}
        loop_diff = agreement.get(("xpnet", "xpnet-loop"))
        if loop_diff is not None:
            rows.append(
                _row(
                    "numgrad_agreement",
                    f'{loop_diff:.1e} (xpnet default vs method="loop")',
                    loop_diff,
                )
            )
        else:
            loop_diff = agreement.get(("xpnet", "textbook-loop"))
            measured = (
                f"{loop_diff:.1e} vs the textbook loop, whose loss differs (log(y + 1e-7));"
                ' no method="loop" result to compare with'
            )
            rows.append(_row("numgrad_agreement", measured, None))
        training = numgrad.get("training")
        if training:
            minutes = training["extrapolated_s"] / 60
            measured = f"{minutes:.1f} min (extrapolated from {training['steps']} steps)"
            rows.append(_row("numgrad_training", measured, minutes))
    rows.append(["GPU targets", "measured on a GPU by suite gpu", "see the GPU section below"])
    return table(["target (issue 5)", "measured", "status"], rows)


def _peak(train: dict, name: str) -> str:
    rounds = train["runs"]["rounds"].get(name)
    if not rounds:
        return "n/a"
    return mib(max((r["peak_rss_above_start"] or 0) for r in rounds))


def _accuracy_target(train: dict) -> list:
    checks = [c for c in train.get("accuracy_check", []) if c.get("xpnet_test_acc") is not None]
    if not checks:
        return _row("accuracy", "n/a", None)
    if any(c["loss_max_diff"] is None or c["loss_max_diff"] > BATCHES_VERIFIED for c in checks):
        return _row("accuracy", "the batch replay did not match xpnet's Trainer", None)
    diffs = [(c["xpnet_test_acc"] - c["textbook_test_acc"]) * 100 for c in checks]
    measured = "test accuracy differs by " + ", ".join(
        f"{d:+.2f} (seed {c['seed']})" for d, c in zip(diffs, checks, strict=True)
    )
    return _row("accuracy", measured + " points", max(abs(d) for d in diffs))


def _memory_target(train: dict) -> list:
    growths = [
        r["memory"]["growth"]
        for r in train["runs"]["rounds"].get("xpnet", [])
        if r.get("memory") and r["memory"].get("growth") is not None
    ]
    if not growths:
        return _row("memory_growth", "n/a", None)
    steps = train["runs"]["rounds"]["xpnet"][0]["memory"]["steps"]
    measured = (
        f"{', '.join(mib(g) for g in growths)} from step {steps[0]} to {steps[1]}"
        f" (threshold {limit('memory_growth'):.1f} MiB)"
    )
    return _row("memory_growth", measured, max(growths) / 2**20)


def _ok(result: dict, name: str) -> dict | None:
    part = result.get("parts", {}).get(name)
    return part if part and part.get("status") == "ok" else None


def gpu_targets(result: dict) -> str:
    """Suite gpu's targets; a dry run's CPU stand-ins get no verdict."""
    steps, run, numerical = (_ok(result, n) for n in ("steps", "run", "numerical"))
    to_torch = steps and steps["ratio_to_torch_manual"].get("xpnet")
    to_cpu = run and run["ratio_to_xpnet_cpu"].get("xpnet")
    seconds = numerical and numerical.get("gpu", {}).get("extrapolated_s")
    memory = _ok(result, "memory")
    grew = memory.get("grew") if memory else None
    growth = max(memory["growth_bytes"].values()) if grew is not None else None
    rows = [
        _row("gpu_step_vs_torch", ratio(to_torch), to_torch),
        _row("gpu_run_vs_cpu", ratio(to_cpu), to_cpu),
        _row(
            "gpu_numerical", "–" if seconds is None else f"{seconds:.1f} s (extrapolated)", seconds
        ),
        _row(
            "gpu_pool_growth", "n/a" if grew is None else ("grew" if grew else "no growth"), growth
        ),
    ]
    if result["settings"].get("dry_run"):
        rows = [[target, measured, "dry run: not a GPU figure"] for target, measured, _ in rows]
    return table(["target", "measured", "status"], rows)
