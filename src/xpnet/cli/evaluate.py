"""`xpnet evaluate CHECKPOINT`: a trained network's loss and accuracy on a whole data set.

Read it as four steps: the network from its checkpoint, on the backend asked for; the data as a
:class:`~xpnet.datasets.rows.RowSource` (MNIST's or the sample's test split, repeated with
``--tile``, or ``--data X --labels T`` files); for ``--backend dask`` a cluster (a LocalCluster
of ``--workers`` processes with ``--memory-limit`` each, or the scheduler at ``--scheduler``);
then :func:`xpnet.evaluate`, which makes one pass over the data. On Dask each worker reads its
own chunks from the files, so the set can be larger than any one process's memory (and larger
than the whole cluster's); on other backends the rows go through the network ``--chunk-rows``
at a time.
"""

from __future__ import annotations

import contextlib
import logging
import time

from ..backends import get_backend
from ..check.trainable import evaluate_learner
from ..checkpoint import load_checkpoint, load_params, two_layer_config
from ..datasets.rows import ArrayFiles, RowSource, TiledDigits, as_dask
from ..evaluation import evaluate, evaluate_blocks
from .runpaths import resume_path
from .words import Exit

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
    with _cluster(args, backend) as where:
        if where:
            print(f"cluster: {where}")
        start = time.perf_counter()
        if learner is not None:
            result = evaluate_learner(learner, _blocks(source, backend, args.chunk_rows, dtype))
        elif backend.lazy:
            x, t = as_dask(source, args.chunk_rows, dtype)
            result = evaluate(net, x, t)
        else:
            result = evaluate_blocks(net, _blocks(source, backend, args.chunk_rows, dtype))
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


def _blocks(source: RowSource, backend, rows: int, dtype: str):
    """(x, t) on backend's device, rows at a time (the eager backends' path)."""
    for start in range(0, source.samples, rows):
        x, t = source.read(start, min(start + rows, source.samples), dtype)
        yield backend.asarray(x), backend.asarray(t)


@contextlib.contextmanager
def _cluster(args, backend):
    """For Dask: a client of the scheduler at --scheduler, or of a new LocalCluster, active as
    the default scheduler inside the block; yields one line saying which. Others: nothing."""
    if not backend.lazy:
        yield None
        return
    from dask.distributed import Client

    if args.scheduler:
        check_scheduler(args.scheduler)
        with Client(args.scheduler, timeout=f"{SCHEDULER_TIMEOUT}s") as client:
            workers = client.scheduler_info()["workers"]
            with _quiet_when_stopped():
                yield f"the scheduler at {args.scheduler} ({len(workers)} workers)"
        return
    workers = args.workers or 2
    with _deaf_to_ctrl_c():  # the workers it starts ignore Ctrl-C: this process stops them
        cluster = local_cluster(workers, args.memory_limit or "auto", logs=logging.CRITICAL)
    with cluster, Client(cluster) as client:
        memory = client.scheduler_info()["workers"]
        each = min(w["memory_limit"] for w in memory.values()) / MIB
        with _quiet_when_stopped():
            yield (
                f"LocalCluster of {workers} worker processes x 1 thread,"
                f" memory limit {each:.0f} MiB each"
            )


SCHEDULER_TIMEOUT = 10  # seconds for a scheduler to answer (connect, handshake, identity)


def check_scheduler(address: str, timeout: float | None = None) -> None:
    """Check that a Dask scheduler answers at address within a bound.

    Connecting, distributed's handshake and the scheduler's identity are all bounded by the
    one timeout: a port where something else listens (the dashboard's, an SSH server's) never
    answers distributed's handshake, which distributed alone would wait for without end.

    Parameters
    ----------
    address : str
        The scheduler's address, as --scheduler gives it (tcp://host:8786).
    timeout : float, optional
        Seconds in all; None: SCHEDULER_TIMEOUT. Connecting gives up at half of it.

    Raises
    ------
    ValueError
        One line: nothing answered in time, nothing could be reached there (and why), or what
        answered is no scheduler (a worker).

    Examples
    --------
    With dask.distributed installed (``pip install "xpnet[dask]"``):

    >>> check_scheduler("tcp://127.0.0.1:1", timeout=0.2)  # doctest: +SKIP
    Traceback (most recent call last):
    ValueError: --scheduler tcp://127.0.0.1:1: no Dask scheduler could be reached (Timed out ...)
    """
    import asyncio

    from distributed.comm import connect

    timeout = SCHEDULER_TIMEOUT if timeout is None else timeout

    async def identity():  # connecting gives up at half the time: a refusal is said as one
        comm = await connect(address, timeout=timeout / 2)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:
        info = asyncio.run(asyncio.wait_for(identity(), timeout))
    except asyncio.TimeoutError:
        raise ValueError(
            f"--scheduler {address}: nothing there answered as a Dask scheduler within"
            f" {timeout:g} s (something else listens on that port, perhaps the dashboard; a"
            " scheduler listens on 8786 unless told otherwise)"
        ) from None
    except (OSError, ValueError, TypeError) as error:  # refused, unreachable, a bad address
        raise ValueError(
            f"--scheduler {address}: no Dask scheduler could be reached"
            f" ({(str(error).splitlines() or [type(error).__name__])[0]})"
        ) from None
    kind = info.get("type") if isinstance(info, dict) else type(info).__name__
    if kind != "Scheduler":
        raise ValueError(
            f"--scheduler {address}: that address answers as a Dask {kind}, not a scheduler;"
            " give the scheduler's address (the one its workers connect to)"
        )


@contextlib.contextmanager
def _deaf_to_ctrl_c():
    """SIGINT ignored while worker processes start, so that they inherit SIG_IGN: Ctrl-C goes
    to the whole process group, and a worker would print a traceback of its own. This process
    (the one that stops them) takes Ctrl-C again once they are up."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _quiet_when_stopped():
    """On Ctrl-C or SIGTERM, silence what Dask logs here while the client and cluster close (the
    gather's tasks "never retrieved", closed comms): the command says "interrupted", once. (Its
    LocalCluster's workers log only what is CRITICAL: a busy worker's heartbeat to the scheduler
    that closed first is no news.)

    The loggers fall silent in the signal's handler, before its exception unwinds: the frames
    it leaves release the gather's futures, and the client's own thread may log their tasks at
    once, before any ``except`` here would run."""
    import signal
    import threading

    def silence():
        for name in ("asyncio", "distributed", "tornado"):
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)

    previous = {}
    if threading.current_thread() is threading.main_thread():
        numbers = [signal.SIGINT, signal.SIGTERM] + (
            [signal.SIGHUP] if hasattr(signal, "SIGHUP") else []
        )
        for number in numbers:
            handler = signal.getsignal(number)
            if callable(handler):  # xpnet's Terminated, Python's KeyboardInterrupt

                def silenced(signum, frame, handler=handler):
                    silence()
                    handler(signum, frame)

                previous[number] = signal.signal(number, silenced)
    try:
        yield
    except KeyboardInterrupt:  # also xpnet.cli's Terminated
        silence()
        raise
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def local_cluster(workers: int = 2, memory_limit: str | int = "auto", *, logs: int = logging.ERROR):
    """A dask.distributed LocalCluster on this machine, as xpnet evaluate makes it: ``workers``
    processes of one thread each (one BLAS thread: the processes are the parallelism), each
    held to ``memory_limit`` (bytes, or a string such as "250MiB"; "auto": Dask's share of
    RAM), on 127.0.0.1 with its dashboard on a free port and quiet logs (``logs``: the least
    level shown, ERROR by default; xpnet evaluate shows only CRITICAL). Use it as a context
    manager."""
    from dask.distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        memory_limit=memory_limit,
        processes=True,
        dashboard_address=":0",  # None still serves on 8787, warning where that port is taken
        host="127.0.0.1",
        silence_logs=logs,
    )
