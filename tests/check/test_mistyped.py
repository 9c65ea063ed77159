"""A book method's name mistyped in the learner's class (forwad, numerical_gardient) is read as
the book's, with a note; a name of the book's, a private one, or two close names are left as
they are."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from xpnet.check.chapter5 import check_layers
from xpnet.check.learner import build, check_learner, load_learner
from xpnet.check.mistyped import read_mistyped
from xpnet.cli import main

from .learner_shapes import (
    CH04_NET,
    batch,
    book_repo,
    checked_without_network,
    oracle_passes,
    write,
)


@pytest.fixture(autouse=True)
def _own_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))


MUL_LAYER = """
class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forwad(self, x, y):
        self.x = x
        self.y = y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x
"""


def test_a_mistyped_forward_is_read_as_forward_and_the_layer_checked(tmp_path, capsys):
    path = write(tmp_path / "repo" / "ch05" / "layer_naive.py", MUL_LAYER)
    (tmp_path / "repo" / ".git").mkdir()
    report = checked_without_network(str(path), check_layers)
    assert report.passed and [r.name for r in report] == ["MulLayer"]
    wrong = write(path.parent / "wrong.py", MUL_LAYER.replace("dout * self.y, dout", "dout, dout"))
    assert not checked_without_network(str(wrong), check_layers).passed
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert (
        "note: MulLayer.forwad (line 6) is read as forward, the book's name: rename it, or the"
        " book's code will not find it"
    ) in out


def test_a_mistyped_numerical_gradient_makes_a_chapter_4_net_checkable(tmp_path):
    repo = tmp_path / "repo"
    book_repo(repo)
    source = CH04_NET.split("    def gradient")[0].replace(
        "def numerical_gradient(self", "def numerical_gardient(self"
    )
    learner = load_learner(str(write(repo / "ch04" / "two_layer_net.py", source)))
    assert learner.method == "numerical_gradient"
    assert any("TwoLayerNet.numerical_gardient (line" in note for note in learner.notes)
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    result = check_learner(net, learner, x, t, num_classes=4)
    assert result.check.passed
    assert oracle_passes(net, x, np.eye(4)[t], method="numerical_gradient")


def test_names_of_the_books_private_names_and_two_close_names_are_left_alone(monkeypatch):
    from xpnet.check import mistyped

    class Net:
        def _forward(self, x): ...
        def gradient(self, x, t): ...
        def gradients(self, x, t): ...  # the book's gradient is there: nothing to read
        def predic(self, x): ...
        def predicts(self, x): ...  # two close to predict: which one is unknown

    monkeypatch.setattr(mistyped, "_is_theirs", lambda cls: True)  # as if in a learner's file
    assert read_mistyped({"Net": Net}) == []
    assert not hasattr(Net, "forward") and not hasattr(Net, "predict")
