"""The typical mistakes of learners' chapter-5 code, each a one-line edit of the book's: the
verdict agrees with an independent NumPy oracle, and the diagnosis names the parameter, the
layer and the cause, without contradicting itself."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from xpnet import check_network
from xpnet.check.layers import probe_layers
from xpnet.check.learner import build, check_learner, load_learner

from .learner_shapes import BOOK, CH04_NET, batch, book_repo, edit, oracle_passes, write

MISTAKES = {
    "relu-mask": ("common/layers.py", "        dout[self.mask] = 0\n", ""),
    "bias-axis-1": ("common/layers.py", "np.sum(dout, axis=0)", "np.sum(dout, axis=1)"),
    "b2-from-W2": (
        "two_layer_net.py",
        'self.layers["Affine2"].dW, self.layers["Affine2"].db',
        'self.layers["Affine2"].dW, self.layers["Affine2"].dW',
    ),
    "no-batch-mean": ("common/layers.py", "dx = dx / batch_size", "dx = dx"),
    "log-delta-1e-4": ("common/functions.py", "+ 1e-7)", "+ 1e-4)"),
    "softmax-of-one-sample": ("common/functions.py", "    if x.ndim == 2:\n", "    if False:\n"),
    "copies": (
        "two_layer_net.py",
        'Affine(self.params["W1"], self.params["b1"])',
        'Affine(self.params["W1"].copy(), self.params["b1"].copy())',
    ),
}


def checked(tmp_path, mistake: str):
    folder = tmp_path / mistake
    shutil.copytree(BOOK, folder, ignore=shutil.ignore_patterns("__pycache__"))
    file, old, new = MISTAKES[mistake]
    edit(folder / file, old, new)
    learner = load_learner(str(folder / "two_layer_net.py"))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    check = check_network(net, x, t)
    assert check.passed == oracle_passes(net, x, t) is False
    return check, " ".join(str(check).split())


def wrong(check) -> list[str]:
    return [p.name for p in check if not p.passed]


def test_a_forgotten_relu_mask_names_the_relu_layer(tmp_path):
    check, text = checked(tmp_path, "relu-mask")
    assert wrong(check) == ["W1", "b1"]
    assert check.layers[0].startswith("Relu1 (Relu.backward, common/layers.py, line 18)")
    assert "common/layers.py, line 18): dx is not the derivative of its forward" in text
    assert "the mask is missing (dout[self.mask] = 0" in text
    assert "right: W2, b2; wrong: W1, b1. Look at the layer(s) named above" in text


def test_a_bias_summed_over_axis_1_is_the_batch_size_on_the_wrong_axis(tmp_path):
    check, text = checked(tmp_path, "bias-axis-1")
    assert wrong(check) == ["b1", "b2"] and check["b1"].gradient_shape == (3,)
    assert "3 is the batch size N, so the sum ran over the units (axis=1) instead of the" in text
    assert "db = sum(dout, axis=0)" in text
    assert any("db has shape (3,), b has (6,)" in layer for layer in check.layers)


def test_b2_taken_from_w2s_layer(tmp_path):
    check, text = checked(tmp_path, "b2-from-W2")
    assert wrong(check) == ["b2"] and check["b2"].gradient_shape == (6, 4)
    assert "the shape of W2: probably taken from W2's layer (it equals W2's gradient)" in text
    assert not check.layers  # every layer is right on its own: the collection is wrong


def test_a_missing_division_by_the_batch_size_is_the_factor_n(tmp_path):
    check, text = checked(tmp_path, "no-batch-mean")
    assert all(p.factor == pytest.approx(3, rel=1e-4) for p in check)
    assert "every gradient is off by the same factor 3" in text
    assert any(layer.startswith("lastLayer (SoftmaxWithLoss.backward") for layer in check.layers)


def test_chapter_3s_softmax_of_one_sample_in_the_loss_layer_is_said_with_its_fix(tmp_path):
    """softmax over the whole batch (np.max and np.sum without axis): the loss layer's dx is
    not the derivative of its forward, and its forward is not the book's loss; the report says
    which softmax it computes, against the oracle's figure."""
    check, text = checked(tmp_path, "softmax-of-one-sample")
    assert wrong(check) == ["W1", "b1", "W2", "b2"]
    (layer,) = [s for s in check.layers if s.startswith("lastLayer (SoftmaxWithLoss.backward")]
    learner = load_learner(str(tmp_path / "softmax-of-one-sample" / "two_layer_net.py"))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    scores = net.predict(x)
    rows = np.exp(scores - scores.max(axis=1, keepdims=True))
    rows /= rows.sum(axis=1, keepdims=True)
    right = -np.mean(np.log(rows[np.arange(len(t)), t] + 1e-7))  # t: class labels
    assert f"cross_entropy_error(softmax(x), t) is {right:.6g}: softmax over the whole batch" in (
        " ".join(layer.split())
    )
    assert "take the max and the sum of each row (axis=-1, keepdims=True)" in text
    assert "the sum over the batch" not in layer  # it takes the mean, as the book's


def test_layers_holding_copies_are_placed_in_the_forward_pass_not_in_backprop(tmp_path):
    check, text = checked(tmp_path, "copies")
    assert wrong(check) == ["W1", "b1"]
    assert "numerical gradient is exactly 0" in check["W1"].reason
    assert "right: W2, b2; wrong: W1, b1. The loss does not change with the wrong ones" in text
    assert "not backprop" in text and "The backward pass that feeds" not in text


def test_the_books_network_passes_and_the_oracle_agrees(tmp_path):
    learner = load_learner(str(BOOK / "two_layer_net.py"))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    check = check_network(net, x, t)
    assert check.passed == oracle_passes(net, x, t) is True
    assert check.layers == ()


def test_the_result_reads_well_in_a_notebook():
    learner = load_learner(str(BOOK / "two_layer_net.py"))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    check = check_network(net, *batch())
    assert repr(check) == (
        "<GradientCheck PASSED: rel error <= 0.0001 for W1, b1, W2, b2 (batch of 3, float64)>"
    )
    html = check._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 5
    for column in ("backprop", "numerical", "max abs", "mean abs", "rel error", "result"):
        assert f"<th>{column}</th>" in html
    assert "check PASSED on a batch of 3" in html
    assert str(check).splitlines()[-1].startswith("check PASSED on a batch of 3, float64")


def test_gradient_check_and_check_network_return_one_type_with_one_vocabulary():
    import xpnet
    from xpnet.check import GradientCheck, NetworkCheck, ParameterCheck, ParameterResult

    assert NetworkCheck is GradientCheck and ParameterResult is ParameterCheck
    net = xpnet.TwoLayerNet(5, 4, 3, weight_init_std=1.0, seed=2)
    x, t = batch(D=5, C=3)
    ours, theirs = xpnet.gradient_check(net, x, t), check_network(net, x, t)
    assert type(ours) is type(theirs) is GradientCheck
    assert (ours.criterion, theirs.criterion) == ("mean abs", "rel error")
    for a, b in zip(ours, theirs, strict=True):  # the same figures, computed once
        assert a.name == b.name and a.error < 1e-6 and b.error < 1e-6
        assert a.mean_abs == pytest.approx(b.mean_abs, abs=1e-8)
    assert ours._repr_html_().split("</thead>")[0] == theirs._repr_html_().split("</thead>")[0]
    assert np.isfinite([p.max_relative for p in ours]).all()


def test_a_relu_input_at_the_kink_is_checked_again_with_a_finer_step():
    """x @ W = 5e-5 lies within h = 1e-4 of ReLU's kink: the central difference straddles it
    there and the right gradient (1 where x @ W > 0, times x) seems wrong; with h = 1e-6 the
    two agree. A wrong gradient (2x) fails with either step."""

    class Net:
        def __init__(self, factor):
            self.factor = factor
            self.params = {"W": np.array([[5e-5], [0.0]])}

        def loss(self, x, t):
            return float(np.sum(np.maximum(x @ self.params["W"], 0)))

        def gradient(self, x, t):
            return {"W": self.factor * x.T @ (x @ self.params["W"] > 0).astype(float)}

    x, t = np.array([[1.0, 2.0]]), np.array([0])
    check = check_network(Net(1.0), x, t)
    assert check.passed and "agrees with h=1e-06" in " ".join(check.notes)
    assert not check_network(Net(2.0), x, t).passed


LABELS_ONLY_NET = """
import numpy as np


class SoftmaxNet:
    def __init__(self, input_size, hidden_size, output_size):
        self.params = {"W": 0.1 * np.random.randn(input_size, output_size)}

    def _probs(self, x):
        a = x @ self.params["W"]
        e = np.exp(a - a.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def loss(self, x, t):
        return -np.mean(np.log(self._probs(x)[np.arange(len(t)), t]))

    def gradient(self, x, t):
        d = self._probs(x)
        d[np.arange(len(t)), t] -= 1
        return {"W": x.T @ d / len(t)}
"""


@pytest.mark.parametrize(
    ("source", "form"), [(CH04_NET, "one-hot"), (LABELS_ONLY_NET, "labels")], ids=["ch04", "own"]
)
def test_the_form_of_targets_is_found_in_both_directions(tmp_path, source, form):
    """Labels first: the book's ch04 net (needs one-hot: y - t) is retried with one-hot rows and
    said so; a net that indexes with t (needs labels; one-hot rows raise in it) is checked with
    the labels and no note. The oracle judges each with the form it takes."""
    repo = tmp_path / "repo"
    book_repo(repo)
    learner = load_learner(str(write(repo / "ch04" / "net.py", source)))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    result = check_learner(net, learner, x, t, num_classes=4)
    assert result.form == form
    assert result.check.passed == oracle_passes(net, x, t if form == "labels" else np.eye(4)[t])
    assert result.check.passed is True
    assert any("takes one-hot targets" in note for note in result.notes) == (form == "one-hot")


def test_a_backward_without_w_t_names_the_layer_and_the_shapes(tmp_path):
    folder = tmp_path / "noT"
    shutil.copytree(BOOK, folder, ignore=shutil.ignore_patterns("__pycache__"))
    edit(folder / "common" / "layers.py", "np.dot(dout, self.W.T)", "np.dot(dout, self.W)")
    learner = load_learner(str(folder / "two_layer_net.py"))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    with pytest.raises(ValueError, match="not aligned") as raised:
        check_learner(net, learner, x, t, num_classes=4)
    hint = raised.value.xpnet_hint
    assert hint.startswith("Affine2 (Affine.backward, common/layers.py, line ")
    assert "with x (3, 6), dout (3, 4), W (6, 4), b (4,)" in hint
    assert "dx = dout @ W.T has the shape of x" in hint


def test_a_loss_with_a_larger_log_guard_is_a_factor_a_little_over_1(tmp_path):
    """-log(y + 1e-4) where the book adds 1e-7: backprop's (y - t) / N is then ~1.001 times the
    loss's gradient, for every parameter alike (it was "backprop and the numerical gradient
    differ", with no cause)."""
    check, text = checked(tmp_path, "log-delta-1e-4")
    assert wrong(check) == ["W1", "b1", "W2", "b2"]
    for p in check:
        assert 1.0001 < p.factor < 1.01, p.factor
        assert "a little over 1: the loss probably adds more than the book's 1e-7" in p.reason
    assert "every gradient is off by the same factor 1.00" in text
    assert "the loss layer's backward (SoftmaxWithLoss) or the loss" in text


def net_on_a_kink(tmp_path, mistake: str | None = None):
    """The book's net on a batch whose first image is all 0: with b1 = 0, Relu1's input is then
    exactly 0 on that row, ReLU's kink, where a central difference is no derivative."""
    folder = tmp_path / (mistake or "book")
    shutil.copytree(BOOK, folder, ignore=shutil.ignore_patterns("__pycache__"))
    if mistake:
        file, old, new = MISTAKES[mistake]
        edit(folder / file, old, new)
    learner = load_learner(str(folder / "two_layer_net.py"))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    x[0] = 0.0
    assert not np.any(net.params["b1"])  # the book's start, so the row is on the kink
    return net, x, t


def test_a_right_relu_is_not_blamed_for_inputs_on_its_kink(tmp_path):
    """The layer probe compares dx only where the input is farther than h from 0: the book's
    Relu was said "dx is not the derivative of its forward" on an image of zeros."""
    net, x, t = net_on_a_kink(tmp_path)
    assert probe_layers(net, x, t) == ()


def test_a_relu_without_its_mask_is_still_found_beside_the_kink(tmp_path):
    net, x, t = net_on_a_kink(tmp_path, "relu-mask")
    findings = probe_layers(net, x, t)
    assert len(findings) == 1
    assert findings[0].startswith("Relu1 (Relu.backward, common/layers.py, line 18)")
    assert "the mask is missing" in findings[0]


def test_a_net_failing_for_a_wrong_function_of_the_books_names_it(tmp_path, capsys):
    """The survey's: sigmoid = 1 / (1 - exp(-x)) in the learner's common/functions.py, and a
    chapter-4 net right in itself: every gradient differs, and the function is named."""
    from xpnet.cli import main

    root = tmp_path / "repo"
    net = book_repo(root, chapter="ch04")
    functions = root / "common" / "functions.py"
    sigmoid = "\n\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"
    functions.write_text(functions.read_text() + sigmoid)
    line = functions.read_text().splitlines().index("def sigmoid(x):") + 1
    source = CH04_NET.replace(
        "from common.functions import softmax, cross_entropy_error",
        "from common.functions import sigmoid, softmax, cross_entropy_error",
    ).replace("def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n", "")
    write(net, "import sys, os\nsys.path.append(os.pardir)\n" + source)
    assert main(["check", str(net)]) == 0
    capsys.readouterr()
    edit(functions, "1 / (1 + np.exp(-x))", "1 / (1 - np.exp(-x))")
    assert main(["check", str(net)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "check FAILED" in out
    assert (
        f"- sigmoid (common/functions.py, line {line}), of the book's functions in the network's"
        " file, is wrong: sigmoid(np.array([-1.0, 1.0, 2.0])) is [-0.581977, 1.581977, 1.156518]"
    ) in out
