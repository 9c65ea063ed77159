"""How `xpnet train` ends short of training to its target: what it says, and its exit status.

A resumed run asked for no more iterations than its checkpoint has made is refused, or said to
be finished, with how to train further (:func:`is_finished`); a run stopped by Ctrl-C, SIGTERM
or SIGHUP (a closed terminal) says the command that resumes it (:func:`report_stopped`); a run
whose loss diverged says where its last finite state and the diverged one are, and an
``--overwrite`` run puts back the run it was to replace (:func:`report_diverged`). Each is one
step of :class:`xpnet.cli.train.Run`, which saves the state first.
"""

from __future__ import annotations

import math
import signal
import sys
from pathlib import Path

from .printing import say
from .runfolder import RunFolder
from .words import Exit, for_the_command_line

__all__ = ["STOPPED_BY", "is_finished", "report_diverged", "report_stopped"]

STOPPED_BY = {signal.SIGTERM: (Exit.TERMINATED, "SIGTERM")}  # besides Ctrl-C: status, name
if hasattr(signal, "SIGHUP"):  # a closed terminal (not on Windows)
    STOPPED_BY[signal.SIGHUP] = (Exit.TERMINATED, "SIGHUP")  # Exit's table: as for SIGTERM


def is_finished(trainer, target: int, settings, source: Path | None, *, resumed: bool) -> bool:
    """Whether a resumed run (from source) has made all of its ``target`` iterations (said,
    with the totals that train further); a target below what it has made is a ValueError."""
    done = trainer.iteration
    if target < done:
        epochs = settings.epochs
        asked = f"--epochs {epochs} ({target} iterations)" if epochs else f"--iters {target}"
        raise ValueError(
            f"the run in {source} has made {done} iterations; {asked} is below that: "
            f"give a larger total, e.g. --iters {done + 1000}"
        )
    if not resumed or target > done:
        return False
    epochs = math.ceil(done / trainer.iters_per_epoch) + 1
    say(
        f"the run in {source} is finished: {done} of {target} iterations. To train "
        f"further, give a new total: --iters {done + 1000} or --epochs {epochs}"
    )
    return True


def report_stopped(stop, iteration: int, saved: Path, folder: RunFolder) -> int:
    """Ctrl-C, SIGTERM or SIGHUP (``stop``, a TrainingInterrupted) at iteration, its state
    saved to ``saved``: say how to resume from the folder's kept checkpoint; the exit status."""
    kept = folder.kept  # kept: this state, unless non-finite
    status, name = STOPPED_BY.get(stop.signal, (Exit.INTERRUPTED, None))
    how = f"stopped by {name}" if name else "interrupted"
    how += f" at iteration {iteration}"
    if saved.name == "diverged.npz":  # --keep-going went on with non-finite parameters
        how += f" with non-finite parameters (saved in {saved})"
        if kept is None:
            say(f"{how}; no finite state was saved to resume from", sys.stderr)
            return status
        where = kept.path.name if kept.path.parent == saved.parent else kept.path
        how += f"; {where} keeps the last finite state"
    say(f"{how}; resume with:", sys.stderr)
    say(f"  {kept.command(folder.path)}", sys.stderr)
    return status


def report_diverged(error, path: Path, folder: RunFolder) -> int:
    """The loss diverged (``error``, a DivergenceError), its state saved to path: an
    --overwrite run puts the run it was to replace back, and its own files go to a folder
    apart; say where the states are; Exit.FAILED."""
    apart = folder.keep_apart()
    where = apart or folder.path
    good = where / "checkpoint.npz"
    kept = f"{good} keeps the last finite state" if good.exists() else "no finite state"
    say(
        f"xpnet train: error: {for_the_command_line(error)}; {kept}, the diverged one is in"
        f" {where / path.name}",
        sys.stderr,
    )
    if apart is not None:
        say(
            "notice: a run that diverged replaces nothing, so the run that --overwrite was"
            f" to replace is back in {folder.path}; this run's files are in {apart}"
        )
        folder.put_back = []  # said
    return Exit.FAILED
