"""One run at a time in a folder: its lock file, ``.xpnet-train.lock``.

The run that holds the operating system's lock on that file (flock; msvcrt's on Windows) owns
the folder, and the file holds its process id, which a second run's :class:`RunFolderError`
names. The operating system drops the lock when the process ends, however it ends.
:meth:`xpnet.cli.runfolder.RunFolder.locked` opens the file and removes it again;
:func:`holder` asks, without taking it, whether a run holds a folder (``--resume`` of a run that
has saved no checkpoint yet).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["LOCK", "RunFolderError", "holder", "in_use", "take"]

LOCK = ".xpnet-train.lock"


class RunFolderError(OSError):
    """The folder is another run's (running now, or finished and not to be replaced)."""

    __module__ = "xpnet.cli.runfolder"  # tracebacks name it where it is imported from


def take(handle, folder: Path) -> None:
    """Lock the open lock file ``handle`` of folder at once and write this process's id into
    it; raise RunFolderError, naming the holder's id, where another process holds it."""
    if not _try_lock(handle):
        handle.seek(0)
        raise RunFolderError(in_use(folder, handle.read().strip(), "or choose another --out"))
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()


def in_use(folder: Path, process: str, fix: str) -> str:
    """The one line that says folder is a running run's (its process id), and what to do."""
    return (
        f"{folder} is in use by another xpnet train (process {process or 'unknown'}); wait for"
        f" it to end, {fix}"
    )


def holder(folder: Path) -> str | None:
    """The process id (as its lock file holds it) of the run holding folder's lock now, or None
    where no run holds it. The lock is tried, and released at once where it was free."""
    try:
        handle = open(Path(folder) / LOCK, "r+")
    except OSError:  # no lock file (no run), or one this user may not open
        return None
    with handle:
        if _try_lock(handle):
            _unlock(handle)
            return None
        handle.seek(0)
        return handle.read().strip()


def _unlock(handle) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _try_lock(handle) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
