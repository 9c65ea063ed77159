"""The command line: ``xpnet train | gradcheck | check | evaluate | download | info``
(also ``python -m xpnet``).

Each command is a small function; errors a user can fix (no GPU, CuPy missing, bad flags,
unreadable files, a full disk) end in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import contextlib
import sys

from ..backends import DeviceUnavailableError
from ..threads import use_threads
from .parser import build_parser, example_parser, for_the_command_line, notices, parse_backend

__all__ = ["build_parser", "example_parser", "main", "notices", "parse_backend"]

EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 2, 130, 143


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``xpnet`` command. Returns the exit status."""
    from ..checkpoint import CheckpointError
    from ..datasets import DatasetError

    args = build_parser().parse_args(argv)
    try:
        with notices(), _terminated_as_an_exception(), use_threads(getattr(args, "threads", None)):
            return _run(args)
    except Terminated as stop:  # outside the training loop (which saves first: see Trainer)
        print(f"xpnet {args.command}: stopped by {stop.name}", file=sys.stderr)
        return 128 + stop.signum
    except (
        DeviceUnavailableError,
        DatasetError,
        CheckpointError,
        ValueError,
        TypeError,
        OSError,  # a full disk or a read-only --out: the previous checkpoint is still whole
    ) as error:
        print(f"xpnet {args.command}: error: {for_the_command_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"xpnet {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP, a closed terminal), as an exception: files being written are cleaned
    up (atomic_write) and the run's folder lock is released on the way out, as for Ctrl-C."""

    def __init__(self, signum: int = 15) -> None:
        import signal

        super().__init__(signum)
        self.signum, self.name = int(signum), signal.Signals(signum).name


@contextlib.contextmanager
def _terminated_as_an_exception():
    import signal
    import threading

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


def _run(args) -> int:
    if args.command == "train":
        from .train import train_command as command
    elif args.command in ("gradcheck", "check"):
        from . import check

        command = check.gradcheck_command if args.command == "gradcheck" else check.check_command
    elif args.command == "evaluate":
        from .evaluate import evaluate_command as command
    else:
        from .info import download_command, info_command

        command = download_command if args.command == "download" else info_command
    return command(args)


if __name__ == "__main__":
    sys.exit(main())
