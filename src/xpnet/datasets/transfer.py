"""One file from one URL, streamed into a sink: timeouts, a line when it waits, a progress bar.

:func:`transfer` is the network's half of a download (:mod:`.download` owns the folder, the
temporary file and the checksum). What the mirror does wrong is a :class:`MirrorError` with a
short reason (``HTTP 404 Not Found``, ``no answer within 15 s``); whatever the sink raises (a
full disk) passes through untouched, so that a local fault is never blamed on the mirror. A
mirror that keeps the user waiting longer than :data:`PATIENCE` gets one line on stderr saying
what is awaited and when it is given up, so that a network that drops packets never looks hung.
"""

from __future__ import annotations

import http.client
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

__all__ = ["CHUNK", "PATIENCE", "TIMEOUT", "MirrorError", "transfer"]

TIMEOUT = 15.0  # seconds without a byte (to connect, or between reads) before a mirror is left
PATIENCE = 2.0  # seconds of silence before the user is told what is awaited
CHUNK = 64 * 1024


class MirrorError(Exception):
    """A mirror did not give the file. ``reason``: why, in a few words; ``down``: it failed as
    a whole (no connection, no answer, a stall), so the next files need not be asked of it."""

    def __init__(self, reason: str, *, down: bool) -> None:
        super().__init__(reason)
        self.reason, self.down = reason, down


def transfer(
    url: str,
    sink: Callable[[bytes], object],
    *,
    timeout: float | None = None,
    bar: bool = False,
    say: Callable[[str], None] | None = None,
) -> int:
    """Stream ``url`` into ``sink``, chunk by chunk; the number of bytes it got.

    Parameters
    ----------
    url : str
    sink : callable
        Called with each chunk of bytes; what it raises is raised as it is.
    timeout : float, optional
        Seconds without a byte before the mirror is given up; default :data:`TIMEOUT`.
    bar : bool, optional
        Show a progress bar (tqdm's, on stderr).
    say : callable, optional
        Where the waiting line goes; default a line on stderr.

    Returns
    -------
    int
        The bytes streamed.

    Raises
    ------
    MirrorError
        An HTTP error status, no connection, no answer or a stall past ``timeout``, a body
        shorter than its Content-Length.
    """
    timeout = TIMEOUT if timeout is None else timeout
    got, total = 0, None
    with _Waiting(url, timeout, say or _to_stderr) as waiting:
        try:
            response = urllib.request.urlopen(url, timeout=timeout)
        except urllib.error.HTTPError as error:
            error.close()
            raise MirrorError(f"HTTP {error.code} {error.reason}", down=False) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            raise MirrorError(_connection_reason(error, timeout), down=True) from None
        with response:
            length = response.headers.get("Content-Length", "")
            total = int(length) if length.isdigit() else None
            waiting.moved(got, total)
            progress = _bar(url, total) if bar else None
            try:
                while True:
                    try:
                        chunk = response.read1(CHUNK)  # what has come, not a full CHUNK
                    except (OSError, http.client.HTTPException) as error:
                        reason = _stall_reason(error, got, total, timeout)
                        raise MirrorError(reason, down=True) from None
                    if not chunk:
                        break
                    sink(chunk)
                    got += len(chunk)
                    waiting.moved(got, total)
                    if progress is not None:
                        progress.update(len(chunk))
            finally:
                if progress is not None:
                    progress.close()
    if total is not None and got != total:
        raise MirrorError(f"the connection closed after {_size(got)} of {_size(total)}", down=True)
    return got


def _connection_reason(error: BaseException, timeout: float) -> str:
    reason = getattr(error, "reason", error)
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout:g} s"
    return str(reason) or type(reason).__name__


def _stall_reason(error: BaseException, got: int, total: int | None, timeout: float) -> str:
    of = f" of {_size(total)}" if total else ""
    if isinstance(error, (TimeoutError, socket.timeout)):
        return f"stalled: no data for {timeout:g} s after {_size(got)}{of}"
    if isinstance(error, http.client.IncompleteRead):
        return f"the connection closed after {_size(got + len(error.partial))}{of}"
    return f"the connection broke after {_size(got)}{of} ({error})"


def _size(n: int) -> str:
    return f"{n} bytes" if n < 100_000 else f"{n / 1e6:.1f} MB"


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _bar(url: str, total: int | None):
    from ..training.progress import progress_bar

    name = url.rsplit("/", 1)[-1]
    return progress_bar(total=total, desc=name, unit="B", unit_scale=True, file=sys.stderr)


class _Waiting:
    """Says one line when no byte has come for PATIENCE seconds (again after each new stall)."""

    def __init__(self, url: str, timeout: float, say: Callable[[str], None]) -> None:
        self.url, self.timeout, self.say = url, timeout, say
        self.last, self.said, self.where = time.monotonic(), False, None
        self.done = threading.Event()

    def __enter__(self) -> _Waiting:
        self.thread = threading.Thread(target=self._watch, daemon=True, name="xpnet-waiting")
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()

    def moved(self, got: int, total: int | None) -> None:
        self.last, self.said, self.where = time.monotonic(), False, (got, total)

    def _watch(self) -> None:
        while not self.done.wait(min(PATIENCE, 0.25)):
            waited = time.monotonic() - self.last
            if self.said or waited < PATIENCE:
                continue
            self.said = True
            if self.where is None:
                what = "no answer yet"
            else:
                got, total = self.where
                what = f"no data for {waited:.0f} s after {_size(got)}"
                what += f" of {_size(total)}" if total else ""
            self.say(f"waiting for {self.url}: {what} (given up after {self.timeout:g} s)")
