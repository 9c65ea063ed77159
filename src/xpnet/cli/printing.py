"""What `xpnet train` prints while it runs: the lines above the progress bar.

:func:`say` prints one line (tqdm.write, so the bar stays below it; into a closed pipe, nothing
more); the run's header (:func:`plan`, :data:`COLUMNS`) and one :func:`epoch_line` per evaluation
shown; a Python warning as one ``warning:`` line in the command line's words
(:func:`show_warning`).
"""

from __future__ import annotations

import sys

from ..fast import auto_paths
from .words import for_the_command_line

__all__ = ["COLUMNS", "epoch_line", "nth", "plan", "say", "show_warning", "step_text"]

COLUMNS = f"{'epoch':>9} {'iteration':>9} {'loss':>7} {'train acc':>9} {'test acc':>9} seconds"


def say(line: str, file=None) -> None:
    """One line above the progress bar (tqdm.write), on stdout unless file is given."""
    from tqdm.auto import tqdm

    file = file or sys.stdout
    try:
        tqdm.write(line, file=file)
        file.flush()
    except BrokenPipeError:  # `xpnet train | head` read its lines: the run goes on, its files
        from .words import stdout_to_devnull  # are the record; what it prints goes nowhere

        stdout_to_devnull()


def plan(target: int, per_epoch: int, settings, step: str, every: int) -> str:
    """The header's line of what the run will do: steps, learning rate, batch size, gradient,
    step, and which epochs are shown (every ``every``-th)."""
    s = settings
    shown = f"; every {nth(every)} epoch shown" if every > 1 else ""
    return (
        f"{target} iterations, {per_epoch} an epoch, lr {s['lr']:g}, batch size "
        f"{s['batch_size']}, {s['grad']}, step {step}{shown} (all in metrics.csv)"
    )


def epoch_line(label: str, record) -> str:
    """One evaluation's row under :data:`COLUMNS`; label: "k/epochs", or "final"."""
    return (
        f"{label:>9} {record.iteration:>9} {record.loss:>7.3f} {record.train_acc:>9.4f} "
        f"{record.test_acc:>9.4f} {record.seconds:>7.2f}"
    )


def step_text(trainer, asked: str | None) -> str:
    """The step in use; why not a faster one, where the backend has one that --step auto
    tried first and could not build (unless --step named the step in use)."""
    faster = auto_paths(trainer.net.backend)[0]
    named = asked not in (None, "auto")
    if not named and faster and trainer.step_path != faster[0] and trainer.step_reason:
        return f"{trainer.step_path} ({trainer.step_reason})"
    return trainer.step_path


def nth(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def show_warning(message, category, *args, **kwargs) -> None:
    """warnings.showwarning for the command line: one ``warning:`` line on stderr."""
    print(f"warning: {for_the_command_line(message)}", file=sys.stderr)
