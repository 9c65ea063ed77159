"""The pages of the documentation that are generated when it is built, so that none can drift
from the code: written into docs/generated/ (not committed) when the builder starts.

- cli.md: every command's ``--help``, from the parser itself (xpnet.cli.build_parser);
- troubleshooting.md: the cases of tests/test_troubleshooting.py, each run now, its message
  captured; a case that cannot run, or no longer says its words, is a warning (so, with -W, an
  error);
- benchmark-results.md: the benchmarks' committed JSON results, rendered by benchmarks.render.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

from sphinx.util import logging

DOCS = Path(__file__).resolve().parents[1]
REPOSITORY = DOCS.parent
GENERATED = DOCS / "generated"
logger = logging.getLogger(__name__)


def cli_page() -> str:
    """Every command's --help as the parser prints it, 88 columns wide."""
    from xpnet.cli import build_parser

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"  # argparse wraps to the terminal's width
    try:
        parser = build_parser()
        commands = next(
            a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
        ).choices
        parts = [
            "# Command-line reference\n",
            "Generated from `xpnet.cli.build_parser` when these pages were built: each block is"
            " what `--help` prints. `python -m xpnet ...` is the same as `xpnet ...`.\n",
            f"## xpnet\n\n```text\n{parser.format_help()}```\n",
        ]
        for name, command in commands.items():
            parts.append(f"## xpnet {name}\n\n```text\n{command.format_help()}```\n")
        return "\n".join(parts)
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved


def troubleshooting_page() -> str:
    if os.environ.get("XPNET_DOCS_SKIP_CASES"):  # a quick local build; CI never sets it
        return "# What happens when…\n\nNot generated in this build (XPNET_DOCS_SKIP_CASES).\n"
    path = REPOSITORY / "tests" / "test_troubleshooting.py"
    spec = importlib.util.spec_from_file_location("xpnet_troubleshooting_cases", path)
    cases = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = cases  # its dataclasses look their module up there
    spec.loader.exec_module(cases)

    def warn(case, why) -> None:
        logger.warning(f"troubleshooting case {case.what!r}: {', '.join(why)}")

    return cases.render(on_missing=warn)


def benchmarks_page() -> str:
    """The committed results (benchmarks/results/*.json), each rendered by the benchmarks' own
    renderer (benchmarks.render.markdown), with the machine and settings each JSON records."""
    sys.path.insert(0, str(REPOSITORY))  # benchmarks/ is a package of the repository, not installed
    try:
        from benchmarks.render import load, markdown
    finally:
        sys.path.remove(str(REPOSITORY))
    results = sorted((REPOSITORY / "benchmarks" / "results").glob("*.json"))
    parts = [
        "## Results\n",
        "Rendered when these pages were built, by `benchmarks.render` (the renderer that writes"
        " BENCHMARKS.md's blocks), from the JSON committed in `benchmarks/results/`:"
        f" {', '.join(f'`{p.name}`' for p in results)}.\n",
    ]
    for path in results:
        result = load(path)
        quick = result.get("settings", {}).get("quick")
        note = "A quick run: it shows what the suite measures, not figures to quote."
        parts.append(f"### {path.stem}\n\n" + (f"*{note}*\n\n" if quick else ""))
        parts.append(_demote(markdown(result)) + "\n")
    return "\n".join(parts)


def _demote(text: str) -> str:
    """The renderer's headings (### and deeper) one level down, under this page's ### per
    result."""
    return "\n".join("#" + line if line.startswith("###") else line for line in text.splitlines())


PAGES = {
    "cli.md": cli_page,
    "troubleshooting.md": troubleshooting_page,
    "benchmark-results.md": benchmarks_page,
}


def generate(app) -> None:
    GENERATED.mkdir(exist_ok=True)
    for name, make in PAGES.items():
        start = time.perf_counter()
        text = make()
        target = GENERATED / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        logger.info(f"generated {name} in {time.perf_counter() - start:.1f} s")


def setup(app):
    app.connect("builder-inited", generate)
    return {"parallel_read_safe": True, "version": "1"}
