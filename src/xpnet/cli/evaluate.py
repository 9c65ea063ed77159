"""`xpnet evaluate CHECKPOINT`: a trained network's loss and accuracy on a whole data set.

Read it as four steps: the network from its checkpoint, on the backend asked for; the data as a
:class:`~xpnet.datasets.rows.RowSource` (MNIST's or the sample's test split, repeated with
``--tile``, or ``--data X --labels T`` files); for ``--backend dask`` a cluster (a LocalCluster
of ``--workers`` processes with ``--memory-limit`` each, or the scheduler at ``--scheduler``:
:mod:`xpnet.cli.cluster`);
then :func:`xpnet.evaluate`, which makes one pass over the data. On Dask each worker reads its
own chunks from the files, so the set can be larger than any one process's memory (and larger
than the whole cluster's); on other backends the rows go through the network ``--chunk-rows``
at a time.
"""

from __future__ import annotations

import time
import warnings

from ..backends import get_backend
from ..check.trainable import evaluate_learner
from ..checkpoint import load_checkpoint, load_params, two_layer_config
from ..datasets.rows import ArrayFiles, RowSource, TiledDigits, as_dask
from ..evaluation import evaluate, evaluate_blocks
from ..training.progress import interactive, progress_bar
from .cluster import local_cluster, open_cluster
from .printing import show_warning
from .runpaths import resume_path
from .words import Exit

__all__ = ["evaluate_command", "local_cluster"]  # local_cluster: examples, benchmarks import it

MIB = 2**20


def evaluate_command(args) -> int:
    """`xpnet evaluate CHECKPOINT`: print the checkpoint's loss and accuracy on the data set.

    Parameters
    ----------
    args : argparse.Namespace
        The evaluate command's flags, as :func:`xpnet.cli.build_parser` parses them.

    Returns
    -------
    int
        :attr:`~xpnet.cli.words.Exit.OK`; what goes wrong raises, for ``main`` to say.
    """
    from ..nets import TwoLayerNet

    path = resume_path(args.checkpoint, "CHECKPOINT")  # a checkpoint file, or its run's folder
    checkpoint = load_checkpoint(path)
    net = learner = _learner(args, checkpoint, path)  # xpnet train --net's class, or None
    backend = learner.backend if learner else get_backend(args.device, backend=args.backend)
    _check_flags(args, backend)
    config = checkpoint.net if learner else two_layer_config(checkpoint, path)
    if learner is None:  # xpnet's own, as its meta configures it
        net = TwoLayerNet(
            config["input_size"],
            config["hidden_size"],
            config["output_size"],
            activation=config.get("activation", "relu"),
            backend=backend,
            dtype=config["dtype"],
        )
        load_params(net, checkpoint, path=path)
    dtype = config["dtype"]
    with warnings.catch_warnings():  # UnscaledImages: one warning line, not a file and line
        warnings.showwarning = show_warning
        source = _source(args, int(config["output_size"]), int(config["input_size"]))
    print(f"xpnet evaluate: {backend.describe()}, {dtype}")
    if learner is None:
        said = "-".join(str(config[k]) for k in ("input_size", "hidden_size", "output_size"))
        said += f" {config.get('activation', 'relu')}"
    print(f"checkpoint: {path} ({learner.describe() if learner else said})")
    chunks = -(-source.samples // args.chunk_rows)
    print(
        f"data: {source}: {source.samples} x {'x'.join(map(str, source.x_shape[1:]))} {dtype}"
        f" = {source.nbytes(dtype) / MIB:.0f} MiB, in {chunks} chunks of up to"
        f" {args.chunk_rows} rows"
    )
    with open_cluster(args, backend) as where:
        if where:
            print(f"cluster: {where}")
        start = time.perf_counter()
        if backend.lazy and learner is None:
            x, t = as_dask(source, args.chunk_rows, dtype)
            result = evaluate(net, x, t)
        else:
            watched = interactive() if args.progress is None else args.progress
            blocks = _blocks(source, backend, args.chunk_rows, dtype)
            with progress_bar(total=chunks, disable=not watched, unit="chunk") as bar:
                blocks = bar_over(blocks, bar)  # a long --tile or --data shows how far it is
                if learner is not None:
                    result = evaluate_learner(learner, blocks)
                else:
                    result = evaluate_blocks(net, blocks)
        seconds = time.perf_counter() - start
    print(f"{result}  in {seconds:.2f} s")
    return Exit.OK


def _learner(args, checkpoint, path):
    """A learner's network (xpnet train --net) with the checkpoint's parameters, or None."""
    from ..check.found import LearnerError
    from ..check.training import for_evaluation

    try:  # another class, no --net, a device, or a file that cannot be used: one line
        return for_evaluation(args, checkpoint, path)
    except LearnerError as error:
        raise ValueError(str(error)) from None


def _check_flags(args, backend) -> None:
    """--tile is for --dataset; the Dask flags only mean something with --backend dask."""
    if args.data and args.tile != 1:
        raise ValueError("--tile repeats --dataset's test images; it does not apply to --data")
    if args.scheduler and (args.workers or args.memory_limit):
        raise ValueError(
            "--workers and --memory-limit shape a new LocalCluster; the cluster at --scheduler"
            " has its own workers: give one or the other"
        )
    if backend.lazy:
        return
    dask_flags = (
        ("--scheduler", args.scheduler),
        ("--workers", args.workers),
        ("--memory-limit", args.memory_limit),
    )
    for flag, value in dask_flags:
        if value is not None:
            raise ValueError(f"{flag} is for --backend dask; this run uses {backend.name}")


def _source(args, classes: int, features: int) -> RowSource:
    if args.data or args.labels:
        if not (args.data and args.labels):
            raise ValueError("--data and --labels go together: give both files (or neither)")
        return ArrayFiles(args.data, args.labels, classes, features=features)
    dataset = args.dataset
    if dataset == "auto":
        from ..datasets import mnist_available

        dataset = "mnist" if mnist_available(args.data_dir) else "sample"
    return TiledDigits(dataset, args.tile, args.data_dir)


def bar_over(blocks, bar):
    """blocks as they come, each one ticking bar once it has been read."""
    for block in blocks:
        yield block
        bar.update(1)


def _blocks(source: RowSource, backend, rows: int, dtype: str):
    """(x, t) on backend's device, rows at a time (the eager backends' path)."""
    for start in range(0, source.samples, rows):
        x, t = source.read(start, min(start + rows, source.samples), dtype)
        yield backend.asarray(x), backend.asarray(t)
