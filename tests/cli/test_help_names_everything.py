"""`xpnet --help` names every backend (it named three of six), and `xpnet train --help` says what
each printed row holds, the "seconds" column included."""

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
    assert "the seconds since the previous row" in text
    assert "mean training loss of the steps since the previous row" in text
