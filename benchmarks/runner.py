"""The one runner: a suite measured in this process (`measure`), or several, each in a child
process of its own (`run`), every one writing its JSON.

``measure(name, argv)`` sets the thread variables from --threads *before* it imports the suite
(OpenBLAS reads them once, when NumPy loads it), runs the suite, adds the machine, command, date
and revision, writes the JSON and prints the suite's Markdown. ``run(names, ...)`` starts
``python -m benchmarks measure NAME ...`` for each name, passing on the common flags a suite
takes. Only the standard library is imported at the top.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

from .machine import git_revision, load_average, machine_info, now, thread_environment
from .measure import progress, write_json
from .render import markdown
from .suites import SUITES, json_name

THREADS_HELP = (
    "BLAS/OpenMP/XLA/torch threads (default 1: the step's matmuls are too small to gain from"
    " threads, and spinning BLAS threads are slowed 10-100x by a busy core); 0 keeps the"
    " libraries' defaults"
)


def add_common_arguments(parser: argparse.ArgumentParser, names, defaults: dict) -> None:
    """The flags that mean the same in every suite; `names` says which of them a suite takes."""
    flags = {
        "device": dict(default="cpu", help="cpu, cuda or cuda:N, for xpnet and its peers"),
        "backend": dict(
            default=None,
            choices=["numpy", "cupy", "torch", "array_api_strict"],
            help="xpnet's backend (default: numpy on cpu, cupy on cuda)",
        ),
        "repeats": dict(type=int, default=None, help="rounds per workload"),
        "threads": dict(type=int, default=1, help=THREADS_HELP),
        "seed": dict(type=int, default=0, help="base seed; round r uses seed + r"),
        "quick": dict(action="store_true", help="a short run (nox -s bench)"),
    }
    for name in names:
        options = dict(flags[name])
        if name in defaults:
            options["default"] = defaults[name]
        if name == "repeats" and options["default"] is not None:
            options["help"] += f" (default {options['default']})"
        parser.add_argument(f"--{name}", **options)


def measure(name: str, argv: list[str]) -> int:
    """Run suite `name` here with its command-line flags argv; write its JSON; exit status."""
    suite = SUITES[name]
    if "threads" in suite.common:  # before the suite's module imports NumPy
        early = argparse.ArgumentParser(add_help=False)
        early.add_argument("--threads", type=int, default=1)
        threads = early.parse_known_args(argv)[0].threads
        os.environ.update(thread_environment(threads, os.environ))
    module = importlib.import_module(suite.module)
    parser = argparse.ArgumentParser(
        prog=f"python -m benchmarks measure {name}", description=suite.about
    )
    add_common_arguments(parser, suite.common, suite.defaults)
    parser.add_argument(
        "--json", type=Path, default=None, help="where the results go (default out/bench/...)"
    )
    module.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.json is None:
        device = getattr(args, "device", "cpu")
        args.json = Path("out/bench") / json_name(name, device, getattr(args, "quick", False))
    start = dict(date=now(), load_at_start=load_average(), revision=git_revision())
    result = {"suite": name, **module.run(args)}
    result["machine"] = machine_info(**start)
    write_json(args.json, result)
    print(markdown(result))
    print(f"\nresults written to {args.json}", file=sys.stderr, flush=True)
    if hasattr(module, "last_lines"):  # plain text, last (the GPU acceptance run's log)
        print("\n" + module.last_lines(result), flush=True)
    return module.exit_status(result) if hasattr(module, "exit_status") else 0


def run(names: list[str], common: argparse.Namespace, out: Path, extra: list[str]) -> int:
    """Each suite in its own process, with the common flags it takes; 0 when all succeeded."""
    failed = []
    for name in names:
        suite = SUITES[name]
        flags = []
        for flag in suite.common:
            value = getattr(common, flag)
            if flag == "quick":
                flags += ["--quick"] if value else []
            elif value is not None:
                flags += [f"--{flag}", str(value)]
        device = "cpu"
        if "device" in suite.common:
            device = common.device or suite.defaults.get("device", "cpu")
        path = out / json_name(name, device, common.quick and "quick" in suite.common)
        command = [sys.executable, "-m", "benchmarks", "measure", name, *flags, *extra]
        command += ["--json", str(path)]
        env = os.environ
        if "threads" in suite.common:
            env = thread_environment(1 if common.threads is None else common.threads, env)
        progress("$ " + " ".join(["python", *command[1:]]))
        if subprocess.run(command, env=env, check=False).returncode != 0:
            failed.append(name)
    progress(f"results in {out}/" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0
