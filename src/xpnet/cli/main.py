"""``xpnet`` itself: parse the command line, run the command it names, and end every error a
user can fix (no GPU, CuPy missing, a bad flag, an unreadable file, a full disk) in one line on
stderr, in the command line's words, with its status from the one table (:class:`Exit`).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading

from ..backends import DeviceUnavailableError
from ..checkpoint import CheckpointError
from ..datasets import DatasetError
from ..threads import use_threads
from .parser import build_parser
from .words import Exit, for_the_command_line, notices, stdout_to_devnull

__all__ = ["Terminated", "main", "stdout_to_devnull"]

FIXABLE = (
    DeviceUnavailableError,
    DatasetError,
    CheckpointError,
    ValueError,
    TypeError,
    OSError,  # a full disk or a read-only --out: the previous checkpoint is still whole
)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``xpnet`` command (and ``python -m xpnet``).

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``xpnet``; None: ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status, an :class:`~xpnet.cli.words.Exit`. A bad flag exits at once (argparse's
        SystemExit, status 2, after the command's usage).

    Examples
    --------
    >>> main(["train", "--lr", "0"])  # argparse says why on stderr, after train's usage
    Traceback (most recent call last):
    SystemExit: 2
    """
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv) if argv is None else ["xpnet", *argv]  # config.json's command
    try:
        with notices(), _terminated_as_an_exception(), use_threads(getattr(args, "threads", None)):
            return args.execute(args)
    except BrokenPipeError:  # `xpnet info | head`: the reader has gone; not an error of the run
        stdout_to_devnull()
        return Exit.BROKEN_PIPE
    except Terminated as stop:  # outside the training loop (which saves first: see Trainer)
        print(f"xpnet {args.command}: stopped by {stop.name}", file=sys.stderr)
        return Exit.TERMINATED
    except FIXABLE as error:
        print(f"xpnet {args.command}: error: {for_the_command_line(error)}", file=sys.stderr)
        return Exit.USAGE
    except KeyboardInterrupt:
        print(f"xpnet {args.command}: interrupted", file=sys.stderr)
        return Exit.INTERRUPTED


class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP, a closed terminal), as an exception: files being written are cleaned
    up (atomic_write) and the run's folder lock is released on the way out, as for Ctrl-C."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(signum)
        self.name = signal.Signals(signum).name


@contextlib.contextmanager
def _terminated_as_an_exception():
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Terminated(signum)

    numbers = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {number: signal.signal(number, stop) for number in numbers}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
