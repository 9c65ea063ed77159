"""Stopping a run between two steps: Ctrl-C (SIGINT), SIGTERM (`kill`, a job scheduler) and
SIGHUP (a closed terminal, where there is one).

While :class:`StopSignals` is entered, the first such signal is only recorded (``received``,
its number) so that the loop stops at the end of the step, its state whole and resumable, and
raises :class:`TrainingInterrupted`; a second one stops at once, as it would without xpnet.
"""

from __future__ import annotations

import signal
import threading

__all__ = ["STOP_SIGNALS", "StopSignals", "TrainingInterrupted"]

# Ctrl-C, `kill` or a job scheduler, and a closed terminal (SIGHUP, where there is one)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM) + (
    (signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()
)


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT), SIGTERM or SIGHUP (a closed terminal) stopped training between two
    steps; the Trainer's state is whole and resumable. ``signal`` is the signal's number."""

    __module__ = "xpnet.train"  # tracebacks name it where it is imported from

    def __init__(self, message: str, *, signum: int = signal.SIGINT) -> None:
        super().__init__(message)
        self.signal = signum


class StopSignals:
    """A context manager: inside it, the first Ctrl-C (or SIGTERM, or SIGHUP) sets
    ``received`` to its number, for the loop to stop at the end of the step; a second one
    stops at once. Outside it ``received`` is False. Signals are caught in the main thread
    only (Python's rule); elsewhere it does nothing."""

    def __init__(self) -> None:
        self.received: int | bool = False
        self.installed, self.previous = False, {}

    def __enter__(self) -> StopSignals:
        self.installed = threading.current_thread() is threading.main_thread()
        if self.installed:
            self.previous = {number: signal.signal(number, self.handle) for number in STOP_SIGNALS}
        return self

    def handle(self, signum, frame) -> None:
        self.received = signum
        if signum == getattr(signal, "SIGHUP", None):
            _leave_the_closed_terminal()  # printing to it now would fail the save
        # the second press stops at once: the previous Python handler takes it or, where
        # SIGINT was ignored or left to the system (nohup, a background job), Python's own
        previous = self.previous[signum]
        if signum == signal.SIGINT and not callable(previous):
            previous = signal.default_int_handler
        elif previous is None or previous == signal.SIG_IGN:
            previous = signal.SIG_DFL  # a second SIGTERM ends the process
        signal.signal(signum, previous)

    def __exit__(self, *exc) -> None:
        self.received = False
        if self.installed:
            for number, previous in self.previous.items():
                signal.signal(number, signal.SIG_DFL if previous is None else previous)


def _leave_the_closed_terminal() -> None:
    """After SIGHUP, point stdout and stderr that were a terminal at os.devnull: the terminal
    is gone, and a write to it (the progress bar, the resume hint) would raise EIO. A hung-up
    terminal no longer says it is one (isatty is False), so every character device goes: a
    log file or a pipe stays."""
    import os
    import stat

    for fd in (1, 2):
        try:
            if stat.S_ISCHR(os.fstat(fd).st_mode):
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, fd)
                os.close(null)
        except OSError:
            pass
