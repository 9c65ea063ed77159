"""python -m benchmarks: run the suites, write their JSON, render BENCHMARKS.md from it.

    python -m benchmarks list                              # the suites
    python -m benchmarks run [SUITE ...] [--quick] [--out DIR] [-- SUITE FLAGS]
    python -m benchmarks measure SUITE [FLAGS]             # one suite, in this process
    python -m benchmarks render [--results DIR] [--write BENCHMARKS.md] [--print JSON ...]

`run` starts each suite in a child process (`measure`), which sets its threads before NumPy
loads; BENCHMARKS.md says what each suite measures and how.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import runner
from .suites import DEFAULT_RUN, SUITES

RESULTS = Path(__file__).resolve().parent / "results"  # the committed JSON


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["measure"]:  # the suite's own flags follow: its parser reads them
        if len(argv) < 2 or argv[1] not in SUITES:
            print(f"usage: python -m benchmarks measure {{{','.join(SUITES)}}} ...")
            return 2
        return runner.measure(argv[1], argv[2:])
    extra = []
    if "--" in argv:
        argv, extra = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    args = parser().parse_args(argv)
    if args.command == "list":
        for name, suite in SUITES.items():
            print(f"{name:8} {suite.about}")
        return 0
    if args.command == "run":
        unknown = [name for name in args.suites if name not in SUITES]
        if unknown:
            print(f"unknown suite {unknown}; choose from {', '.join(SUITES)}", file=sys.stderr)
            return 2
        return runner.run(args.suites or list(DEFAULT_RUN), args, args.out, extra)
    from .render import render_command

    return render_command(args.results, args.write, args.print)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    commands = top.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the suites and what each measures")
    run = commands.add_parser(
        "run",
        help="suites, each in its own process (default: train numgrad)",
        description="Flags after -- go to every suite named; `measure SUITE --help` lists them.",
    )
    run.add_argument("suites", nargs="*", metavar="SUITE", help=", ".join(SUITES))
    run.add_argument("--out", type=Path, default=Path("out/bench"), help="where JSON goes")
    for flag in ("device", "backend", "repeats", "threads", "seed"):
        run.add_argument(f"--{flag}", default=None, help="passed on to the suites that take it")
    run.add_argument("--quick", action="store_true", help="the short set (nox -s bench)")
    commands.add_parser("measure", help="one suite in this process: measure SUITE --help")
    render = commands.add_parser("render", help="Markdown from the suites' JSON")
    render.add_argument(
        "--results", type=Path, default=RESULTS, help="the JSON folder (benchmarks/results)"
    )
    render.add_argument(
        "--write", type=Path, default=None, help="re-render the blocks of this Markdown file"
    )
    render.add_argument(
        "--print", type=Path, nargs="*", default=[], metavar="JSON", help="print these results"
    )
    return top


if __name__ == "__main__":
    sys.exit(main())
