"""One run at a time in a folder: its lock file, ``.xpnet-train.lock``.

The run that holds the operating system's lock on that file (flock; msvcrt's on Windows) owns
the folder, and the file holds its process id, which a second run's :class:`RunFolderError`
names. The operating system drops the lock when the process ends, however it ends.
:meth:`xpnet.cli.runfolder.RunFolder.locked` opens the file and removes it again.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["LOCK", "RunFolderError", "take"]

LOCK = ".xpnet-train.lock"


class RunFolderError(OSError):
    """The folder is another run's (running now, or finished and not to be replaced)."""

    __module__ = "xpnet.cli.runfolder"  # tracebacks name it where it is imported from


def take(handle, folder: Path) -> None:
    """Lock the open lock file ``handle`` of folder at once and write this process's id into
    it; raise RunFolderError, naming the holder's id, where another process holds it."""
    if not _try_lock(handle):
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        raise RunFolderError(
            f"{folder} is in use by another xpnet train (process {holder}); wait "
            "for it to end, or choose another --out"
        )
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()


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
