"""A network's loss of a batch is the mean of its images' own losses (xpnet.check.batch): a loss
wrong for a batch fails the check even where the net's gradient follows it (a chapter-4 net's own
numerical_gradient, a loss layer that sums with a backward that does not divide).

The oracle is the learner's own net, called here on each image alone and averaged by NumPy; the
mistakes are one-line edits of the book's code (tests/learner).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from xpnet import TwoLayerNet
from xpnet.check.batch import batch_mistake
from xpnet.check.learner import build, check_learner, load_learner

from .learner_shapes import CH04_NET, MULTI_LAYER_NET, batch, book_repo, edit, oracle_passes, write

CHAPTER_3_SOFTMAX = (  # the book's batch branch removed: chapter 3's softmax of one sample
    "    if x.ndim == 2:\n        x = x.T\n        x = x - np.max(x, axis=0)\n"
    "        y = np.exp(x) / np.sum(np.exp(x), axis=0)\n        return y.T\n"
)
SUMMED = ("    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size",
          "    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7))")  # fmt: skip


@pytest.fixture(autouse=True)
def _own_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))


def mean_of_images(net, x, t) -> float:
    return float(np.mean([float(net.loss(x[i : i + 1], t[i : i + 1])) for i in range(len(x))]))


def checked(path, D=5, C=4):
    learner = load_learner(str(path))
    net, _ = build(learner, input_size=D, hidden_size=3, output_size=C)
    x, t = batch(D=D, C=C)
    result = check_learner(net, learner, x, t, num_classes=C)
    t = np.eye(C)[t] if result.form == "one-hot" else t
    return result.check, net, x, t


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("method", ["numerical_gradient", "gradient"])
def test_a_chapter_4_softmax_over_the_whole_batch_fails_and_is_named(tmp_path, method):
    repo = tmp_path / "repo"
    book_repo(repo)
    edit(repo / "common" / "functions.py", CHAPTER_3_SOFTMAX, "")
    source = CH04_NET.split("    def gradient")[0] if method == "numerical_gradient" else CH04_NET
    check, net, x, t = checked(write(repo / "ch04" / "two_layer_net.py", source))
    whole, mean = float(net.loss(x, t)), mean_of_images(net, x, t)
    assert abs(whole - mean) > 1e-3 * mean  # the mistake is real: the oracle sees it
    assert check.method == method and not check.passed
    if method == "numerical_gradient":  # its own gradient of its own loss: the table passes
        assert all(p.passed for p in check)
    said = flat(check.batch)
    assert f"loss(x, t) of the batch of 3 images is {whole:.6g}" in said
    assert f"(each alone: loss(x[i:i+1], t[i:i+1])) {mean:.6g}" in said
    assert "predict(x) is the cause (softmax: common/functions.py, line 6)" in said
    assert "softmax is taken over the whole batch, not row by row" in said
    assert f"- {said}" in flat(str(check))


def test_a_chapter_4_loss_that_sums_over_the_batch_is_said_n_times_the_mean(tmp_path):
    repo = tmp_path / "repo"
    book_repo(repo)
    edit(repo / "common" / "functions.py", *SUMMED)
    numerical_only = CH04_NET.split("    def gradient")[0]
    check, net, x, t = checked(write(repo / "ch04" / "two_layer_net.py", numerical_only))
    assert float(net.loss(x, t)) == pytest.approx(3 * mean_of_images(net, x, t))
    assert not check.passed and all(p.passed for p in check)
    assert "it is 3 times the mean: the sum over the batch" in flat(check.batch)


def test_a_loss_layer_that_sums_with_a_backward_that_follows_passes_gradients_not_the_check(
    tmp_path,
):
    """Forward and backward agree (no / batch_size in either), so the gradients are right for
    the loss it computes: only the loss of a batch shows the mistake."""
    repo = tmp_path / "repo"
    path = book_repo(repo)
    edit(repo / "common" / "functions.py", *SUMMED)
    edit(repo / "common" / "layers.py", "            dx = dx / batch_size\n", "")
    check, net, x, t = checked(path)
    assert oracle_passes(net, x, t) and all(p.passed for p in check)
    assert not check.passed
    assert "it is 3 times the mean: the sum over the batch" in flat(check.batch)


def test_a_loss_layer_with_chapter_3_softmax_is_named_from_predicts_scores(tmp_path):
    repo = tmp_path / "repo"
    path = book_repo(repo)
    edit(repo / "common" / "functions.py", CHAPTER_3_SOFTMAX, "")
    check, net, x, t = checked(path)
    scores = net.predict(x)
    rows = np.exp(scores - scores.max(axis=1, keepdims=True))
    right = -np.mean(np.log((rows / rows.sum(axis=1, keepdims=True))[np.arange(3), t] + 1e-7))
    said = flat(check.batch)
    assert not check.passed
    cause = f"cross_entropy_error(softmax(predict(x)), t) is {right:.6g}: softmax over the whole"
    assert f"{cause} batch" in said


@pytest.mark.parametrize("net", ["book", "chapter 4", "weight decay"])
def test_the_books_networks_treat_each_image_alone(tmp_path, net):
    repo = tmp_path / "repo"
    path = book_repo(repo)
    if net == "chapter 4":
        path = write(repo / "ch04" / "two_layer_net.py", CH04_NET)
    if net == "weight decay":  # the decay is in every image's loss and in the batch's
        path = write(repo / "ch06" / "multi_layer_net.py", MULTI_LAYER_NET.replace(
            "weight_decay_lambda=0,", "weight_decay_lambda=0.5,"))  # fmt: skip
    check, net, x, t = checked(path)
    assert check.passed and check.batch == ""
    assert float(net.loss(x, t)) == pytest.approx(mean_of_images(net, x, t), rel=1e-12)


def test_xpnets_network_treats_each_image_alone_in_float32_too():
    x, t = batch(D=6)
    for dtype in ("float64", "float32"):
        net = TwoLayerNet(6, 5, 4, seed=0, dtype=dtype)
        xs = x.astype(dtype)
        assert batch_mistake(net, xs, t, net.loss(xs, t), dtype) == ""


class Noisy:
    """A loss drawn anew at each call (Dropout in training mode), wrong for a batch as well."""

    def loss(self, x, t):
        return float(np.sum(x)) + np.random.default_rng().random()


class Normalized:
    """A net that keeps a batch-normalization layer: its loss depends on the batch by design."""

    class BatchNormalization:
        def forward(self, x):
            return (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-7)

        def backward(self, dout):
            return dout

    def __init__(self):
        self.layers = {"BatchNorm1": self.BatchNormalization()}

    def loss(self, x, t):
        return float(np.sum(self.layers["BatchNorm1"].forward(x) ** 3))


class FixedBatch:
    """A loss that only takes the batch size it was written for."""

    def loss(self, x, t):
        return float(np.sum(x.reshape(3, x.shape[1])))


class Summed:
    def loss(self, x, t):
        return float(np.sum(x))


@pytest.mark.parametrize("net", [Noisy(), Normalized(), FixedBatch()], ids=type)
def test_no_claim_where_the_loss_is_random_normalizes_batches_or_takes_no_batch_of_one(net):
    x, t = batch()
    assert batch_mistake(net, x, t, net.loss(x, t)) == ""


def test_a_net_without_predict_is_said_with_its_figures_alone():
    x, t = batch()
    net = Summed()
    said = batch_mistake(net, x, t, net.loss(x, t))
    assert said.startswith(f"loss(x, t) of the batch of 3 images is {np.sum(x):.6g}")
    assert said.endswith(
        "it is 3 times the mean: the sum over the batch, where the book divides by the batch"
        " size (cross_entropy_error, 4.2.4: / batch_size)"
    )


def test_a_batch_of_one_has_nothing_to_compare():
    x, t = batch(N=1)
    assert batch_mistake(Summed(), x, t, float(np.sum(x))) == ""
