"""Faults while `xpnet train` writes its run folder (issue 22): each errno, each run file.

A failed write says which file, that the last checkpoint is kept (with its iteration) and the
command that resumes from it, in one line (exit 2); the run stops as after Ctrl-C, its lock
released, no temporary file left, the CSVs whole rows. Also: a write cut short by a file-size
limit (RLIMIT_FSIZE, in a child process) leaves no torn row, files honour the umask, temporary
files of killed writes are removed by the next run, and SIGHUP (a closed terminal) saves as
SIGTERM does.

The errors are injected where the bytes go: os.fsync of the file's temporary file (what every
atomic write calls before its rename), os.write on the CSV being appended to, and matplotlib's
savefig for the plots. This machine runs the tests as root, which no chmod stops, so permission
errors are injected the same way (EACCES), never made with chmod.
"""

from __future__ import annotations

import csv
import errno
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from xpnet.checkpoint import load_checkpoint
from xpnet.cli import main

SAMPLE = ["--device", "cpu", "--dataset", "sample", "--hidden-size", "5", "--no-progress"]
ERRNOS = ["ENOSPC", "EDQUOT", "EFBIG", "EROFS", "EACCES"]
LOCK = ".xpnet-train.lock"
# 4000 training images, batch 100: 40 steps an epoch, evaluated (and saved) at 1, 41, 81, 100


def _path_of(fd: int) -> str:
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def fail_writes(monkeypatch, name: str, code: str, *, after: int = 0) -> list[str]:
    """Make writes of the run file ``name`` fail with errno ``code`` from its (after+1)-th write
    on. Returns the list of the writes seen (their paths)."""
    number = getattr(errno, code)
    seen: list[str] = []

    def failing(target: str) -> bool:
        base = os.path.basename(target)
        if base != name and not base.startswith(f".{name}."):
            return False
        seen.append(target)
        return len(seen) > after

    real_fsync, real_write = os.fsync, os.write

    def fsync(fd):
        if failing(_path_of(fd)):
            raise OSError(number, os.strerror(number))
        return real_fsync(fd)

    def write(fd, data):
        if failing(_path_of(fd)):
            raise OSError(number, os.strerror(number))
        return real_write(fd, data)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "write", write)
    if name.endswith(".png"):
        from matplotlib.figure import Figure

        real_savefig = Figure.savefig

        def savefig(self, target, *args, **kwargs):
            if failing(str(target)):
                raise OSError(number, os.strerror(number), str(target))
            return real_savefig(self, target, *args, **kwargs)

        monkeypatch.setattr(Figure, "savefig", savefig)
    return seen


def train(out: Path, *flags: str) -> list[str]:
    return ["train", *SAMPLE, "--iters", "100", "--out", str(out), *flags]


def assert_stopped_cleanly(out: Path, iteration: int | None) -> None:
    """The lock is gone, no temporary file is left, the CSVs hold whole rows, and the kept
    checkpoint holds iteration."""
    names = sorted(p.name for p in out.iterdir())
    assert LOCK not in names and not [n for n in names if ".tmp" in n], names
    for name, columns in (("metrics.csv", 6), ("loss.csv", 2)):
        if (out / name).exists():
            text = (out / name).read_text()
            assert text.endswith("\n") or not text
            assert all(len(row) == columns for row in csv.reader(text.splitlines())), text
    if iteration is not None:
        state = load_checkpoint(out / "checkpoint.npz").state
        assert state["trainer"]["iteration"] == iteration
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def expected_line(path: Path, code: str, kept: Path, iteration: int, flags: str = "") -> str:
    """flags: what the resume command gives besides --resume (a resumed run's new target)."""
    number = getattr(errno, code)
    fix = {
        "ENOSPC": "free some space on that disk, then resume with: ",
        "EDQUOT": "free some of your disk quota, then resume with: ",
        "EFBIG": "raise the file-size limit (ulimit -f), then resume with: ",
    }.get(code)
    resume = f"xpnet train --resume {kept}{flags}"
    how = (
        fix + resume
        if fix
        else f"resume in a folder you can write with: {resume} --out ANOTHER_FOLDER"
    )
    return (
        f"xpnet train: error: could not write {path}: [Errno {number}] {os.strerror(number)};"
        f" {kept} is kept, at iteration {iteration}: {how}\n"
    )


@pytest.mark.parametrize("code", ERRNOS)
def test_a_failed_checkpoint_write_names_the_file_the_kept_checkpoint_and_the_resume(
    tmp_path, capsys, monkeypatch, code
):
    seen = fail_writes(monkeypatch, "checkpoint.npz", code, after=1)  # the 2nd save fails
    assert main(train(tmp_path)) == 2
    err = capsys.readouterr().err
    checkpoint = tmp_path / "checkpoint.npz"
    assert err == expected_line(checkpoint, code, checkpoint, 1)
    assert len(seen) == 2
    assert_stopped_cleanly(tmp_path, 1)


@pytest.mark.parametrize("code", ERRNOS)
@pytest.mark.parametrize("name", ["metrics.csv", "loss.csv"])
def test_a_failed_csv_append_keeps_the_checkpoint_just_saved(
    tmp_path, capsys, monkeypatch, code, name
):
    fail_writes(monkeypatch, name, code, after=2)  # the start, the 1st append; the 2nd fails
    assert main(train(tmp_path)) == 2
    err = capsys.readouterr().err
    checkpoint = tmp_path / "checkpoint.npz"
    assert err == expected_line(tmp_path / name, code, checkpoint, 41)
    assert_stopped_cleanly(tmp_path, 41)


@pytest.mark.parametrize("code", ["ENOSPC", "EACCES"])
def test_a_failed_config_write_of_a_new_run_says_there_is_nothing_to_resume(
    tmp_path, capsys, monkeypatch, code
):
    fail_writes(monkeypatch, "config.json", code)
    assert main(train(tmp_path / "run")) == 2
    number = getattr(errno, code)
    again = (
        "free some space on that disk, then start the run again"
        if code == "ENOSPC"
        else "start the run again with another --out"
    )
    assert capsys.readouterr().err == (
        f"xpnet train: error: could not write {tmp_path / 'run' / 'config.json'}: [Errno {number}]"
        f" {os.strerror(number)}; no checkpoint was saved yet, so there is nothing to resume"
        f" from: {again}\n"
    )
    assert not (tmp_path / "run").exists()  # a run that wrote nothing leaves no folder


def test_a_failed_write_at_the_start_of_a_resumed_run_keeps_the_resumed_checkpoint(
    tmp_path, capsys, monkeypatch
):
    assert main(train(tmp_path, "--iters", "41")) == 0
    capsys.readouterr()
    fail_writes(monkeypatch, "loss.csv", "EDQUOT")  # the restart of the CSVs
    assert main(["train", *SAMPLE, "--resume", str(tmp_path), "--iters", "100"]) == 2
    checkpoint = tmp_path / "checkpoint.npz"
    assert capsys.readouterr().err == expected_line(
        tmp_path / "loss.csv", "EDQUOT", checkpoint, 41, " --iters 100"
    )
    assert_stopped_cleanly(tmp_path, 41)


@pytest.mark.parametrize("name", ["accuracy.png", "loss.png"])
def test_a_failed_plot_says_the_run_is_complete(tmp_path, capsys, monkeypatch, name):
    pytest.importorskip("matplotlib")
    fail_writes(monkeypatch, name, "ENOSPC")
    assert main(train(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err == (
        f"xpnet train: error: could not write {tmp_path / name}: [Errno 28] No space left on"
        f" device; the run itself is complete: {tmp_path / 'checkpoint.npz'} holds its 100"
        " iterations\n"
    )
    assert not (tmp_path / name).exists()
    assert_stopped_cleanly(tmp_path, 100)


def test_the_resume_command_of_the_message_resumes(tmp_path, capsys, monkeypatch):
    fail_writes(monkeypatch, "checkpoint.npz", "ENOSPC", after=2)  # the 3rd save fails
    assert main(train(tmp_path)) == 2
    command = capsys.readouterr().err.split("resume with: ")[1].split()
    monkeypatch.undo()  # space was freed
    assert command[:3] == ["xpnet", "train", "--resume"]
    assert main([*command[1:], *SAMPLE]) == 0
    assert load_checkpoint(tmp_path / "checkpoint.npz").state["trainer"]["iteration"] == 100
    loss = np.loadtxt(tmp_path / "loss.csv", delimiter=",", skiprows=1)
    assert loss[:, 0].tolist() == list(range(1, 101))  # every step once, in order


def test_the_resume_command_of_a_resumed_run_carries_its_new_target_and_lr(
    tmp_path, capsys, monkeypatch
):
    """The kept checkpoint is the resumed one, which holds the old total (41) and lr: the
    command gives the new ones, and run verbatim it trains to the new total."""
    assert main(train(tmp_path, "--iters", "41")) == 0
    capsys.readouterr()
    fail_writes(monkeypatch, "checkpoint.npz", "EFBIG")  # the resumed run's first save fails
    resume = ["--resume", str(tmp_path), "--iters", "100", "--lr", "0.05"]
    assert main(["train", *SAMPLE, *resume]) == 2
    command = capsys.readouterr().err.split("resume with: ")[1].split()
    assert command == [
        *("xpnet", "train", "--resume", str(tmp_path / "checkpoint.npz")),
        *("--iters", "100", "--lr", "0.05"),
    ]
    monkeypatch.undo()  # the limit was raised
    assert main([*command[1:], *SAMPLE]) == 0
    saved = load_checkpoint(tmp_path / "checkpoint.npz").state
    assert saved["trainer"]["iteration"] == 100 and saved["trainer"]["learning_rate"] == 0.05


def test_the_resume_command_names_the_out_of_a_run_resumed_into_another_folder(
    tmp_path, capsys, monkeypatch
):
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(train(first, "--iters", "41")) == 0
    capsys.readouterr()
    fail_writes(monkeypatch, "config.json", "ENOSPC")
    resume = ["--resume", str(first), "--out", str(second), "--iters", "100"]
    assert main(["train", *SAMPLE, *resume]) == 2
    assert capsys.readouterr().err.endswith(
        f"resume with: xpnet train --resume {first / 'checkpoint.npz'} --iters 100 --out {second}\n"
    )


def test_the_run_folder_that_cannot_be_created_is_named(tmp_path, capsys, monkeypatch):
    """EACCES on the lock file (injected: this machine runs the tests as root)."""
    import xpnet.cli.runfolder as runfolder

    def denied(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(runfolder, "open", denied, raising=False)
    assert main(train(tmp_path / "run")) == 2
    assert capsys.readouterr().err == (
        f"xpnet train: error: could not write {tmp_path / 'run' / LOCK}: [Errno 13] Permission"
        " denied; no checkpoint was saved yet, so there is nothing to resume from: start the"
        " run again with another --out\n"
    )


@pytest.mark.parametrize("code", ["EROFS", "EACCES"])
def test_a_resumed_run_whose_lock_cannot_be_written_keeps_the_resumed_checkpoint(
    tmp_path, capsys, monkeypatch, code
):
    """The folder became read-only (or not the user's) since the run: the lock is the first
    write, and the resumed checkpoint is kept; the message says how to resume elsewhere."""
    import xpnet.cli.runfolder as runfolder

    assert main(train(tmp_path, "--iters", "41")) == 0
    capsys.readouterr()
    number = getattr(errno, code)

    def refused(path, *args, **kwargs):
        raise OSError(number, os.strerror(number), str(path))

    monkeypatch.setattr(runfolder, "open", refused, raising=False)
    assert main(["train", *SAMPLE, "--resume", str(tmp_path), "--iters", "100"]) == 2
    checkpoint = tmp_path / "checkpoint.npz"
    assert capsys.readouterr().err == expected_line(
        tmp_path / LOCK, code, checkpoint, 41, " --iters 100"
    )
    assert load_checkpoint(checkpoint).state["trainer"]["iteration"] == 41


# -- rows whole or absent -------------------------------------------------------------------------


def test_a_short_write_leaves_no_torn_row(tmp_path, capsys, monkeypatch):
    """The kernel writes part of the rows, then the file-size limit stops the rest: the part
    written is taken back, so loss.csv ends with the last whole row."""
    real_write, calls = os.write, []

    def short(fd, data):
        if os.path.basename(_path_of(fd)) == "loss.csv":
            calls.append(len(data))
            if len(calls) == 2:  # the 2nd append (rows 2..41): 12 bytes go, then the limit
                return real_write(fd, bytes(data)[:12])
            if len(calls) > 2:
                raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", short)
    assert main(train(tmp_path)) == 2
    assert capsys.readouterr().err.startswith(
        f"xpnet train: error: could not write {tmp_path / 'loss.csv'}: [Errno 27] File too large;"
    )
    rows = (tmp_path / "loss.csv").read_text().splitlines()
    assert len(rows) == 2 and rows[-1].startswith("1,")  # the header, row 1; rows 2..41 absent
    assert_stopped_cleanly(tmp_path, 41)


def test_a_file_size_limit_in_a_real_process_leaves_whole_rows(tmp_path):
    """RLIMIT_FSIZE in a child: its write() is cut short at the limit, then fails (EFBIG)."""
    path = tmp_path / "loss.csv"
    path.write_bytes(b"iteration,loss\n715,2.30\n")
    limit = path.stat().st_size + 5  # room for "716,2" and no more
    child = subprocess.run(
        [sys.executable, "-c", (
            "import resource, sys; from pathlib import Path\n"
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
            "from xpnet.cli.runrecord import append_rows\n"
            "try:\n"
            f"    append_rows(Path({str(path)!r}), b'716,2.25\\n717,2.20\\n')\n"
            "except OSError as error:\n"
            "    sys.exit(error.errno)\n"
        )],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert child.returncode == errno.EFBIG, child.stderr
    assert path.read_bytes() == b"iteration,loss\n715,2.30\n"  # no "716,2"


# -- permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_run_files_honour_the_umask(tmp_path, capsys, umask, mode):
    pytest.importorskip("matplotlib")
    previous = os.umask(umask)
    try:
        assert main(train(tmp_path, "--iters", "2")) == 0
    finally:
        os.umask(previous)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes == {
        name: mode
        for name in (
            "config.json",
            "metrics.csv",
            "loss.csv",
            "checkpoint.npz",
            "accuracy.png",
            "loss.png",
        )
    }


# -- what killed writes leave ---------------------------------------------------------------------


def test_temporary_files_of_killed_writes_are_removed_when_the_next_run_starts(tmp_path, capsys):
    assert main(train(tmp_path, "--iters", "2", "--no-plot")) == 0
    capsys.readouterr()
    stale = [
        ".checkpoint.npz.k2j4x8aa.tmp",
        ".config.json.q1w2e3r4.tmp",
        ".loss.png.abcdefgh.tmp.png",
    ]
    kept = [".notes.tmp", "mine.tmp", ".checkpoint.npz.backup"]  # not xpnet's: never touched
    for name in stale + kept:
        (tmp_path / name).write_bytes(b"half a file")
    assert main(["train", *SAMPLE, "--resume", str(tmp_path), "--iters", "4", "--no-plot"]) == 0
    out = capsys.readouterr().out
    assert "notice: removed temporary files of writes that were cut short: " in out
    names = {p.name for p in tmp_path.iterdir()}
    assert not names & set(stale) and set(kept) <= names


# -- SIGHUP ---------------------------------------------------------------------------------------


def start_long_run(out: Path, **streams) -> subprocess.Popen:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.Popen(
        [sys.executable, "-m", "xpnet", *train(out), "--iters", "1000000", "--no-plot"],
        env=env,
        **streams,
    )


def wait_for_checkpoint(out: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not (out / "checkpoint.npz").exists():
        assert process.poll() is None and time.monotonic() < deadline, "the run did not start"
        time.sleep(0.2)


@pytest.mark.slow
def test_sighup_saves_as_sigterm_does_and_releases_the_lock(tmp_path):
    process = start_long_run(tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_checkpoint(tmp_path, process)
    process.send_signal(signal.SIGHUP)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 143, err
    iteration = load_checkpoint(tmp_path / "checkpoint.npz").state["trainer"]["iteration"]
    assert err.splitlines() == [
        f"stopped by SIGHUP at iteration {iteration}; resume with:",
        f"  xpnet train --resume {tmp_path / 'checkpoint.npz'}",
    ]
    assert_stopped_cleanly(tmp_path, iteration)


@pytest.mark.slow
def test_sighup_after_the_terminal_closed_still_saves(tmp_path):
    """stdout and stderr are a terminal that is gone (writes to it fail with EIO)."""
    terminal, child_side = pty.openpty()
    process = start_long_run(tmp_path, stdout=child_side, stderr=child_side)
    os.close(child_side)
    wait_for_checkpoint(tmp_path, process)
    os.close(terminal)  # the terminal window is closed ...
    process.send_signal(signal.SIGHUP)  # ... and its shell's SIGHUP arrives
    assert process.wait(timeout=120) == 143
    iteration = load_checkpoint(tmp_path / "checkpoint.npz").state["trainer"]["iteration"]
    assert iteration > 1
    assert_stopped_cleanly(tmp_path, iteration)
