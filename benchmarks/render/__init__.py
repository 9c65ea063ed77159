"""The one renderer: the suites' JSON as Markdown, and BENCHMARKS.md's blocks between markers.

``markdown(result)`` is any suite's section; ``BLOCKS`` says which JSON files each marked block
of BENCHMARKS.md (``<!-- NAME:begin -->`` ... ``<!-- NAME:end -->``) is rendered from;
``render_command`` re-renders the blocks whose JSON is in the results folder and leaves the
others as they are (their figures came from runs whose JSON is not kept). Standard library only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .fast import fast_report
from .gpu import gpu_report
from .others import cli_report, dask_report, jax_report, threads_report
from .targets import cpu_targets
from .train import numgrad_report, train_report

REPORTS = {
    "train": train_report,
    "numgrad": numgrad_report,
    "gpu": gpu_report,
    "jax": jax_report,
    "fast": fast_report,
    "dask": dask_report,
    "threads": threads_report,
    "cli": cli_report,
}


def markdown(result: dict) -> str:
    """The Markdown section of one suite's JSON."""
    return REPORTS[result["suite"]](result)


def results_block(train: dict, numgrad: dict) -> str:
    return "\n\n".join(
        [
            "Rendered by `python -m benchmarks render --write BENCHMARKS.md` from"
            " `benchmarks/results/train-cpu.json` and `numgrad-cpu.json`, which"
            " `python -m benchmarks run train numgrad --out benchmarks/results` writes.",
            "### The issue's targets",
            cpu_targets(train, numgrad),
            train_report(train),
            numgrad_report(numgrad),
        ]
    )


def gpu_block(result: dict) -> str | None:
    """The GPU section, from a run on a GPU only (None for a dry run's CPU stand-ins)."""
    return None if result["settings"].get("dry_run") else gpu_report(result)


# block name: (the JSON files it is rendered from, how; None: not from these results)
BLOCKS = {
    "results": (("train-cpu.json", "numgrad-cpu.json"), results_block),
    "dask": (("dask-cpu.json",), dask_report),
    "fast": (("fast-cpu.json",), fast_report),
    "gpu": (("gpu-cuda.json",), gpu_block),
}


def write_between_markers(path: Path, name: str, text: str) -> None:
    """Replace what stands between <!-- name:begin --> and <!-- name:end --> in path."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    document = path.read_text()
    if begin not in document or end not in document:
        raise SystemExit(f"{path} has no {begin} ... {end} markers to write between")
    head, rest = document.split(begin, 1)
    tail = rest.split(end, 1)[1]
    path.write_text(f"{head}{begin}\n{text}\n{end}{tail}")


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def render_command(results: Path, write: Path | None, prints: list[Path]) -> int:
    """`python -m benchmarks render`: print the JSON given, re-render the blocks of `write`
    whose JSON is in `results`, or, with neither, print every result in `results`."""
    for path in prints:
        print(markdown(load(path)) + "\n")
    if write is not None:
        for name, (files, render) in BLOCKS.items():
            missing = [file for file in files if not (results / file).exists()]
            if missing:
                print(f"{name}: left as it is (no {', '.join(missing)})", file=sys.stderr)
                continue
            text = render(*(load(results / f) for f in files))
            if text is None:
                print(f"{name}: left as it is ({', '.join(files)} is a dry run)", file=sys.stderr)
                continue
            write_between_markers(write, name, text)
            print(f"{name}: rendered from {', '.join(files)}", file=sys.stderr)
    if not prints and write is None:
        for path in sorted(results.glob("*.json")):
            print(f"<!-- {path.name} -->\n{markdown(load(path))}\n")
    return 0
