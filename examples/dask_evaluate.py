"""The two-layer network on Dask: evaluating a set larger than each worker's memory.

Trains the chapter-5 network briefly on NumPy (mini-batch SGD is no Dask workload: xpnet.train
refuses Dask arrays), then puts the same parameters in a network of Dask arrays and evaluates it
on the bundled sample's 1000 test images repeated --tile times (100: 100,000 x 784 float32 =
299 MiB), read chunk by chunk on the workers of a LocalCluster whose workers may each hold only
--memory-limit (250 MiB) -- or on the scheduler at --scheduler. Prints the loss and accuracy (one
compute) and the full-batch gradient (one more), next to NumPy's on the 1000 images, which a
tiled set must equal. Draws no figure.

    python examples/dask_evaluate.py [--tile 100] [--workers 2] [--memory-limit 250MiB]
"""

from __future__ import annotations

import time

import dask
import numpy as np

import xpnet
from xpnet.backends import get_backend
from xpnet.cli import example_parser
from xpnet.cli.argparsing import positive_int
from xpnet.datasets.rows import TiledDigits, as_dask

MIB = 2**20


def parse_args(argv):
    parser = example_parser(__doc__)  # --device/--backend/--out: Dask computes on the CPU
    parser.add_argument(
        "--tile", type=positive_int, default=100, help="repeats of the 1000 test images"
    )
    parser.add_argument("--chunk-rows", type=positive_int, default=10_000)
    parser.add_argument("--workers", type=positive_int, default=2)
    parser.add_argument("--memory-limit", default="250MiB", help="per LocalCluster worker")
    parser.add_argument("--scheduler", help="an existing cluster's scheduler address instead")
    args = parser.parse_args(argv)
    if args.device != "cpu":  # never a silent CPU run for a GPU asked for
        parser.error(
            f"--device {args.device}: this example computes with Dask on the CPU; use --device cpu"
        )
    return args


def cluster(args):
    from dask.distributed import Client

    from xpnet.cli.evaluate import local_cluster

    if args.scheduler:
        return Client(args.scheduler)
    return Client(local_cluster(args.workers, args.memory_limit))


def main(argv=None) -> None:
    args = parse_args(argv)
    train, test = xpnet.load_mnist_sample()
    net = xpnet.TwoLayerNet(784, 50, 10, dtype="float32", seed=0)
    xpnet.train(net, train, test, iters_num=400, learning_rate=0.1, seed=0)
    print("# trained 400 steps on NumPy")

    lazy = get_backend("cpu", backend="dask")
    net_dask = xpnet.TwoLayerNet(784, 50, 10, dtype="float32", xp=lazy.xp)
    for name, value in net.params.items():  # the same parameters, as one-chunk dask arrays
        net_dask.params[name] = lazy.asarray(value)

    source = TiledDigits("sample", args.tile)
    x, t = as_dask(source, args.chunk_rows, "float32")
    x_host, t_host = source.read(0, 1000)
    print(f"data: {source}: {x.shape[0]} x 784 float32 = {source.nbytes() / MIB:.0f} MiB")
    with cluster(args) as client:
        limits = [w["memory_limit"] for w in client.scheduler_info()["workers"].values()]
        print(f"cluster: {len(limits)} workers, memory limit {min(limits) / MIB:.0f} MiB each")
        start = time.perf_counter()
        result = xpnet.evaluate(net_dask, x, t)
        print(f"dask : {result}  ({time.perf_counter() - start:.2f} s)")
        print(f"numpy: {xpnet.evaluate(net, x_host, t_host)}  (the 1000 images)")
        start = time.perf_counter()
        (grads,) = dask.compute(net_dask.gradient(x, t))  # on the client's cluster
        seconds = time.perf_counter() - start
    expected = net.gradient(x_host, t_host)
    error = max(float(np.max(np.abs(grads[k] - expected[k]))) for k in expected)
    print(f"full-batch gradient in {seconds:.2f} s: max |dask - numpy| = {error:.1e}")


if __name__ == "__main__":
    main()
