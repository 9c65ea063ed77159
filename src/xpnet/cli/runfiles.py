"""What `xpnet train` writes about a run besides its checkpoints and CSVs: the contents of
config.json (:func:`run_config`: the learner's file and class under ``--net``, settings, backend,
device, step, versions, the command, and, resumed, the configs of the commands before it,
:func:`earlier_runs`) and the figures accuracy.png and loss.png (:func:`draw_plots`, with
:mod:`xpnet.plot`). Writing them, whole or not at all, is
:class:`xpnet.cli.runfolder.RunFolder`'s.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

from ..backends import device_name

__all__ = ["CONFIG_BYTES", "draw_plots", "earlier_runs", "run_config"]

CONFIG_BYTES = 2**20  # a config.json of xpnet's is a few KB a command; more is none of its


def run_config(
    settings, backend, trainer, source, *, learner=None, earlier=(), command=None
) -> dict:
    """config.json's contents for a run with these settings on backend, resumed from source
    (a checkpoint's path, or None) after the commands of ``earlier`` (:func:`earlier_runs`);
    with ``learner`` (``--net``), its file and class first. command: the command line (main's
    argv after "xpnet"; None: this process's)."""
    from .. import __version__

    net = {"learner": dict(learner.net.config["learner"])} if learner is not None else {}
    recorded = settings.record(trainer.iters_per_epoch)
    if learner is not None:  # xpnet's shaping settings only where the learner's class took them
        recorded = {key: value for key, value in recorded.items() if value is not None}
    return {
        **net,
        **recorded,
        "backend": backend.name,
        "device": device_name(backend),
        "device_description": backend.describe(),
        "step": trainer.step_path,
        "xpnet": __version__,
        "python": platform.python_version(),
        "command": list(sys.argv) if command is None else command,
        "resumed_from": str(source) if source else None,
        "changed_on_resume": settings.changes,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "from_iteration": trainer.iteration,
        "earlier_runs": list(earlier),
    }


def earlier_runs(source: Path | None) -> tuple[list[dict], str]:
    """The configs of the commands before a resume from the checkpoint ``source``, oldest first
    (those the config.json beside it keeps, then its own), so that a resume, which writes
    config.json anew, keeps the first command, its start and a learning rate changed since; and
    a notice where that config.json cannot be read ("" where it is read, or absent).

    Parameters
    ----------
    source : pathlib.Path or None
        The checkpoint resumed from; None for a new run (no earlier runs).

    Returns
    -------
    runs : list of dict
        Each earlier command's config, without its own ``earlier_runs``.
    notice : str
        Why the earlier runs are not kept, or "".
    """
    if source is None:
        return [], ""
    path = Path(source).parent / "config.json"
    try:
        if not path.is_file():
            return [], ""
        if path.stat().st_size > CONFIG_BYTES:
            raise ValueError(f"over {CONFIG_BYTES} bytes")
        config = json.loads(path.read_bytes())
        if not isinstance(config, dict):
            raise ValueError(f"a JSON {type(config).__name__}, not an object")
    except (OSError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError included
        return [], (
            f"notice: {path} cannot be read ({error}), so the new config.json does not list the"
            " commands before this one"
        )
    before = config.pop("earlier_runs", [])
    before = [run for run in before if isinstance(run, dict)] if isinstance(before, list) else []
    return [*before, config], ""


def lr_text(lr: float, runs=()) -> str:
    """The learning rate of the whole run, for a plot's title: "lr 0.1", or, where a resume
    changed it, "lr 0.1, 0.05 from step 500"; runs: the configs of the run's commands (this one
    last, its rate ``lr``), oldest first."""
    said: list[tuple[int, float]] = []
    for run in runs:
        rate, start = run.get("lr"), run.get("from_iteration", 0)
        if isinstance(rate, int | float) and (not said or said[-1][1] != rate):
            said.append((start, rate))
    if not said or said[-1][1] != lr:
        return f"lr {lr:g}"  # no configs, or none that ends on this rate: the one it ran with
    first, *then = said
    return "lr " + ", ".join([f"{first[1]:g}", *(f"{r:g} from step {i}" for i, r in then)])


def draw_plots(folder, history, *, name: str, settings, trainer, runs=()) -> None:
    """accuracy.png and loss.png of history into folder (a RunFolder), titled with the
    network's name and the settings (the learning rate of each of the run's commands, ``runs``,
    where a resume changed it); where matplotlib is not installed, a notice instead."""
    from ..plot import have_matplotlib, plot_accuracy, plot_loss

    if not have_matplotlib():
        print(
            "notice: matplotlib is not installed, so no plots were drawn: pip install "
            '"xpnet[plot]"',
            file=sys.stderr,
        )
        return
    s = settings
    title = (
        f"{name}, {s['dataset']}: {lr_text(s['lr'], runs)}, batch size "
        f"{s['batch_size']}, {trainer.iteration} steps, {s['grad']}"
    )
    per_epoch = trainer.iters_per_epoch
    folder.write_plot(
        "accuracy.png",
        lambda path: plot_accuracy(history, path, title=title, iters_per_epoch=per_epoch),
    )
    folder.write_plot("loss.png", lambda path: plot_loss(history, path, title=title))
