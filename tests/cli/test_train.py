"""Issue 12: a training run you can trust and read — one test (or more) per point of the issue.

The CLI's points run `xpnet train` as the user does: in a subprocess where the point is about the
process (a signal, a lock, a crash), through ``main`` otherwise, on the session's backend
(``cli_flags``). Oracles: the final model's accuracy recomputed from the saved weights by NumPy,
the checkpoint's own loss history, a never-stopped run.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import TRAINING
from flags import cli_flags

import xpnet
from xpnet.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from xpnet.cli import build_parser, main
from xpnet.settings import SettingsConflict, merge

pytestmark = pytest.mark.skip_lazy(reason=TRAINING)

FAST = ["--dataset", "sample", "--hidden-size", "10", "--no-progress", "--no-plot"]
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="signals to a child need POSIX")
ONCE = pytest.mark.skipif(  # a process's signals and files: the same on every backend
    os.environ.get("XPNET_BACKEND", "numpy") not in ("numpy", ""),
    reason="runs the default backend's process: once, in the numpy session",
)


def train(*args: str) -> int:
    return main(["train", *args])


def start(*args: str) -> subprocess.Popen:
    """`python -m xpnet train` in a subprocess, one BLAS thread (tests share the CPU)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    command = [sys.executable, "-m", "xpnet", "train", *FAST, "--dtype", "float64", *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def wait_for_rows(path: Path, rows: int, process: subprocess.Popen, timeout=120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"xpnet train ended early: {process.communicate()}")
        if path.exists() and len(path.read_text().splitlines()) > rows:  # + the header
            return
        time.sleep(0.02)
    process.kill()
    pytest.fail(f"{path} did not reach {rows} rows in {timeout} s")


def rows(path: Path) -> list[dict]:
    with path.open() as file:
        return list(csv.DictReader(file))


# -- 1. the result printed is the final model's ---------------------------------------------------


def test_the_printed_result_and_the_last_row_are_the_final_models(
    backend, tmp_path, capsys, monkeypatch
):
    """--epochs 3 on the sample (40 steps an epoch): the book's evaluations after steps 1, 41,
    81, then the final model after 120, whose accuracy NumPy recomputes from the saved weights."""
    import xpnet.plot

    plotted = []
    monkeypatch.setattr(xpnet.plot, "have_matplotlib", lambda: True)
    monkeypatch.setattr(xpnet.plot, "plot_accuracy", lambda h, p, **k: plotted.append((h, k)))
    monkeypatch.setattr(xpnet.plot, "plot_loss", lambda h, p, **k: plotted.append((h, k)))
    flags = [f for f in FAST if f != "--no-plot"]
    assert train(*cli_flags(backend), *flags, "--epochs", "3", "--out", str(tmp_path)) == 0
    out = capsys.readouterr().out
    metrics = rows(tmp_path / "metrics.csv")
    assert [int(r["iteration"]) for r in metrics] == [1, 41, 81, 120]
    saved = load_checkpoint(tmp_path / "checkpoint.npz")
    assert saved.state["trainer"]["iteration"] == 120
    net = xpnet.TwoLayerNet(784, 10, 10, dtype="float32")
    for name, value in saved.params.items():
        net.params[name] = value
    (_, _), (x_test, t_test) = xpnet.load_mnist_sample()
    accuracy = net.accuracy(x_test.astype(np.float32), t_test)
    assert float(metrics[-1]["test_acc"]) == pytest.approx(accuracy, abs=1e-12)
    assert f"the final model's test acc {accuracy:.4f}" in out.splitlines()[-1]
    history, options = plotted[0]
    assert history.epochs[-1].iteration == 120 and options["iters_per_epoch"] == 40
    title = options["title"]
    for part in ("lr 0.1", "batch size 100", "120 steps", "backprop"):
        assert part in title


def test_no_extra_evaluation_when_the_last_step_was_evaluated(sample_data):
    net = xpnet.TwoLayerNet(784, 10, 10, seed=0)
    history = xpnet.train(net, *sample_data, iters_num=81, seed=0, progress=False)
    assert [r.iteration for r in history.epochs] == [1, 41, 81]


@pytest.fixture(scope="module")
def sample_data():
    return xpnet.load_mnist_sample()


# -- 2. a run owns its folder ---------------------------------------------------------------------


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


def test_ctrl_c_after_keep_going_made_the_weights_non_finite_resumes_the_finite_state(
    tmp_path, capsys, monkeypatch
):
    from test_reliability import pressing_ctrl_c_in_step

    monkeypatch.setattr(xpnet.TwoLayerNet, "_loss_and_gradient", pressing_ctrl_c_in_step(60, 1, []))
    flags = ["--device", "cpu", "--lr", "1e10", "--keep-going", "--iters", "100"]
    quick = ["--dataset", "sample", "--no-progress", "--no-plot"]
    assert train(*quick, *flags, "--out", str(tmp_path)) == 130
    err = capsys.readouterr().err.splitlines()
    assert err[-2] == (
        f"interrupted at iteration 60 with non-finite parameters (saved in"
        f" {tmp_path / 'diverged.npz'}); checkpoint.npz keeps the last finite state; resume with:"
    )
    assert err[-1] == f"  xpnet train --resume {tmp_path / 'checkpoint.npz'}"
    kept = load_checkpoint(tmp_path / "checkpoint.npz")
    assert all(np.isfinite(np.asarray(p)).all() for p in kept.params.values())
    assert '"iteration": 60' in str(np.load(tmp_path / "diverged.npz")["meta"])


# -- 3. one resume rule ---------------------------------------------------------------------------


def test_the_merge_rule():
    assert merge({})["hidden_size"] == 50 and merge({"lr": 0.5})["lr"] == 0.5
    saved = {**merge({"hidden_size": 20}).record(40)}
    resumed = merge({"lr": 0.05, "hidden_size": 20, "dataset": "auto"}, saved)
    assert resumed["hidden_size"] == 20 and resumed["lr"] == 0.05
    assert resumed.changes == ["--lr: 0.1 in the checkpoint, 0.05 now"]
    assert resumed.target(40) == 10_000  # the run's own target
    assert merge({"epochs": 3}, saved).target(40) == 120
    with pytest.raises(SettingsConflict) as raised:
        merge({"hidden_size": 100, "activation": "sigmoid", "dtype": "float64"}, saved)
    for part in (
        "--hidden-size 100 (the checkpoint's hidden_size is 20)",
        "--activation sigmoid (the checkpoint's activation is relu)",
        "--dtype float64 (the checkpoint's dtype is float32)",
    ):
        assert part in str(raised.value)


def test_resume_refuses_contradicting_flags_naming_both_values(tmp_path):
    assert train(*FAST, "--device", "cpu", "--iters", "45", "--out", str(tmp_path)) == 0
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "xpnet",
            "train",
            "--resume",
            str(tmp_path),
            "--hidden-size",
            "100",
            "--activation",
            "sigmoid",
            "--dtype",
            "float64",
            "--batch-size",
            "50",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    for part in (
        "--hidden-size 100 (the checkpoint's hidden_size is 10)",
        "--activation sigmoid (the checkpoint's activation is relu)",
        "--dtype float64 (the checkpoint's dtype is float32)",
        "--batch-size 50 (the checkpoint's batch_size is 100)",
    ):
        assert part in result.stderr


def test_resume_epochs_set_the_target_and_a_new_lr_is_said(backend, tmp_path, capsys):
    common = [*cli_flags(backend), *FAST]
    assert train(*common, "--iters", "45", "--out", str(tmp_path)) == 0
    capsys.readouterr()
    assert train(*common, "--resume", str(tmp_path), "--epochs", "3", "--lr", "0.05") == 0
    out = capsys.readouterr().out
    assert "at iteration 45; --lr: 0.1 in the checkpoint, 0.05 now" in out
    saved = load_checkpoint(tmp_path / "checkpoint.npz")
    assert saved.state["trainer"]["iteration"] == 120
    assert saved.state["trainer"]["learning_rate"] == 0.05
    assert [int(r["iteration"]) for r in rows(tmp_path / "metrics.csv")] == [1, 41, 81, 120]
    assert len(rows(tmp_path / "loss.csv")) == 120


def test_resuming_a_finished_run_says_how_to_extend_it(tmp_path, capsys):
    assert train(*FAST, "--device", "cpu", "--iters", "45", "--out", str(tmp_path)) == 0
    capsys.readouterr()
    assert train(*FAST, "--device", "cpu", "--resume", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert f"the run in {tmp_path / 'checkpoint.npz'} is finished: 45 of 45 iterations" in out
    assert "give a new total: --iters 1045 or --epochs 3" in out
    assert train(*FAST, "--device", "cpu", "--resume", str(tmp_path), "--iters", "30") == 2
    assert "--iters 30 is below that" in capsys.readouterr().err


# -- 4. checkpoints and flags ---------------------------------------------------------------------


def test_a_checkpoint_with_nan_weights_is_refused_naming_the_parameter(tmp_path, capsys):
    net = xpnet.TwoLayerNet(784, 10, 10, seed=0)
    net.params["b2"][3] = np.inf
    path = save_checkpoint(tmp_path / "checkpoint.npz", net)
    with pytest.raises(CheckpointError, match=r"parameter b2 holds 1 NaN or infinite values"):
        load_checkpoint(path)
    assert train(*FAST, "--resume", str(path)) == 2
    assert "parameter b2 holds 1 NaN or infinite values" in capsys.readouterr().err


def test_resume_takes_a_run_folder_and_names_a_folder_without_one(tmp_path, capsys):
    assert train(*FAST, "--device", "cpu", "--iters", "5", "--out", str(tmp_path / "a")) == 0
    assert train(*FAST, "--device", "cpu", "--resume", str(tmp_path / "a"), "--iters", "9") == 0
    assert load_checkpoint(tmp_path / "a" / "checkpoint.npz").state["trainer"]["iteration"] == 9
    capsys.readouterr()
    assert train(*FAST, "--resume", str(tmp_path)) == 2
    assert f"--resume {tmp_path}: that is a folder without a checkpoint.npz" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--lr", "inf"], "argument --lr: expected a positive, finite number; got inf"),
        (["--lr", "nan"], "argument --lr: expected a positive, finite number; got nan"),
        (["--lr", "abc"], "argument --lr: expected a positive number; got 'abc'"),
        (["--seed", "-1"], "argument --seed: expected an integer from 0 up; got -1"),
        (["--iters", "1.5"], "argument --iters: expected a positive integer; got '1.5'"),
        (["--lrr", "3"], "unrecognized arguments: --lrr 3 (did you mean --lr?)"),
    ],
)
def test_bad_flags_name_the_flag_in_trains_usage(flags, message, capsys):
    with pytest.raises(SystemExit) as raised:
        build_parser().parse_args(["train", *flags])
    err = capsys.readouterr().err
    assert raised.value.code == 2
    assert err.startswith("usage: xpnet train ") and err.endswith(
        f"xpnet train: error: {message}\n"
    )
    assert "_positive" not in err and "invalid" not in err


# -- 5. SIGTERM -----------------------------------------------------------------------------------


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


@POSIX
def test_sigterm_before_training_exits_143_and_leaves_no_folder(tmp_path, monkeypatch, capsys):
    import xpnet.runs

    def terminated_while_loading(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises here, at once
        pytest.fail("SIGTERM did not stop the command")

    monkeypatch.setattr(xpnet.runs, "load_data", terminated_while_loading)
    before = signal.getsignal(signal.SIGTERM)
    assert train(*FAST, "--device", "cpu", "--out", str(tmp_path / "run")) == 143
    assert capsys.readouterr().err == "xpnet train: stopped by SIGTERM\n"
    assert not (tmp_path / "run").exists()  # nothing written: the folder is gone, lock and all
    assert signal.getsignal(signal.SIGTERM) is before


# -- 6. loss.csv is appended ----------------------------------------------------------------------


def test_the_csvs_are_appended_not_rewritten(tmp_path, monkeypatch):
    """Each file is written whole once (at the start), then only appended to."""
    import xpnet.runfolder

    whole, real = [], xpnet.runfolder.atomic_write
    monkeypatch.setattr(
        xpnet.runfolder,
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


# -- 8. reading it --------------------------------------------------------------------------------


def test_help_names_every_default():
    commands = build_parser()._subparsers._group_actions[0].choices
    for name, command in commands.items():
        text = command.format_help()
        for action in command._actions:
            if action.option_strings and action.dest != "help":
                shown = command._get_formatter()._get_help_string(action)
                assert action.help and "default" in shown, (name, action.option_strings)
                assert action.option_strings[-1] in text
    assert "(default: 0.1)" in commands["train"].format_help()


def test_a_long_run_prints_a_few_dozen_lines_and_every_epoch_to_metrics(tmp_path, capsys):
    assert train(*FAST, "--device", "cpu", "--iters", "1000", "--out", str(tmp_path)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 + 14 + 1 + 1  # 4 lines; epochs 1, 2, 4, ..., 24, 25; final; done
    assert "every 2nd epoch shown (all in metrics.csv)" in lines[2]
    assert lines[3].split()[:2] == ["epoch", "iteration"]
    assert len(rows(tmp_path / "metrics.csv")) == 26  # 25 epochs and the final model


def test_python_train_shows_progress_in_a_terminal_and_can_be_silenced(sample_data, monkeypatch):
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for progress, shown in ((None, True), (False, False)):
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        net = xpnet.TwoLayerNet(784, 10, 10, seed=0)
        xpnet.train(net, *sample_data, iters_num=50, seed=0, progress=progress)
        assert ("it/s" in terminal.getvalue()) is shown


def test_gradcheck_says_checking_not_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", "http://127.0.0.1:1/")
    code = main(["gradcheck", "--device", "cpu", "--data-dir", str(tmp_path), "--hidden-size", "5"])
    err = capsys.readouterr().err
    assert code == 0 and "checking on the bundled 5,000-image sample" in err
    assert "training" not in err


def test_cupy_on_the_cpu_advises_numpy_not_the_cpu(capsys):
    assert main(["train", "--device", "cpu", "--backend", "cupy"]) == 2
    err = capsys.readouterr().err
    assert "--backend numpy" in err and "--device cpu" not in err


# -- 9. Python callers are told Python, the command line flags ------------------------------------


def test_python_gets_python_words_and_the_cli_flags(capsys):
    try:
        xpnet.TwoLayerNet(784, 50, 10, device="cuda")  # a CI machine: no CuPy, or no GPU
    except xpnet.backend.DeviceUnavailableError as error:
        python = str(error)
    else:
        pytest.skip("a GPU is usable here")
    assert 'device="cpu"' in python and "--device" not in python
    assert main(["train", "--device", "cuda", "--backend", "cupy"]) == 2
    err = capsys.readouterr().err
    assert "--device cpu" in err and 'device="' not in err
