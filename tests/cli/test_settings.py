"""A training run's settings: defaults, then the checkpoint being resumed, then the command line;
one merge rule (DESIGN.md, decision 12), every conflict named, and a checkpoint that cannot be
resumed refused in one line."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import TRAINING
from flags import cli_flags
from helpers import _checkpoint

from xpnet.checkpoint import load_checkpoint
from xpnet.cli import main
from xpnet.cli.settings import SettingsConflict, merge

from .commands import FAST, SAMPLE, rows, train


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


@pytest.mark.skip_lazy(reason=TRAINING)
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


def test_resuming_a_checkpoint_without_a_run_is_one_line(tmp_path, capsys):
    path = _checkpoint(tmp_path)
    assert main(["train", "--device", "cpu", "--resume", str(path), "--no-progress"]) == 2
    assert capsys.readouterr().err == (
        f"xpnet train: error: {path} holds a network but no training run (it was not written"
        " by xpnet train), so it cannot be resumed; load its parameters with"
        " xpnet.checkpoint.load_params\n"
    )


def test_resuming_a_damaged_run_state_is_one_line(tmp_path, capsys):
    assert (
        main(["train", *SAMPLE, "--hidden-size", "5", "--iters", "3", "--out", str(tmp_path)]) == 0
    )
    with np.load(tmp_path / "checkpoint.npz") as npz:
        good = {name: npz[name] for name in npz.files}

    def resume_damaged(change) -> str:
        contents, meta = dict(good), json.loads(str(good["meta"]))
        change(contents, meta["state"])
        contents["meta"] = np.array(json.dumps(meta))
        np.savez(tmp_path / "damaged.npz", **contents)
        capsys.readouterr()
        resume = ["train", *SAMPLE, "--resume", str(tmp_path / "damaged.npz"), "--iters", "6"]
        assert main(resume) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"xpnet train: error: {tmp_path / 'damaged.npz'} is damaged: ")
        assert err.count("\n") == 1
        return err

    assert "its run state lacks rng_state" in resume_damaged(
        lambda contents, state: state["trainer"].pop("rng_state")
    )
    assert "its run state lacks epochs" in resume_damaged(
        lambda contents, state: contents.pop("arrays/epochs")
    )
    assert "iteration 3 with train_loss of shape (2,)" in resume_damaged(
        lambda contents, state: contents.update(
            {"arrays/train_loss": good["arrays/train_loss"][:2]}
        )
    )
