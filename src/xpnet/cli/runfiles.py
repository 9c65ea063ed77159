"""What `xpnet train` writes about a run besides its checkpoints and CSVs: the contents of
config.json (:func:`run_config`: the learner's file and class under ``--net``, settings, backend,
device, step, versions, the command) and
the figures accuracy.png and loss.png (:func:`draw_plots`, with :mod:`xpnet.plot`). Writing
them, whole or not at all, is :class:`xpnet.cli.runfolder.RunFolder`'s.
"""

from __future__ import annotations

import platform
import sys
import time

from ..backends import device_name

__all__ = ["draw_plots", "run_config"]


def run_config(settings, backend, trainer, source, *, learner=None) -> dict:
    """config.json's contents for a run with these settings on backend, resumed from source
    (a checkpoint's path, or None); with ``learner`` (``--net``), its file and class first."""
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
        "command": sys.argv,
        "resumed_from": str(source) if source else None,
        "changed_on_resume": settings.changes,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def draw_plots(folder, history, *, name: str, settings, trainer) -> None:
    """accuracy.png and loss.png of history into folder (a RunFolder), titled with the
    network's name and the settings; where matplotlib is not installed, a notice instead."""
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
        f"{name}, {s['dataset']}: lr {s['lr']:g}, batch size "
        f"{s['batch_size']}, {trainer.iteration} steps, {s['grad']}"
    )
    per_epoch = trainer.iters_per_epoch
    folder.write_plot(
        "accuracy.png",
        lambda path: plot_accuracy(history, path, title=title, iters_per_epoch=per_epoch),
    )
    folder.write_plot("loss.png", lambda path: plot_loss(history, path, title=title))
