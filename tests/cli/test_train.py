"""`xpnet train`: one run as one object, end to end as the user runs it -- what it prints, its
resume, its divergence, warnings and interruptions -- in a subprocess where the point is about the
process (a signal), through ``main`` otherwise, on the session's backend (``cli_flags``).

Oracles: the final model's accuracy recomputed from the saved weights by NumPy, the checkpoint's
own loss history, a never-stopped run. The run's folder and files: test_runfolder.py; the resume
rule: test_settings.py.
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
from helpers import pressing_ctrl_c_in_step

import xpnet
from xpnet.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from xpnet.cli import main

from .commands import FAST, POSIX, SAMPLE, rows, train

pytestmark = pytest.mark.skip_lazy(reason=TRAINING)


# -- the result printed is the final model's ------------------------------------------------------


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


def test_a_long_run_prints_a_few_dozen_lines_and_every_epoch_to_metrics(tmp_path, capsys):
    assert train(*FAST, "--device", "cpu", "--iters", "1000", "--out", str(tmp_path)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 + 14 + 1 + 1  # 4 lines; epochs 1, 2, 4, ..., 24, 25; final; done
    assert "every 2nd epoch shown (all in metrics.csv)" in lines[2]
    assert lines[3].split()[:2] == ["epoch", "iteration"]
    assert len(rows(tmp_path / "metrics.csv")) == 26  # 25 epochs and the final model


def test_cli_names_a_batch_size_above_the_data_set(tmp_path, capsys):
    code = main(["train", *SAMPLE, "--batch-size", "5000", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "xpnet train: error: --batch-size must be an integer from 1 to the training set's size"
        " 4000; got 5000\n"
    )


# -- resuming ------------------------------------------------------------------------------------


def test_resuming_a_finished_run_says_how_to_extend_it(tmp_path, capsys):
    assert train(*FAST, "--device", "cpu", "--iters", "45", "--out", str(tmp_path)) == 0
    capsys.readouterr()
    assert train(*FAST, "--device", "cpu", "--resume", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert f"the run in {tmp_path / 'checkpoint.npz'} is finished: 45 of 45 iterations" in out
    assert "give a new total: --iters 1045 or --epochs 3" in out
    assert train(*FAST, "--device", "cpu", "--resume", str(tmp_path), "--iters", "30") == 2
    assert "--iters 30 is below that" in capsys.readouterr().err


def test_a_checkpoint_with_nan_weights_is_refused_naming_the_parameter(tmp_path, capsys):
    net = xpnet.TwoLayerNet(784, 10, 10, seed=0)
    net.params["b2"][3] = np.inf
    path = save_checkpoint(tmp_path / "checkpoint.npz", net)
    with pytest.raises(CheckpointError, match=r"parameter b2 holds 1 NaN or infinite values"):
        load_checkpoint(path)
    assert train(*FAST, "--resume", str(path)) == 2
    assert "parameter b2 holds 1 NaN or infinite values" in capsys.readouterr().err


# -- divergence and warnings ---------------------------------------------------------------------


def test_cli_reports_divergence_with_its_iteration(tmp_path, capsys):
    code = main(["train", *SAMPLE, "--lr", "1e10", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("xpnet train: error: training diverged: the loss became nan at iteration")
    iteration = int(err.split("at iteration ")[1].split()[0])
    assert iteration <= 4
    # the last finite state stays in checkpoint.npz; the diverged one has a file of its own
    assert load_checkpoint(tmp_path / "checkpoint.npz").state["trainer"]["iteration"] < iteration
    assert f"the diverged one is in {tmp_path / 'diverged.npz'}" in err
    with np.load(tmp_path / "diverged.npz") as diverged:
        assert not np.isfinite(diverged["params/W1"]).all()


def test_cli_prints_the_training_warning(tmp_path, capsys):
    code = main(["train", *SAMPLE, "--lr", "1000", "--iters", "41", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 0
    assert "warning: the training loss has stayed above 2*ln(10) = 4.61" in err
    assert "--lr 1000: it is probably too large; try --lr 0.1 (the book's)" in err  # CLI words


# -- interruption: Ctrl-C and SIGTERM ------------------------------------------------------------


def _xpnet(*args: str) -> subprocess.Popen:
    """`python -m xpnet train` on the sample, float64, one BLAS thread (two runs share the CPU)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return subprocess.Popen(
        [sys.executable, "-m", "xpnet", "train", *SAMPLE, "--dtype", "float64", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def _wait_for_rows(path: Path, rows: int, process: subprocess.Popen, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"xpnet train ended early: {_finish(process)}")
        if path.exists() and len(path.read_text().splitlines()) >= rows + 1:  # + header
            return
        time.sleep(0.01)
    process.kill()
    pytest.fail(f"{path} did not reach {rows} rows in {timeout} s")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX")
def test_ctrl_c_writes_a_checkpoint_and_resuming_equals_never_stopping(tmp_path):
    """End to end: SIGINT to `xpnet train`, exit 130 with the resume command, then --resume
    to N steps gives the losses and weights of one run of N steps (float64, to 1e-12)."""
    run, whole = tmp_path / "run", tmp_path / "whole"
    process = _xpnet("--iters", "3000", "--out", str(run))
    _wait_for_rows(run / "metrics.csv", 2, process)
    process.send_signal(signal.SIGINT)
    code, _, err = _finish(process)
    assert code == 130, err
    assert f"resume with:\n  xpnet train --resume {run / 'checkpoint.npz'}" in err
    assert "Traceback" not in err
    stopped = load_checkpoint(run / "checkpoint.npz")
    done = stopped.state["trainer"]["iteration"]
    assert 41 <= done < 3000  # stopped after the 2nd evaluation (40 steps an epoch)
    assert stopped.arrays["train_loss"].shape == (done,)
    with (run / "metrics.csv").open() as file:
        assert int(list(csv.DictReader(file))[-1]["iteration"]) <= done

    target = done + 50  # past at least one more evaluation
    resumed = _xpnet("--resume", str(run / "checkpoint.npz"), "--iters", str(target))
    reference = _xpnet("--iters", str(target), "--out", str(whole))
    (code_a, out_a, err_a), (code_b, _, err_b) = _finish(resumed), _finish(reference)
    assert (code_a, code_b) == (0, 0), err_a + err_b
    assert f"resuming from {run / 'checkpoint.npz'} at iteration {done}" in out_a
    a, b = load_checkpoint(run / "checkpoint.npz"), load_checkpoint(whole / "checkpoint.npz")
    assert a.state["trainer"]["iteration"] == b.state["trainer"]["iteration"] == target
    np.testing.assert_allclose(a.arrays["train_loss"], b.arrays["train_loss"], rtol=1e-12)
    np.testing.assert_allclose(a.arrays["epochs"][:, :5], b.arrays["epochs"][:, :5], rtol=1e-12)
    for name in b.params:
        np.testing.assert_allclose(a.params[name], b.params[name], rtol=1e-12, atol=1e-15)


def test_cli_second_ctrl_c_exits_130_and_keeps_the_last_checkpoint(
    tmp_path, capsys, monkeypatch, sigint_before
):
    """Two presses in one step: `xpnet train` exits 130 at once with one line, no traceback and
    no resume hint; the checkpoint of the last evaluation (iteration 1) stays whole."""
    monkeypatch.setattr(xpnet.TwoLayerNet, "_loss_and_gradient", pressing_ctrl_c_in_step(5, 2, []))
    code = main(["train", *SAMPLE, "--iters", "100", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 130
    assert err == "xpnet train: interrupted\n"
    assert load_checkpoint(tmp_path / "checkpoint.npz").state["trainer"]["iteration"] == 1
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_ctrl_c_after_keep_going_made_the_weights_non_finite_resumes_the_finite_state(
    tmp_path, capsys, monkeypatch
):
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


def test_ctrl_c_of_a_resumed_run_whose_state_is_non_finite_resumes_with_its_flags(
    tmp_path, capsys, monkeypatch
):
    """The last finite state is the checkpoint the run resumed from, which holds the old
    total, lr and --no-keep-going: the resume command gives this run's."""
    quick = ["--dataset", "sample", "--device", "cpu", "--no-progress", "--no-plot"]
    assert train(*quick, "--iters", "41", "--out", str(tmp_path)) == 0
    capsys.readouterr()
    monkeypatch.setattr(xpnet.TwoLayerNet, "_loss_and_gradient", pressing_ctrl_c_in_step(19, 1, []))
    flags = ["--lr", "1e10", "--keep-going", "--iters", "100"]
    assert train(*quick, "--resume", str(tmp_path), *flags) == 130
    err = capsys.readouterr().err.splitlines()
    assert err[-2].startswith("interrupted at iteration 60 with non-finite parameters")
    assert err[-1] == (
        f"  xpnet train --resume {tmp_path / 'checkpoint.npz'} --iters 100 --lr 1e+10 --keep-going"
    )
    assert load_checkpoint(tmp_path / "checkpoint.npz").state["trainer"]["iteration"] == 41


def test_weights_that_float32_cannot_hold_are_refused_naming_the_flags(tmp_path, capsys):
    """They were inf, and the run said it diverged and blamed --lr."""
    out = tmp_path / "run"
    assert train(*SAMPLE, "--weight-init-std", "1e300", "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert err.startswith("xpnet train: error: TwoLayerNet: --weight-init-std 1e+300 draws weights")
    assert err.endswith(
        ", which --dtype float32 cannot hold (its largest number is 3.4e+38, so they would be"
        " inf); give a smaller --weight-init-std (the book uses --weight-init-std 0.01)\n"
    )
    assert not out.exists()


@POSIX
def test_sigterm_before_training_exits_143_and_leaves_no_folder(tmp_path, monkeypatch, capsys):
    import xpnet.cli.train

    def terminated_while_loading(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises here, at once
        pytest.fail("SIGTERM did not stop the command")

    monkeypatch.setattr(xpnet.cli.train, "load_data", terminated_while_loading)
    before = signal.getsignal(signal.SIGTERM)
    assert train(*FAST, "--device", "cpu", "--out", str(tmp_path / "run")) == 143
    assert capsys.readouterr().err == "xpnet train: stopped by SIGTERM\n"
    assert not (tmp_path / "run").exists()  # nothing written: the folder is gone, lock and all
    assert signal.getsignal(signal.SIGTERM) is before
