"""Time limits on a learner's code: its top-level code when imported, each call of the check.

A learner's code may never return: a training loop at import, a ``while not it.finished:`` loop
whose ``it.iternext`` lacks its ``()``. Where the platform has SIGALRM and this is the main
thread, :func:`limit` stops it after ``seconds`` by raising the given :class:`StillRunning` in
it (a BaseException, so a learner's ``except Exception`` does not swallow it). Top-level code is
timed by the wall clock (an ``input()`` or a ``sleep`` at import counts); a check of the
learner's code by the process's CPU time (SIGPROF), so that a busy machine, which slows a
correct net's own numerical gradient several times, does not stop it. It looks twice,
:data:`SAMPLE` seconds apart, before it stops the code: the calls running both times
(``running``) are the ones stuck, not the short call a loop was making at that moment (the loss
its loop evaluates). :func:`stopped_in` says which and where, for the message.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import traceback
from pathlib import Path

__all__ = [
    "CHECK_TIME_LIMIT",
    "CheckTimeout",
    "ImportTimeout",
    "StillRunning",
    "limit",
    "stopped_in",
]

SAMPLE = 0.05  # seconds between the two looks at what runs
CHECK_TIME_LIMIT = 60.0  # CPU seconds of one check: the book's ch04 net by its own loop, ~8 s


class StillRunning(BaseException):  # not Exception: a learner's `except Exception` goes on
    """The learner's code ran past the time limit. ``running``: (function, file, line) of each
    call that was running at both looks, the innermost first."""

    running: tuple[tuple[str, str, int], ...] = ()


class ImportTimeout(StillRunning):
    """The file's top-level code ran past the time limit."""


class CheckTimeout(StillRunning):
    """A call into the learner's code during the check ran past the time limit (CPU time)."""


@contextlib.contextmanager
def limit(seconds: float | None, error: type[StillRunning] = ImportTimeout):
    """Raise ``error`` in the main thread after ``seconds`` (where SIGALRM exists; no limit for
    None or 0): of the wall clock, or for a :class:`CheckTimeout` of the process's CPU time."""
    cpu = issubclass(error, CheckTimeout)
    kind, timer = ("SIGPROF", "ITIMER_PROF") if cpu else ("SIGALRM", "ITIMER_REAL")
    usable = hasattr(signal, kind) and threading.current_thread() is threading.main_thread()
    if not usable or not seconds:
        yield
        return
    number, timer = getattr(signal, kind), getattr(signal, timer)

    looked: list = []

    def stop(signum, frame):
        calls = []
        while frame is not None:
            calls.append(frame)
            frame = frame.f_back
        if not looked:  # the first look: look again shortly
            looked.extend(calls)
            signal.setitimer(timer, SAMPLE)
            return
        before = {id(f) for f in looked}  # (alive, so no id is reused meanwhile)
        stopped = error(f"still running after {seconds:g} s{' of CPU time' if cpu else ''}")
        stopped.running = tuple(
            (f.f_code.co_name, f.f_code.co_filename, f.f_lineno) for f in calls if id(f) in before
        )
        looked.clear()
        raise stopped

    previous = signal.signal(number, stop)
    signal.setitimer(timer, seconds)
    try:
        yield
    finally:
        signal.setitimer(timer, 0)
        signal.signal(number, previous)


def stopped_in(error: CheckTimeout, seconds: float) -> str:
    """The message for a check stopped at the time limit: the learner's function that was
    running and its line at that moment, the learner's frames below it, and the flag."""
    from .locating import is_learners_file, learner_frames

    frames = learner_frames(error)
    flag = f"give it longer with --time-limit S (now {seconds:g})"
    stuck = [call for call in error.running if is_learners_file(call[1])]
    if not frames:
        return (
            f"the check was still running after {seconds:g} s of CPU time, not in your code: {flag}"
        )
    if not stuck:  # xpnet was calling their code, each call short: slow, not stuck
        last = frames[-1]
        return (
            f"the check was still running after {seconds:g} s of CPU time, calling your {last.name}"
            f" ({Path(last.filename).name}, line {last.lineno}) over and over, each call"
            f" returning: slow code rather than a loop that never ends;"
            f" {flag}"
        )
    name, file, line = stuck[0]
    return (
        f"your code was still running after {seconds:g} s of CPU time in the check, in {name}"
        f" ({Path(file).name}, line {line}) when stopped: a loop that never ends"
        f" (it.iternext without its ())? If it only takes long, {flag}\n"
        + "".join(traceback.format_list(frames)).rstrip()
    )
