"""Suite dask: evaluating on Dask a set larger than the cluster's memory, against NumPy.

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
after the last round. --quick: 30 tiles (90 MiB, which fits: the plumbing only), 1 round.

    python -m benchmarks measure dask [--tile 300] [--workers 2] [--memory-limit 250MiB]
"""

from __future__ import annotations

import argparse
import time

import dask
from dask.distributed import Client

import xpnet
from xpnet.backends import get_backend
from xpnet.cli.evaluate import local_cluster
from xpnet.datasets.rows import TiledDigits, as_dask
from xpnet.evaluation import evaluate_blocks

from ..measure import interleaved, paired_ratios, summary


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tile", type=int, default=None, help="tiles of 1000 images (300)")
    parser.add_argument("--fits", type=int, default=None, help="tiles of the in-memory set (30)")
    parser.add_argument("--chunk-rows", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="250MiB")


def worker_rss(client) -> list[int]:
    import psutil

    return sorted(client.run(lambda: psutil.Process().memory_info().rss).values())


def run(args: argparse.Namespace) -> dict:
    if args.tile is None:
        args.tile = 30 if args.quick else 300
    if args.fits is None:
        args.fits = 3 if args.quick else 30
    if args.quick:
        args.repeats = 1
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

        def one(name: str, _round: int) -> float:
            start = time.perf_counter()
            results[name] = work[name]()
            return time.perf_counter() - start

        times = interleaved(list(work), args.repeats, one)
        rss = worker_rss(client)
    per_row = {name: [s / rows[name] for s in values] for name, values in times.items()}
    return {
        "settings": {
            key: getattr(args, key)
            for key in ("tile", "fits", "chunk_rows", "workers", "memory_limit", "repeats")
        }
        | {"threads": args.threads, "quick": args.quick},
        "data_bytes": big.nbytes(),
        "worker_memory_limit": limit,
        "worker_rss_after": rss,
        "rows": rows,
        "seconds": {name: summary(values) for name, values in times.items()},
        "ratio_per_row_to_numpy_memory": paired_ratios(per_row, "numpy-memory"),
        "ratio_per_row_to_numpy_stream": paired_ratios(per_row, "numpy-stream"),
        "evaluation": {k: str(v) for k, v in results.items() if k != "dask-gradient"},
    }
