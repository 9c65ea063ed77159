"""What a run's failed write says: :class:`RunFileError`, and :class:`Kept`, the checkpoint left.

A write that fails (a full disk, a quota, a file-size limit, a read-only file system, no
permission) raises :class:`RunFileError`, one line that names the file, the checkpoint that is
kept (and its iteration) and the command that resumes from it (:class:`Kept`: with the flags
that the kept checkpoint does not hold); :func:`failed_write` words that line.
:class:`xpnet.cli.runfolder.RunFolder` turns its writes' errors into it.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Kept", "RunFileError", "failed_write"]


class RunFileError(OSError):
    """A file of the run could not be written; the message names it, the checkpoint that is
    kept (with its iteration) and the command that resumes from there. ``errno`` is the
    failed write's, ``path`` the file's."""

    __module__ = "xpnet.cli.runfolder"  # tracebacks name it where it is imported from


ADVICE = {  # errno name -> what to do first; None: write elsewhere (another --out)
    "ENOSPC": "free some space on that disk",
    "EDQUOT": "free some of your disk quota",
    "EFBIG": "raise the file-size limit (ulimit -f)",
    "EROFS": None,  # a read-only file system
    "EACCES": None,  # permission denied
    "EPERM": None,
}


@dataclass(frozen=True)
class Kept:
    """A checkpoint that a run can be resumed from: its path, its iteration, and the flags
    that resuming needs besides ``--resume`` (what the checkpoint does not hold of the run)."""

    path: Path
    iteration: int
    flags: tuple[str, ...] = ()

    def command(self, out: Path | None = None) -> str:
        """The command that resumes the run; ``--out out`` where out is not the checkpoint's
        folder (a resumed run's default)."""
        words = ["xpnet train --resume", str(self.path), *self.flags]
        if out is not None and not _same_folder(out, self.path.parent):
            words += ["--out", str(out)]
        return " ".join(words)


def failed_write(
    path: Path, error: OSError, kept: Kept | None, *, finished: bool, folder: Path
) -> str:
    """The line of a write to path that failed with error: what is kept (None: nothing yet)
    and how to go on; ``finished``: the run made all its steps; ``folder``: the run's."""
    name = errno.errorcode.get(error.errno, "")
    fix = ADVICE.get(name, "")
    cause = f"[Errno {error.errno}] {error.strerror}" if error.errno else str(error)
    line = f"could not write {path}: {cause}"
    if kept is None:
        again = "start the run again" + (" with another --out" if fix is None else "")
        return (
            f"{line}; no checkpoint was saved yet, so there is nothing to resume from:"
            f" {fix + ', then ' if fix else ''}{again}"
        )
    if finished:
        return (
            f"{line}; the run itself is complete: {kept.path} holds its {kept.iteration} iterations"
        )
    if fix is None:
        how = f"resume in a folder you can write with: {kept.command()} --out ANOTHER_FOLDER"
    else:
        how = f"{fix + ', then ' if fix else ''}resume with: {kept.command(folder)}"
    return f"{line}; {kept.path} is kept, at iteration {kept.iteration}: {how}"


def _same_folder(a: Path, b: Path) -> bool:
    return Path(a).resolve() == Path(b).resolve()
