"""Evaluating on Dask a set larger than the cluster's memory, against NumPy on a set that fits.

The network: TwoLayerNet 784-50-10, float32, seed 0 (evaluation does not need a trained one:
the work is the same). Contestants, run in interleaved rounds:

- dask: ``xpnet.evaluate`` of a TwoLayerNet of Dask arrays on the bundled sample's 1000 test
  images tiled --tile times (300: 300,000 x 784 float32 = 897 MiB), chunks of 10,000 rows read
  on the workers of a LocalCluster of --workers processes x 1 thread with --memory-limit each
  (250 MiB: the set is larger than the whole cluster's memory); one compute per round; and the
  full-batch gradient (``dask.compute(net.gradient(x, t))``, one compute);
- numpy-stream: ``xpnet evaluate --backend numpy``'s path on the same 300,000 rows: the same
  reads (uint8 to float32) and forward, chunk by chunk, in this process, 1 BLAS thread;
- numpy-memory: ``xpnet.evaluate`` on a NumPy set that fits in memory (30,000 rows, made once).

Ratios compare time per row, round by round (paired). The Dask workers' resident memory is read
after the last round. Prints Markdown; --json writes the figures.

    python benchmarks/bench_dask.py [--tile 300] [--workers 2] [--memory-limit 250MiB]
                                    [--json out/bench/dask.json] [--write BENCHMARKS.md]
"""

from __future__ import annotations

from common import set_threads_from_argv

set_threads_from_argv()

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from common import finish, interleaved, machine_info, paired_ratios, summary  # noqa: E402

MIB = 2**20
BEGIN, END = "<!-- dask:begin -->", "<!-- dask:end -->"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tile", type=int, default=300)
    parser.add_argument("--fits", type=int, default=30, help="tiles of the in-memory NumPy set")
    parser.add_argument("--chunk-rows", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="250MiB")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (set before import)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--write", type=Path, default=None, help="BENCHMARKS.md: its dask part")
    return parser.parse_args()


def worker_rss(client) -> list[int]:
    import psutil

    return sorted(client.run(lambda: psutil.Process().memory_info().rss).values())


def main() -> None:
    args = parse_args()
    import dask
    from dask.distributed import Client

    import xpnet
    from xpnet.backends import get_backend
    from xpnet.cli.evaluate import local_cluster
    from xpnet.datasets.rows import TiledDigits, as_dask
    from xpnet.evaluation import evaluate_blocks

    info = machine_info()
    info["versions"]["dask"] = dask.__version__
    numpy_net = xpnet.TwoLayerNet(784, 50, 10, dtype="float32", seed=0)
    dask_net = xpnet.TwoLayerNet(
        784, 50, 10, dtype="float32", seed=0, xp=get_backend("cpu", backend="dask").xp
    )
    big = TiledDigits("sample", args.tile)
    x, t = as_dask(big, args.chunk_rows, "float32")
    fits = big.read(0, 1000 * args.fits)
    rows = {"dask": big.samples, "dask-gradient": big.samples, "numpy-stream": big.samples}
    rows["numpy-memory"] = fits[0].shape[0]

    def stream():
        for start in range(0, big.samples, args.chunk_rows):
            yield big.read(start, min(start + args.chunk_rows, big.samples))

    cluster = local_cluster(args.workers, args.memory_limit)
    with cluster, Client(cluster) as client:
        limit = min(w["memory_limit"] for w in client.scheduler_info()["workers"].values())
        xpnet.evaluate(dask_net, x[: args.chunk_rows], t[: args.chunk_rows])  # workers warm up
        work = {
            "dask": lambda: xpnet.evaluate(dask_net, x, t),
            "dask-gradient": lambda: dask.compute(dask_net.gradient(x, t)),
            "numpy-stream": lambda: evaluate_blocks(numpy_net, stream()),
            "numpy-memory": lambda: xpnet.evaluate(numpy_net, *fits),
        }
        results = {}

        def run(name: str, _round: int) -> float:
            start = time.perf_counter()
            results[name] = work[name]()
            return time.perf_counter() - start

        times = interleaved(list(work), args.repeats, run)
        rss = worker_rss(client)
    per_row = {name: [s / rows[name] for s in values] for name, values in times.items()}
    result = {
        "machine": info,
        "settings": vars(args) | {"json": str(args.json)},
        "data_bytes": big.nbytes(),
        "worker_memory_limit": limit,
        "worker_rss_after": rss,
        "rows": rows,
        "seconds": {name: summary(values) for name, values in times.items()},
        "ratio_per_row_to_numpy_memory": paired_ratios(per_row, "numpy-memory"),
        "ratio_per_row_to_numpy_stream": paired_ratios(per_row, "numpy-stream"),
        "evaluation": {k: str(v) for k, v in results.items() if k != "dask-gradient"},
    }
    finish(result, args.json, markdown(result))
    if args.write is not None:
        from run_all import write_between_markers

        write_between_markers(args.write, markdown(result), begin=BEGIN, end=END)


def markdown(r: dict) -> str:
    m, s = r["machine"], r["settings"]
    lines = [
        f"### Dask: evaluating {r['data_bytes'] / MIB:.0f} MiB on {s['workers']} workers x"
        f" {r['worker_memory_limit'] / MIB:.0f} MiB ({m['date'][:10]})",
        "",
        f"`{m['command']}` on {m['cpu']} ({m['cpu_count']} cores, load average"
        f" {m['load_average_at_start'][0]:.1f} at the start), dask {m['versions']['dask']},"
        f" numpy {m['versions']['numpy']}, xpnet {m['xpnet_revision']}; medians of"
        f" {s['repeats']} interleaved rounds.",
        "",
        "| contestant | rows | seconds (median, min-max) | time per row vs NumPy in memory"
        " | vs NumPy streaming the same rows |",
        "|---|---|---|---|---|",
    ]
    for name, sec in r["seconds"].items():
        ratio = r["ratio_per_row_to_numpy_memory"][name]
        stream = r["ratio_per_row_to_numpy_stream"][name]
        lines.append(
            f"| {name} | {r['rows'][name]:,} | {sec['median']:.2f} ({sec['min']:.2f}-"
            f"{sec['max']:.2f}) | {ratio:.2f} | {stream:.2f} |"
        )
    rss = ", ".join(f"{b / MIB:.0f} MiB" for b in r["worker_rss_after"])
    lines += [
        "",
        f"Workers' resident memory after the last round: {rss} (limit"
        f" {r['worker_memory_limit'] / MIB:.0f} MiB each, whole cluster"
        f" {s['workers'] * r['worker_memory_limit'] / MIB:.0f} MiB, data"
        f" {r['data_bytes'] / MIB:.0f} MiB). Results: "
        + "; ".join(f"{k}: {v}" for k, v in r["evaluation"].items()),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
