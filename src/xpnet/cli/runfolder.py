"""A run's folder: the lock that makes it one run's, and the files the run leaves there.

``config.json`` (settings, backend, versions), ``metrics.csv`` (one row per evaluation),
``loss.csv`` (one row per step), ``checkpoint.npz`` (the last finite state), ``diverged.npz``
(only when the parameters stopped being finite), ``accuracy.png`` and ``loss.png``; and
``diverged-run/`` where an ``--overwrite`` run diverged (below).

The CSVs are appended to, a whole number of rows per write (a write cut short is undone, so
rows are whole or absent), so a run's cost stays linear and a crash leaves a readable file; when
a run is resumed they are first rewritten from the checkpoint, so they hold exactly the
checkpoint's history. Every other file is written to a temporary file and renamed
(:mod:`xpnet.atomic`), so a failed run never leaves half a file, and a diverged run never
replaces a finite checkpoint; temporary files of writes that were killed are removed when the
next run takes the folder. Files get the permissions the umask gives (as any new file). The
lock itself is :mod:`xpnet.cli.runlock`'s, the CSVs' rows :mod:`xpnet.cli.runrecord`'s; the
folder and checkpoint a command line names, :mod:`xpnet.cli.runpaths`'s.

``--overwrite`` replaces a run only once the new one has saved its first checkpoint and has not
diverged: the old run's files wait in ``.xpnet-replaced/`` inside the folder while the new run
runs. A run that ends before its first checkpoint (bad settings, no data, Ctrl-C while loading,
a crash) puts them back; so does a run that diverges, whenever it diverges, and its own files
(its last finite checkpoint, diverged.npz, its CSVs) go to ``diverged-run/`` (``-2``, ``-3``
where taken) inside the folder. Any other end (finished, stopped, a failed write) removes them.
A run killed leaves them there, and the next run that takes the folder puts them back first,
unless the killed run had saved a checkpoint (then it stands, and they are removed).

A write that fails (a full disk, a quota, a file-size limit, a read-only file system, no
permission) raises :class:`RunFileError`, one line that names the file, the checkpoint that is
kept (and its iteration) and the command that resumes from it; that line and :class:`Kept` are
:mod:`xpnet.cli.kept`'s.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

import numpy as np

from ..atomic import atomic_path, atomic_write, remove_stale
from ..backends import to_numpy
from ..checkpoint import save_checkpoint
from .kept import Kept, RunFileError, failed_write
from .runlock import LOCK, RunFolderError, take
from .runrecord import LOSSES, METRICS, append_rows, csv_text, loss_rows, metric_rows

__all__ = ["RUN_FILES", "RunFileError", "RunFolder", "RunFolderError"]

REPLACED = ".xpnet-replaced"  # the old run's files, while the run replacing it runs
DIVERGED_RUN = "diverged-run"  # an --overwrite run that diverged: its files, the old run put back
RUN_FILES = (
    "config.json",
    "metrics.csv",
    "loss.csv",
    "checkpoint.npz",
    "diverged.npz",
    "accuracy.png",
    "loss.png",
)


class RunFolder:
    """The folder of one run. Use ``with folder.locked():`` around everything the run does."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._lock = None
        self._losses_written = self._records_written = 0
        self.kept: Kept | None = None  # the last good checkpoint, its iteration, how to resume
        self.resume_flags: tuple[str, ...] = ()  # Kept.flags of a checkpoint this run saves
        self.saved = False  # this run saved a checkpoint.npz
        self.finished = False  # the run made all its steps: only its plots are left to write
        self.stale: list[Path] = []  # temporary files of killed writes, removed by locked()
        self.replacing = False  # the old run's files are in REPLACED while this run runs
        self.put_back: list[str] = []  # the old run's files put back: this run saved nothing

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    # -- owning it -------------------------------------------------------------------------------

    def locked(self):
        """A context manager: hold the folder's lock (another process gets RunFolderError at
        once). The operating system drops the lock when the process ends, however it ends."""

        @contextlib.contextmanager
        def hold():
            created = [p for p in (self.path, *self.path.parents) if not p.exists()]
            handle = None
            try:
                self._make()
                with self._writing(self / LOCK):
                    handle = open(self / LOCK, "a+")
                take(handle, self.path)  # RunFolderError where another run holds it
                self._lock = handle
                self.stale = remove_stale(self.path, RUN_FILES)  # no write is under way now
                if (self / REPLACED).is_dir():  # an --overwrite run was killed
                    if (self / "checkpoint.npz").exists():  # after its first checkpoint
                        self._drop_replaced()
                    else:
                        self._put_back()
                yield self
            finally:
                if self.replacing and self._lock is handle:  # not diverged (see keep_apart)
                    if self.saved:  # the new run can be resumed: the old one goes now
                        self._drop_replaced()
                    else:  # ended before its first checkpoint
                        self._put_back()
                if handle is not None and self._lock is handle:
                    (self / LOCK).unlink(missing_ok=True)  # before unlocking: no other holder yet
                    self._lock = None
                if handle is not None:
                    handle.close()
                for folder in created:  # a run that failed before writing leaves no folder
                    if not folder.is_dir() or any(folder.iterdir()):
                        break
                    folder.rmdir()

        return hold()

    def claim(self, *, resuming: Path | None, overwrite: bool) -> None:
        """Make the folder this run's: refuse one holding another run's files unless this run
        resumes that run's checkpoint, or ``overwrite`` says to delete them."""
        found = [name for name in RUN_FILES if (self / name).exists()]
        if not found or (resuming is not None and _same_file(resuming, self / "checkpoint.npz")):
            return
        if overwrite:  # set aside while this run runs (see locked and keep_apart)
            with self._writing(self / REPLACED):
                (self / REPLACED).mkdir()
                for name in found:
                    os.replace(self / name, self / REPLACED / name)
            self.replacing = True
            return
        raise RunFolderError(
            f"{self.path} already holds a run ({', '.join(found)}); continue it with --resume "
            f"{self.path}, choose another --out, or replace it with --overwrite"
        )

    # -- its files -------------------------------------------------------------------------------

    def write_config(self, config: dict) -> None:
        text = json.dumps(config, indent=2, default=str).encode()
        with self._writing(self / "config.json"):
            atomic_write(self / "config.json", lambda handle: handle.write(text))

    def start_csvs(self, history) -> None:
        """Write metrics.csv and loss.csv afresh, holding exactly ``history`` (a resumed run's)."""
        for name, header, rows in (
            ("metrics.csv", METRICS, metric_rows(history.epochs)),
            ("loss.csv", LOSSES, loss_rows(history.train_loss, 0)),
        ):
            text = csv_text([header, *rows])
            with self._writing(self / name):
                atomic_write(self / name, lambda handle, text=text: handle.write(text))
        self._records_written, self._losses_written = len(history.epochs), len(history.train_loss)

    def append(self, history) -> None:
        """Append the losses and evaluations recorded since the last call, one write per file."""
        new = metric_rows(history.epochs[self._records_written :])
        with self._writing(self / "metrics.csv"):
            append_rows(self / "metrics.csv", csv_text(new))
        self._records_written = len(history.epochs)
        new = loss_rows(history.train_loss[self._losses_written :], self._losses_written)
        with self._writing(self / "loss.csv"):
            append_rows(self / "loss.csv", csv_text(new))
        self._losses_written = len(history.train_loss)

    def save(self, net, *, arrays: dict, state: dict, diverged: bool = False) -> Path:
        """Write the checkpoint; a state whose parameters are not all finite (or a run that
        ``diverged``) goes to diverged.npz instead, so checkpoint.npz stays the last good one."""
        finite = all(bool(np.isfinite(to_numpy(value)).all()) for value in net.params.values())
        path = self / ("checkpoint.npz" if finite and not diverged else "diverged.npz")
        with self._writing(path):
            save_checkpoint(path, net, arrays=arrays, state=state)
        if path.name == "checkpoint.npz":
            self.kept = Kept(path, int(state["trainer"]["iteration"]), self.resume_flags)
            self.saved = True
        return path

    def keep_apart(self) -> Path | None:
        """This run diverged. Where it was to replace another run (``--overwrite``), put that
        run back and move this run's files to a folder of their own, returned (DIVERGED_RUN,
        numbered where taken); None where it replaced nothing (its files stay)."""
        if not self.replacing:
            return None
        self.saved = False  # whatever fails below, locked() puts the old run back
        apart, n = self / DIVERGED_RUN, 1
        while apart.exists():
            n += 1
            apart = self / f"{DIVERGED_RUN}-{n}"
        with self._writing(apart):
            apart.mkdir()
            for name in RUN_FILES:
                if (self / name).exists():
                    os.replace(self / name, apart / name)
        if self.kept is not None and self.kept.path == self / "checkpoint.npz":
            self.kept = Kept(apart / "checkpoint.npz", self.kept.iteration, self.kept.flags)
        self._put_back()
        return apart

    def write_plot(self, name: str, draw) -> None:
        """draw(path) draws a figure to path (matplotlib's savefig, by name): a temporary path
        with name's suffix, renamed to name once whole."""
        with self._writing(self / name), atomic_path(self / name) as temporary:
            draw(temporary)

    def _make(self) -> None:
        """Create the folder (and its parents), or say in one line why it cannot be."""
        for folder in (self.path, *self.path.parents):
            if folder.exists():
                if not folder.is_dir():
                    where = f"--out {self.path}" + ("" if folder == self.path else f": {folder}")
                    raise RunFolderError(
                        f"{where} is a file, not a folder: give a folder for the run (it is"
                        " created), e.g. --out runs/a"
                    )
                break
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RunFolderError(
                f"could not create the folder --out {self.path}: [Errno {error.errno}]"
                f" {error.strerror}; choose another --out"
            ) from error

    def _drop_replaced(self) -> None:
        """The old run's files go: this run (or a killed one) saved a checkpoint to resume."""
        shutil.rmtree(self / REPLACED, ignore_errors=True)
        self.replacing = False

    def _put_back(self) -> None:
        """The old run's files back in place of this run's (which saved no checkpoint, or has
        been moved apart)."""
        aside = self / REPLACED
        back = sorted(path.name for path in aside.iterdir() if path.name in RUN_FILES)
        with self._writing(aside):
            for name in RUN_FILES:
                (self / name).unlink(missing_ok=True)
            for name in back:
                os.replace(aside / name, self / name)
            shutil.rmtree(aside, ignore_errors=True)
        self.replacing, self.put_back = False, back

    @contextlib.contextmanager
    def _writing(self, path: Path):
        """Turn an OSError of writing path into RunFileError: the file, what is kept, and how
        to resume (RunFolderError, the folder being another run's, passes as it is)."""
        try:
            yield
        except (RunFolderError, RunFileError):
            raise
        except OSError as error:
            message = failed_write(path, error, self.kept, finished=self.finished, folder=self.path)
            failed = RunFileError(message)
            failed.errno, failed.path = error.errno, path  # no filename: str() is the message
            raise failed from error


def _same_file(a: Path, b: Path) -> bool:
    return b.exists() and Path(a).resolve() == b.resolve()
