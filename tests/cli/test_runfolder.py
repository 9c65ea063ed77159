"""A run's folder: one run's (a lock while it runs, a folder of another run refused), and the
files it leaves there: a failed or diverged run never replaces the last good checkpoint, the CSVs
are appended and stay readable when the process is killed.

Each test runs `xpnet train` as the user does (cli/commands.py): in a subprocess where the point
is about the process (a signal, a lock, a crash), through ``main`` otherwise.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys

import numpy as np
import pytest
from conftest import TRAINING
from flags import cli_flags

from xpnet.checkpoint import load_checkpoint
from xpnet.cli import main

from .commands import FAST, ONCE, POSIX, SAMPLE, rows, start, train, wait_for_rows

# -- a run owns its folder ------------------------------------------------------------------------


@pytest.mark.skip_lazy(reason=TRAINING)
def test_a_folder_holding_another_run_is_refused_unless_overwrite(backend, tmp_path, capsys):
    common = [*cli_flags(backend), *FAST, "--out", str(tmp_path)]
    assert train(*common, "--iters", "5") == 0
    before = (tmp_path / "checkpoint.npz").read_bytes()
    capsys.readouterr()
    assert train(*common, "--iters", "7") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"xpnet train: error: {tmp_path} already holds a run (config.json")
    assert f"continue it with --resume {tmp_path}" in err and "--overwrite" in err
    assert (tmp_path / "checkpoint.npz").read_bytes() == before
    assert train(*common, "--iters", "7", "--overwrite") == 0
    assert load_checkpoint(tmp_path / "checkpoint.npz").state["trainer"]["iteration"] == 7


def test_resume_takes_a_run_folder_and_names_a_folder_without_one(tmp_path, capsys):
    assert train(*FAST, "--device", "cpu", "--iters", "5", "--out", str(tmp_path / "a")) == 0
    assert train(*FAST, "--device", "cpu", "--resume", str(tmp_path / "a"), "--iters", "9") == 0
    assert load_checkpoint(tmp_path / "a" / "checkpoint.npz").state["trainer"]["iteration"] == 9
    capsys.readouterr()
    assert train(*FAST, "--resume", str(tmp_path)) == 2
    assert f"--resume {tmp_path}: that is a folder without a checkpoint.npz" in (
        capsys.readouterr().err
    )


@POSIX
def test_resume_of_a_folder_whose_first_run_is_running_says_it_is_in_use(tmp_path, capsys):
    """The run holds the lock and has saved no checkpoint yet: the lock is named, as for a
    second run into its --out, not "a folder without a checkpoint.npz". (The lock is held
    here, by another open file, as flock sees another process's.)"""
    import fcntl

    with open(tmp_path / ".xpnet-train.lock", "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write("4242")
        lock.flush()
        assert train(*FAST, "--resume", str(tmp_path)) == 2
        assert main(["evaluate", str(tmp_path)]) == 2
    in_use = f"{tmp_path} is in use by another xpnet train (process 4242); wait for it to end"
    assert capsys.readouterr().err == (
        f"xpnet train: error: --resume {tmp_path}: {in_use}, then resume it (it has saved none"
        " yet)\n"
        f"xpnet evaluate: error: CHECKPOINT {tmp_path}: {in_use}, or for its first checkpoint"
        " (it has saved none yet)\n"
    )
    assert train(*FAST, "--resume", str(tmp_path)) == 2  # released: no run holds it now
    assert "that is a folder without a checkpoint.npz" in capsys.readouterr().err


@pytest.mark.slow
@POSIX
@ONCE
def test_a_running_run_holds_its_folder_and_sigterm_saves_the_step_reached(tmp_path):
    """Points 2 and 5 with one real run: a second `xpnet train` into its folder gets one line;
    then SIGTERM, as a job scheduler sends it: the checkpoint at the step reached, exit 143."""
    process = start("--iters", "100000", "--out", str(tmp_path))
    wait_for_rows(tmp_path / "metrics.csv", 2, process)
    second = subprocess.run(
        [sys.executable, "-m", "xpnet", "train", *FAST, "--out", str(tmp_path), "--overwrite"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert second.returncode == 2
    assert second.stderr == (
        f"xpnet train: error: {tmp_path} is in use by another xpnet train (process "
        f"{process.pid}); wait for it to end, or choose another --out\n"
    )
    assert process.returncode == 143, err
    assert err.startswith("stopped by SIGTERM at iteration ")
    assert f"resume with:\n  xpnet train --resume {tmp_path / 'checkpoint.npz'}" in err
    saved = load_checkpoint(tmp_path / "checkpoint.npz")  # the first run's, whole
    done = saved.state["trainer"]["iteration"]
    assert f"at iteration {done};" in err and saved.state["run"]["iters"] == 100000
    assert saved.arrays["train_loss"].shape == (done,)
    assert len(rows(tmp_path / "loss.csv")) == done  # the step reached, not the last epoch's
    assert int(rows(tmp_path / "metrics.csv")[-1]["iteration"]) <= done
    assert not (tmp_path / ".xpnet-train.lock").exists()  # released


# -- a failed run never replaces a good file ------------------------------------------------------


@pytest.mark.skip_lazy(reason=TRAINING)
def test_a_diverged_resume_never_replaces_the_finite_checkpoint(backend, tmp_path, capsys):
    common = [*cli_flags(backend), *FAST]
    assert train(*common, "--iters", "45", "--out", str(tmp_path)) == 0
    good = load_checkpoint(tmp_path / "checkpoint.npz")
    code = train(*common, "--resume", str(tmp_path), "--lr", "1e10", "--iters", "200")
    err = capsys.readouterr().err
    assert code == 1
    assert f"the diverged one is in {tmp_path / 'diverged.npz'}" in err
    kept = load_checkpoint(tmp_path / "checkpoint.npz")  # loads: every parameter finite
    assert kept.state["trainer"]["iteration"] >= good.state["trainer"]["iteration"]
    diverged = np.load(tmp_path / "diverged.npz")  # np.load reads it; xpnet will not resume it
    assert not np.isfinite(diverged["arrays/train_loss"]).all()


def test_keep_going_writes_non_finite_states_to_their_own_file(tmp_path, capsys):
    flags = ["--device", "cpu", "--lr", "1e10", "--keep-going", "--iters", "100"]
    quick = ["--dataset", "sample", "--no-progress", "--no-plot"]  # 50 hidden units: NaN weights
    assert train(*quick, *flags, "--out", str(tmp_path)) == 0
    err = capsys.readouterr().err
    assert err.count("warning: the parameters are no longer finite at iteration") == 1
    assert load_checkpoint(tmp_path / "checkpoint.npz").state["trainer"]["iteration"] < 100
    diverged = np.load(tmp_path / "diverged.npz")
    assert '"iteration": 100' in str(diverged["meta"])


def files_of(folder) -> dict[str, bytes | None]:
    """Every file's bytes by name; a folder inside (diverged-run/) as None."""
    return {
        path.name: None if path.is_dir() else path.read_bytes() for path in sorted(folder.iterdir())
    }


@pytest.mark.parametrize(
    "fails",
    [["--batch-size", "100000"], ["--dataset", "mnist", "--data-dir", "NOWHERE"], "Ctrl-C"],
    ids=["bad-setting", "no-data", "ctrl-c-while-loading"],
)
def test_an_overwrite_that_fails_before_its_first_checkpoint_puts_the_old_run_back(
    tmp_path, capsys, monkeypatch, fails
):
    out = tmp_path / "run"
    assert train(*SAMPLE, "--iters", "5", "--out", str(out)) == 0
    before = files_of(out)
    if fails == "Ctrl-C":  # the user stops it while the data loads

        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr("xpnet.cli.train.load_data", interrupted)
        fails = []
    fails = [str(tmp_path / "empty") if flag == "NOWHERE" else flag for flag in fails]
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", "http://127.0.0.1:9/")  # refused at once
    capsys.readouterr()
    with contextlib.suppress(KeyboardInterrupt):
        assert train(*SAMPLE, "--iters", "7", "--out", str(out), "--overwrite", *fails) != 0
    assert files_of(out) == before  # every file as it was, and no .xpnet-replaced left
    assert f"the run that --overwrite was to replace is back in {out}" in capsys.readouterr().out


def test_an_overwrite_killed_before_its_first_checkpoint_is_put_back_by_the_next_run(
    tmp_path, capsys
):
    out = tmp_path / "run"
    assert train(*SAMPLE, "--iters", "5", "--out", str(out)) == 0
    before = files_of(out)
    aside = out / ".xpnet-replaced"  # as a killed --overwrite run leaves it: its own half-run
    aside.mkdir()
    for name in before:
        (out / name).rename(aside / name)
    (out / "config.json").write_text("{}")
    (out / "loss.csv").write_text("iteration,loss\n1,2.3\n")
    capsys.readouterr()
    assert train(*SAMPLE, "--iters", "7", "--out", str(out)) == 2  # no --overwrite: refused
    said = capsys.readouterr()
    assert "an --overwrite run was killed before its first checkpoint" in said.out
    assert f"{out} already holds a run" in said.err
    assert files_of(out) == before


def test_an_overwrite_that_saves_a_checkpoint_leaves_nothing_of_the_old_run(tmp_path):
    out = tmp_path / "run"
    assert train(*SAMPLE, "--iters", "5", "--out", str(out)) == 0
    assert train(*SAMPLE, "--iters", "3", "--out", str(out), "--overwrite") == 0
    assert sorted(files_of(out)) == ["checkpoint.npz", "config.json", "loss.csv", "metrics.csv"]
    assert load_checkpoint(out / "checkpoint.npz").state["trainer"]["iteration"] == 3


def test_an_overwrite_that_diverges_puts_the_old_run_back_and_keeps_its_own_apart(tmp_path, capsys):
    """--lr 1e10 diverges at iteration 4, after the checkpoint of iteration 1: the old run is
    put back all the same, and the diverged run's files go to diverged-run/ (then -2)."""
    out = tmp_path / "run"
    assert train(*SAMPLE, "--iters", "5", "--out", str(out)) == 0
    before = files_of(out)
    diverging = [*SAMPLE, "--iters", "100", "--lr", "1e10", "--out", str(out), "--overwrite"]
    for apart in (out / "diverged-run", out / "diverged-run-2"):
        capsys.readouterr()
        assert train(*diverging) == 1
        said = capsys.readouterr()
        assert {name: files_of(out)[name] for name in before} == before  # the old run, whole
        assert sorted(files_of(apart)) == [
            "checkpoint.npz",
            "config.json",
            "diverged.npz",
            "loss.csv",
            "metrics.csv",
        ]
        assert (
            f"{apart / 'checkpoint.npz'} keeps the last finite state, the diverged one is in"
            f" {apart / 'diverged.npz'}\n"
        ) in said.err
        assert said.out.endswith(
            f"the run that --overwrite was to replace is back in {out}; this run's files are"
            f" in {apart}\n"
        )
        assert load_checkpoint(apart / "checkpoint.npz").state["trainer"]["iteration"] == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*before, "diverged-run", "diverged-run-2"]
    )


def test_an_overwrite_killed_after_its_first_checkpoint_stands(tmp_path, capsys):
    """A killed --overwrite run that saved a checkpoint can be resumed: the next run that
    takes the folder removes the old run's files, and does not put them back."""
    out, new = tmp_path / "run", tmp_path / "new"
    assert train(*SAMPLE, "--iters", "5", "--out", str(out)) == 0
    assert train(*SAMPLE, "--iters", "3", "--out", str(new)) == 0
    killed = files_of(new)  # as the killed run left them, beside the old run's set aside
    old = files_of(out)
    aside = out / ".xpnet-replaced"
    aside.mkdir()
    for name in old:
        (out / name).rename(aside / name)
    for name in killed:
        (new / name).rename(out / name)
    capsys.readouterr()
    assert train(*SAMPLE, "--iters", "7", "--out", str(out)) == 2  # no --overwrite: refused
    assert f"{out} already holds a run" in capsys.readouterr().err
    assert files_of(out) == killed  # and no .xpnet-replaced left


@pytest.mark.parametrize("inside", [False, True], ids=["a-file", "below-a-file"])
def test_out_that_is_a_file_is_refused_in_one_line_and_left_alone(tmp_path, capsys, inside):
    file = tmp_path / "notes.txt"
    file.write_text("mine")
    out = file / "run" if inside else file
    assert train(*SAMPLE, "--iters", "3", "--out", str(out)) == 2
    where = f"--out {out}: {file}" if inside else f"--out {file}"
    assert capsys.readouterr().err == (
        f"xpnet train: error: {where} is a file, not a folder: give a folder for the run (it is"
        " created), e.g. --out runs/a\n"
    )
    assert file.read_text() == "mine"


def test_cli_full_disk_is_one_line_and_keeps_the_last_checkpoint(tmp_path, capsys, monkeypatch):
    real_savez, calls = np.savez, []

    def fills_up(handle, **arrays):
        calls.append(1)
        if len(calls) > 1:  # the first epoch's checkpoint is written, the second is not
            raise OSError(28, "No space left on device")
        real_savez(handle, **arrays)

    monkeypatch.setattr(np, "savez", fills_up)
    code = main(["train", *SAMPLE, "--iters", "100", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    checkpoint = tmp_path / "checkpoint.npz"  # issue 22: the file, what is kept, the resume
    assert err == (
        f"xpnet train: error: could not write {checkpoint}: [Errno 28] No space left on device;"
        f" {checkpoint} is kept, at iteration 1: free some space on that disk, then resume with:"
        f" xpnet train --resume {checkpoint}\n"
    )
    assert load_checkpoint(tmp_path / "checkpoint.npz").state["trainer"]["iteration"] == 1
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# -- loss.csv and metrics.csv --------------------------------------------------------------------


def test_the_csvs_are_appended_not_rewritten(tmp_path, monkeypatch):
    """Each file is written whole once (at the start), then only appended to."""
    import xpnet.cli.runfolder

    whole, real = [], xpnet.cli.runfolder.atomic_write
    monkeypatch.setattr(
        xpnet.cli.runfolder,
        "atomic_write",
        lambda path, write: (whole.append(path.name), real(path, write)),
    )
    assert train(*FAST, "--device", "cpu", "--iters", "400", "--out", str(tmp_path)) == 0
    assert whole.count("loss.csv") == 1 and whole.count("metrics.csv") == 1
    assert [int(r["iteration"]) for r in rows(tmp_path / "loss.csv")] == list(range(1, 401))


@POSIX
@ONCE
def test_a_killed_run_leaves_readable_csvs(tmp_path):
    process = start("--iters", "100000", "--out", str(tmp_path))
    wait_for_rows(tmp_path / "metrics.csv", 3, process)
    process.kill()  # SIGKILL: no handler runs
    process.communicate(timeout=60)
    losses = rows(tmp_path / "loss.csv")
    assert [int(r["iteration"]) for r in losses] == list(range(1, len(losses) + 1))
    assert all(np.isfinite(float(r["loss"])) for r in losses)
    metrics = rows(tmp_path / "metrics.csv")
    assert len(metrics) >= 3 and all(len(r) == 6 and None not in r.values() for r in metrics)
