"""`xpnet --help` names every backend (it named three of six), and `xpnet train --help` says what
each printed row holds, the "seconds" column included, and that its --backend dask only
evaluates."""

from __future__ import annotations

from xpnet.backends import BACKENDS
from xpnet.cli import build_parser


def test_the_top_help_names_every_backend():
    text = " ".join(build_parser().format_help().split())
    for name in BACKENDS:
        assert name in text


def test_train_help_explains_the_rows_columns():
    train = build_parser()._subparsers._group_actions[0].choices["train"]
    text = " ".join(train.format_help().split())
    assert "the seconds since the previous evaluation" in text
    assert "mean training loss of the steps since the previous evaluation (shown or not" in text
    assert "previous row" not in text  # with every Nth epoch shown, rows skip evaluations


def test_train_help_says_dask_only_evaluates():
    commands = build_parser()._subparsers._group_actions[0].choices
    for name, says_so in [("train", True), ("evaluate", False)]:
        backend = next(a for a in commands[name]._actions if "--backend" in a.option_strings)
        assert "dask" in backend.choices  # the choice stays: train refuses it with the reason
        says = "dask evaluates only: xpnet evaluate CHECKPOINT --backend dask" in backend.help
        assert says is says_so


def test_every_command_has_a_description_and_its_defaults_agree():
    commands = build_parser()._subparsers._group_actions[0].choices
    for name, command in commands.items():
        assert command.description, name
    for name in ("train", "check"):
        text = " ".join(commands[name].format_help().split())
        assert "may run when imported (default: 20)" in text, name


def test_evaluate_help_says_labels_go_with_data():
    evaluate = build_parser()._subparsers._group_actions[0].choices["evaluate"]
    text = " ".join(evaluate.format_help().split())
    assert "required with --data" in text and "(default: none)" not in text
