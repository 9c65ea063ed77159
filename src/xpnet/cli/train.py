"""`xpnet train`: one run as one object: its settings, its folder, its network and trainer.

Read :meth:`Run.execute` first: lock the folder, claim it, build, write the files, train, and
finish (or say how the run stopped). The settings are merged once, when the Run is made
(:meth:`xpnet.cli.settings.Settings.from_command_line`: the resume rule lives there), from a
resumed checkpoint's as :mod:`xpnet.cli.runstate` reads them; the folder and its files belong
to :class:`xpnet.cli.runfolder.RunFolder`. The lines printed are worded in
:mod:`xpnet.cli.printing`, config.json and the figures in :mod:`xpnet.cli.runfiles`; how a run
ends short of its target (already finished, stopped by a signal, diverged) in
:mod:`xpnet.cli.runends`.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from pathlib import Path

from ..backends import Float64Notice, get_backend
from ..checkpoint import load_checkpoint, load_params
from ..nets import TwoLayerNet
from ..train import DivergenceError, History, Trainer, TrainingInterrupted
from ..validate import refuse_lazy_backend
from .data import load_data
from .kept import Kept
from .printing import COLUMNS, epoch_line, plan, say, show_warning, step_text
from .runends import is_finished, report_diverged, report_stopped
from .runfiles import draw_plots, earlier_runs, run_config
from .runfolder import RunFolder
from .runpaths import out_path, resume_path
from .runstate import resume_flags, run_part, saved_settings
from .settings import Settings
from .words import Exit, for_the_command_line

__all__ = ["Run", "train_command"]

LINES = 20  # about this many epoch lines print; metrics.csv holds every one


def train_command(args) -> int:
    """`xpnet train`: one Run (settings, folder, network, trainer), executed.

    Parameters
    ----------
    args : argparse.Namespace
        The train command's flags, as :func:`xpnet.cli.build_parser` parses them.

    Returns
    -------
    int
        An :class:`~xpnet.cli.words.Exit` status: OK, FAILED (diverged), INTERRUPTED or
        TERMINATED.
    """
    from ..check.learner import LearnerError, learner_frames, learner_traceback
    from ..check.training import CheckFailed

    try:
        run = Run(args)
    except CheckFailed as failed:  # issue 23: --net's check failed: its report, no training
        say(str(failed))
        return Exit.FAILED
    except LearnerError as error:  # --net's file, class or settings cannot be used
        say(f"xpnet train: error: {for_the_command_line(error)}", sys.stderr)
        return Exit.USAGE
    except Exception as error:
        if not getattr(args, "net", None) or not learner_frames(error):
            raise
        say(f"xpnet train: error: {learner_traceback(error)}", sys.stderr)  # the learner's bug
        return Exit.USAGE
    return run.execute()


class Run:
    """`xpnet train` with the parsed command line ``args``: ``Run(args).execute()``.

    Making it reads what the run is made of, before any file is touched: the checkpoint of
    ``--resume`` (``source``, ``checkpoint``), the merged ``settings`` (a conflict is refused
    here) and the run's ``folder``. :meth:`execute` does the rest.

    Parameters
    ----------
    args : argparse.Namespace
        The train command's flags, as :func:`xpnet.cli.build_parser` parses them.
    """

    def __init__(self, args) -> None:
        self.args = args
        self.source = resume_path(args.resume) if args.resume else None
        self.checkpoint = load_checkpoint(self.source) if self.source else None
        saved = saved_settings(self.checkpoint, self.source) if self.source else None
        self.settings = Settings.from_command_line(args, saved)
        from ..check.training import prepare_for_run  # issue 23: --net FILE.py[:CLASS]

        given = {
            k: getattr(args, k) for k in self.settings.values if getattr(args, k, None) is not None
        }
        self.learner = prepare_for_run(args, self.settings, given, self.checkpoint, self.source)
        self.folder = RunFolder(out_path(args.out, self.source))
        self.folder.resume_flags = resume_flags(args, self.settings)
        if self.checkpoint is not None:  # kept from the start: a failed lock or first write says so
            iteration = int(self.checkpoint.state["trainer"]["iteration"])
            flags = resume_flags(args, self.settings, saved)  # the target, a new --lr, ...
            self.folder.kept = Kept(self.source, iteration, flags)
        self._told = False  # whether the run said that its parameters stopped being finite

    def execute(self) -> int:
        """The whole run, in the folder it locks; returns the exit status.

        Returns
        -------
        int
            Exit.OK (trained, or already finished), Exit.FAILED (the loss diverged: the
            CSVs are written, checkpoint.npz keeps the last finite state), Exit.INTERRUPTED
            or Exit.TERMINATED (Ctrl-C, SIGTERM: saved, with the command that resumes).
        """
        try:
            return self._in_folder()
        finally:
            if self.folder.put_back:
                say(
                    f"notice: the run stopped before its first checkpoint, so the run that"
                    f" --overwrite was to replace is back in {self.folder.path}"
                )

    def _in_folder(self) -> int:
        with self.folder.locked():
            if self.folder.put_back:  # a run killed before its first checkpoint
                say(
                    "notice: an --overwrite run was killed before its first checkpoint: the"
                    f" run it was to replace is back in {self.folder.path}"
                )
                self.folder.put_back = []
            self.folder.claim(resuming=self.source, overwrite=self.args.overwrite)
            if self.folder.stale:
                names = ", ".join(path.name for path in self.folder.stale)
                say(f"notice: removed temporary files of writes that were cut short: {names}")
            self._build()
            resumed = self.checkpoint is not None  # a new run is never finished before it starts
            if is_finished(self.trainer, self.target, self.settings, self.source, resumed=resumed):
                return Exit.OK
            earlier, notice = earlier_runs(self.source)
            if notice:
                say(notice)
            self.config = run_config(
                self.settings,
                self.backend,
                self.trainer,
                self.source,
                learner=self.learner,
                earlier=earlier,
                command=getattr(self.args, "argv", None),
            )
            self.folder.write_config(self.config)
            self.folder.start_csvs(self.trainer.history)
            try:
                history = self._train()
            except TrainingInterrupted as stop:
                return self._stopped(stop)
            except DivergenceError as error:
                return self._diverged(error)
            return self._finish(history)

    # -- the sequence ----------------------------------------------------------------------------

    def _build(self) -> None:
        s = self.settings
        if self.learner is None:
            with warnings.catch_warnings():
                if s["dtype"] == "float32":  # JAX's float64 switch is nothing to this run
                    warnings.simplefilter("ignore", Float64Notice)
                self.backend = get_backend(self.args.device, backend=self.args.backend)
        else:  # issue 23: the learner's net computes where its arrays are
            self.backend = self.learner.net.backend
        refuse_lazy_backend(self.backend)  # Dask: refused before the header, not after the data
        chosen = " (chosen by --device auto)" if self.args.device == "auto" else ""
        say(f"xpnet train: {self.backend.describe()}{chosen}, {s['dtype']}")
        if self.learner is not None:
            say(self.learner.said)
        train, test, s.values["dataset"], description = load_data(
            s["dataset"], self.args.data_dir, resumed=self.source is not None
        )
        say(f"data: {description}")
        self.net = (
            self.learner.net
            if self.learner is not None
            else TwoLayerNet(
                int(train[0][0].size),
                s["hidden_size"],
                10,
                s["weight_init_std"],
                activation=s["activation"],
                backend=self.backend,
                dtype=s["dtype"],
                seed=s["seed"],
            )
        )
        self.trainer = Trainer(
            self.net,
            train,
            test,
            batch_size=s["batch_size"],
            learning_rate=s["lr"],
            grad=s["grad"],
            seed=s["seed"],
            on_divergence="continue" if s["keep_going"] else "stop",
            step=getattr(self.args, "step", "auto"),
        )
        self.target = s.target(self.trainer.iters_per_epoch)
        if self.checkpoint is not None:
            if self.learner is not None:  # the learner's layers hold its arrays: write into them
                from ..check.trainable import load_params_in_place

                load_params_in_place(self.net, self.checkpoint, path=self.source)
            else:
                load_params(self.net, self.checkpoint, path=self.source)
            history = History.from_arrays(self.checkpoint.arrays)
            self.trainer.load_state_dict(self.checkpoint.state["trainer"], history)
            changes = "".join(f"; {change}" for change in s.changes)
            say(f"resuming from {self.source} at iteration {self.trainer.iteration}{changes}")

    def _train(self) -> History:
        s, trainer = self.settings, self.trainer
        per_epoch = trainer.iters_per_epoch
        self.epochs = (self.target - 1) // per_epoch + 1  # the book's evaluations
        self.every = max(1, math.ceil(self.epochs / LINES))
        step = step_text(trainer, getattr(self.args, "step", "auto"))
        say(plan(self.target, per_epoch, s, step, self.every))
        say(COLUMNS)
        progress = sys.stderr.isatty() if self.args.progress is None else self.args.progress
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            history = trainer.run(self.target, callback=self._record, progress=progress)
        self.seconds = time.perf_counter() - start
        return history

    def _finish(self, history: History) -> int:
        self.folder.finished = True  # a file that fails now fails a complete run
        self._plots(history)
        last = history.epochs[-1]
        say(
            f"done: {self.trainer.iteration} iterations in {self.seconds:.1f} s; the final model's"
            f" test acc {last.test_acc:.4f} (train acc {last.train_acc:.4f}); files in"
            f" {self.folder.path}"
        )
        return Exit.OK

    def _stopped(self, stop: TrainingInterrupted) -> int:
        """Ctrl-C, SIGTERM or SIGHUP (a closed terminal): save, and say how to resume."""
        self.folder.append(self.trainer.history)
        return report_stopped(stop, self.trainer.iteration, self._save(), self.folder)

    def _diverged(self, error: DivergenceError) -> int:
        """The loss diverged: the CSVs and diverged.npz are written; an --overwrite run puts
        the run it was to replace back, and its own files go to a folder apart."""
        self.folder.append(self.trainer.history)
        return report_diverged(error, self._save(diverged=True), self.folder)

    def _record(self, record) -> None:
        """Each evaluation: print it (every self.every-th epoch, the first, last and final),
        append it to the CSVs, and write the checkpoint."""
        final = (record.iteration - 1) % self.trainer.iters_per_epoch != 0
        k = record.epoch
        if final or k == 1 or k % self.every == 0 or k == self.epochs:
            label = "final" if final else f"{k}/{self.epochs}"
            say(epoch_line(label, record))
        path = self._save()  # first: a CSV that cannot be written still leaves this state
        self.folder.append(self.trainer.history)
        if path.name == "diverged.npz" and not self._told:
            self._told = True  # once: --keep-going goes on with non-finite parameters
            say(
                f"warning: the parameters are no longer finite at iteration {record.iteration}; "
                f"checkpoint.npz keeps the last finite state, this one goes to {path}",
                sys.stderr,
            )

    def _save(self, *, diverged: bool = False) -> Path:
        trainer = self.trainer
        # each setting once: the net's in net.config, the trainer's in its state, the rest here
        state = {
            "trainer": trainer.state_dict(),
            "run": run_part(self.settings.record(trainer.iters_per_epoch)),
        }
        return self.folder.save(
            self.net, arrays=trainer.history.arrays(), state=state, diverged=diverged
        )

    def _plots(self, history) -> None:
        if self.args.no_plot:
            return
        s = self.settings
        name = f"TwoLayerNet ({s['activation']})" if self.learner is None else self.learner.title
        runs = [*self.config["earlier_runs"], self.config]
        draw_plots(self.folder, history, name=name, settings=s, trainer=self.trainer, runs=runs)
