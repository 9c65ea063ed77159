"""The CLI's cost over a run's length: `xpnet train` at N and 8N steps, wall time of the process.

A run whose cost is linear in its length takes 8x as long for 8x the steps; a run that rewrites
its growing files every epoch takes more. Each tree given with --src is run in turn, repeat by
repeat (so load on the machine falls on all of them alike); medians are printed per tree and
length, with the ratio of the long to the short run.

    python benchmarks/bench_cli.py --src src --src /path/to/an/older/checkout/src
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", action="append", required=True, help="a tree's src folder")
    parser.add_argument("--iters", type=int, nargs="+", default=[4000, 32000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    times: dict[tuple[str, int], list[float]] = {}
    flags = ["--dataset", "sample", "--device", "cpu", "--no-plot", "--no-progress"]
    for _ in range(args.repeats):
        for iters in args.iters:
            for src in args.src:
                with tempfile.TemporaryDirectory() as out:
                    start = time.perf_counter()
                    command = [
                        sys.executable,
                        "-m",
                        "xpnet",
                        "train",
                        *flags,
                        "--iters",
                        str(iters),
                    ]
                    subprocess.run(
                        [*command, "--out", os.path.join(out, "run")],
                        env=dict(env, PYTHONPATH=src),
                        check=True,
                        capture_output=True,
                    )
                    times.setdefault((src, iters), []).append(time.perf_counter() - start)
    short, long = min(args.iters), max(args.iters)
    for src in args.src:
        medians = {n: statistics.median(times[(src, n)]) for n in args.iters}
        cells = ", ".join(f"{n} steps {medians[n]:.1f} s" for n in args.iters)
        print(f"{src}: {cells}; {long}/{short}: {medians[long] / medians[short]:.1f}x")


if __name__ == "__main__":
    main()
