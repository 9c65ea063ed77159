"""Where a run is, from the command line: the checkpoint it resumes and the folder it writes.

:func:`resume_path` reads ``--resume`` (or evaluate's CHECKPOINT): a checkpoint file, or a run
folder's checkpoint.npz; :func:`out_path` chooses the run's folder (``--out``, else the resumed
checkpoint's, else a new one under ``runs/``). The folder itself is
:class:`xpnet.cli.runfolder.RunFolder`'s.
"""

from __future__ import annotations

import time
from pathlib import Path

from ..checkpoint import CheckpointError
from .runlock import RunFolderError, holder, in_use

__all__ = ["out_path", "resume_path"]


def resume_path(text: str, named: str = "--resume") -> Path:
    """A checkpoint given on the command line (``named``: --resume, or evaluate's CHECKPOINT):
    the file itself, or a run folder's checkpoint.npz."""
    path = Path(text)
    if path.is_dir():
        try:
            found = (path / "checkpoint.npz").is_file()
        except PermissionError:  # a folder the user may not look into: load_checkpoint says so
            return path / "checkpoint.npz"
        if not found:
            running = holder(path)
            if running is not None:  # its first run has saved no checkpoint yet
                then = "then resume it" if named == "--resume" else "or for its first checkpoint"
                raise RunFolderError(
                    f"{named} {text}: {in_use(path, running, then)} (it has saved none yet)"
                )
            raise CheckpointError(
                f"{named} {text}: that is a folder without a checkpoint.npz; give a run's folder "
                "or its checkpoint file"
            )
        return path / "checkpoint.npz"
    return path


def out_path(out: str | None, source: Path | None) -> Path:
    """The run's folder: --out, else the resumed checkpoint's, else a new one under runs/."""
    if out:
        return Path(out)
    if source is not None:
        return source.parent
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path, n = Path("runs") / stamp, 1
    while path.exists():
        path, n = Path("runs") / f"{stamp}-{n}", n + 1
    return path
