"""`xpnet gradcheck`: the network's gradient check from the command line (`xpnet check`, a
learner's own file, is tested in check/test_learner.py)."""

from __future__ import annotations

from xpnet import layers
from xpnet.cli import main


def test_gradcheck_says_checking_not_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", "http://127.0.0.1:1/")
    code = main(["gradcheck", "--device", "cpu", "--data-dir", str(tmp_path), "--hidden-size", "5"])
    err = capsys.readouterr().err
    assert code == 0 and "checking on the bundled 5,000-image sample" in err
    assert "training" not in err


def test_gradcheck_passes_a_correct_relu_net_on_20_images(capsys):
    """Some entries of W1, b1 straddle ReLU's kink on this batch: checked again, it passes."""
    code = main(["gradcheck", "--device", "cpu", "--dataset", "sample", "--samples", "20"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "gradient check PASSED on a batch of 20" in out and "backprop is right" in out


def test_gradcheck_fails_a_wrong_backward_on_20_images(monkeypatch, capsys):
    monkeypatch.setattr(layers.Relu, "backward", lambda self, dout: dout)  # the mask forgotten
    code = main(["gradcheck", "--device", "cpu", "--dataset", "sample", "--samples", "20"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "gradient check FAILED on a batch of 20" in out


def test_gradcheck_refuses_more_samples_than_the_training_set(capsys):
    code = main(["gradcheck", "--device", "cpu", "--dataset", "sample", "--samples", "100000"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.strip().splitlines() == [
        "xpnet gradcheck: error: argument --samples: expected at most 4000, the training images"
        " of the bundled MNIST sample (4000 train / 1000 test images); got 100000"
    ]
    assert "data: the first" not in out
