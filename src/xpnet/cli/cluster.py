"""`xpnet evaluate --backend dask`'s cluster: a client of a scheduler, or of a LocalCluster.

:func:`open_cluster` is the one step :mod:`xpnet.cli.evaluate` takes here: for ``--scheduler``
a client of that scheduler, checked first to answer in time (:func:`check_scheduler`); otherwise
a :func:`local_cluster` of ``--workers`` processes with ``--memory-limit`` each, started deaf to
Ctrl-C (this process stops them). Inside, what Dask logs while it closes after Ctrl-C or SIGTERM
is silenced, so the command says "interrupted" once. Like ``datasets/rows/dask_arrays.py``, this
module is Dask's own API, named among backends/' exceptions (docs/design.md).
"""

from __future__ import annotations

import contextlib
import logging

__all__ = ["SCHEDULER_TIMEOUT", "check_scheduler", "local_cluster", "open_cluster"]

MIB = 2**20


@contextlib.contextmanager
def open_cluster(args, backend):
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
