"""Issue 19: a checkpoint of `xpnet train` keeps each setting once, and one written by the
version before (the layout that copied every setting into ``state.run``) still resumes.

The old layout is OLD_META below, literally: the meta that xpnet at commit ffda736 wrote for
``xpnet train --device cpu --dataset sample --hidden-size 5 --dtype float64 --iters 3``. Today's
code makes the same run (NumPy, float64, seed 0: deterministic), so the oracle is that run's own
checkpoint: resumed from either layout, it ends with the same parameters.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from xpnet.checkpoint import load_checkpoint
from xpnet.cli import main
from xpnet.cli.runstate import KEPT_BY

FLAGS = ["--device", "cpu", "--dataset", "sample", "--hidden-size", "5", "--dtype", "float64"]
QUIET = ["--no-plot", "--no-progress"]
OLD_META = """{"format": "xpnet-checkpoint/1", "net": {"input_size": 784, "hidden_size": 5,
"output_size": 10, "weight_init_std": 0.01, "activation": "relu", "dtype": "float64"},
"state": {"trainer": {"iteration": 3, "rng_state": {"bit_generator": "PCG64", "state":
{"state": 35399562948360463058890781895381311971, "inc": 87136372517582989555478159403783844777},
"has_uint32": 0, "uinteger": 0}, "batch_size": 100, "learning_rate": 0.1, "grad": "backprop",
"seed": 0, "on_divergence": "stop", "train_size": 4000}, "run": {"dataset": "sample", "dtype":
"float64", "activation": "relu", "hidden_size": 5, "weight_init_std": 0.01, "lr": 0.1,
"batch_size": 100, "seed": 0, "grad": "backprop", "keep_going": false, "iters": 3}}}"""


@pytest.fixture
def today(tmp_path, capsys):
    """The run of OLD_META, made by today's code: its folder."""
    assert main(["train", *FLAGS, *QUIET, "--iters", "3", "--out", str(tmp_path / "new")]) == 0
    capsys.readouterr()
    return tmp_path / "new"


def meta(path) -> dict:
    with np.load(path) as npz:
        return json.loads(str(npz["meta"]))


def with_meta(source, target, new_meta: dict) -> None:
    """Copy the checkpoint source to target, its meta replaced."""
    with np.load(source) as npz:
        contents = {name: npz[name] for name in npz.files}
    contents["meta"] = np.array(json.dumps(new_meta))
    target.parent.mkdir(parents=True, exist_ok=True)
    np.savez(target, **contents)


def test_a_checkpoint_keeps_each_setting_once(today):
    written = meta(today / "checkpoint.npz")
    old = json.loads(OLD_META)
    assert written["net"] == old["net"]
    assert written["state"]["trainer"] == old["state"]["trainer"]  # the trainer's part: as it was
    assert written["state"]["run"] == {"dataset": "sample", "iters": 3}  # only what is its own
    assert set(written["state"]["run"]) == set(KEPT_BY["run"])
    names = [*written["net"], *written["state"]["trainer"], *written["state"]["run"]]
    assert len(names) == len(set(names))  # no name in two parts
    assert "lr" not in json.dumps(written)  # learning_rate, the trainer's; once


def test_a_checkpoint_of_the_old_layout_resumes_to_the_same_result(today, tmp_path, capsys):
    old = tmp_path / "old" / "checkpoint.npz"
    with_meta(today / "checkpoint.npz", old, json.loads(OLD_META))
    for folder in (tmp_path / "old", today):
        assert (
            main(["train", "--device", "cpu", *QUIET, "--resume", str(folder), "--iters", "6"]) == 0
        )
        assert "resuming from" in capsys.readouterr().out
    resumed, again = load_checkpoint(old), load_checkpoint(today / "checkpoint.npz")
    for name, value in again.params.items():
        np.testing.assert_array_equal(resumed.params[name], value)
    assert resumed.state["run"] == {"dataset": "sample", "iters": 6}  # written anew, once
    assert resumed.state["trainer"]["iteration"] == 6


def test_an_old_layout_flag_conflict_names_the_checkpoints_value(today, tmp_path, capsys):
    old = tmp_path / "old" / "checkpoint.npz"
    with_meta(today / "checkpoint.npz", old, json.loads(OLD_META))
    resume = ["train", "--device", "cpu", *QUIET, "--resume", str(old), "--iters", "6"]
    assert main([*resume, "--hidden-size", "7", "--batch-size", "50"]) == 2
    err = capsys.readouterr().err
    assert "--hidden-size 7 (the checkpoint's hidden_size is 5)" in err
    assert "--batch-size 50 (the checkpoint's batch_size is 100)" in err


BAD = [
    ("trainer", "learning_rate", "0.1", "expected a positive, finite number"),
    ("trainer", "learning_rate", -1.0, "expected a positive, finite number"),
    ("trainer", "batch_size", 0, "expected a positive integer"),
    ("trainer", "batch_size", True, "expected a positive integer"),
    ("trainer", "seed", 1.5, "expected an integer from 0 up"),
    ("trainer", "grad", "adam", "expected one of ('backprop', 'numerical')"),
    ("trainer", "on_divergence", None, "expected one of ('stop', 'continue')"),
    ("trainer", "iteration", "3", "expected an integer from 0 up"),
    ("trainer", "train_size", [4000], "expected a positive integer"),
    ("trainer", "rng_state", {"bit_generator": "MT19937"}, "expected the state of NumPy's PCG64"),
    ("trainer", "rng_state", "x", "expected the state of NumPy's PCG64 generator"),
    ("run", "dataset", 7, "expected one of ('mnist', 'sample')"),
    ("run", "iters", "3", "expected a positive integer"),
]


@pytest.mark.parametrize(("part", "key", "value", "expected"), BAD)
def test_a_wrong_type_in_the_run_state_is_one_line_naming_file_key_value_and_kind(
    today, tmp_path, capsys, part, key, value, expected
):
    damaged = meta(today / "checkpoint.npz")
    damaged["state"][part][key] = value
    path = tmp_path / "damaged" / "checkpoint.npz"
    with_meta(today / "checkpoint.npz", path, damaged)
    assert main(["train", "--device", "cpu", *QUIET, "--resume", str(path), "--iters", "6"]) == 2
    err = capsys.readouterr().err
    part_name = {"trainer": "trainer state", "run": "run settings"}[part]
    assert err.startswith(
        f"xpnet train: error: {path} is damaged: its {part_name}'s {key} holds {value!r} "
        f"({type(value).__name__}); {expected}"
    )
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("part", "key"), [("run", "iters"), ("run", "dataset"), ("trainer", "seed")]
)
def test_a_missing_key_of_the_run_state_is_named(today, tmp_path, capsys, part, key):
    damaged = meta(today / "checkpoint.npz")
    del damaged["state"][part][key]
    path = tmp_path / "damaged" / "checkpoint.npz"
    with_meta(today / "checkpoint.npz", path, damaged)
    assert main(["train", "--device", "cpu", *QUIET, "--resume", str(path), "--iters", "6"]) == 2
    assert capsys.readouterr().err == (
        f"xpnet train: error: {path} is damaged: its run state lacks {key}\n"
    )
