"""`xpnet gradcheck`: the network's gradient check from the command line (`xpnet check`, a
learner's own file, is tested in check/test_learner.py)."""

from __future__ import annotations

from xpnet.cli import main


def test_gradcheck_says_checking_not_training(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", "http://127.0.0.1:1/")
    code = main(["gradcheck", "--device", "cpu", "--data-dir", str(tmp_path), "--hidden-size", "5"])
    err = capsys.readouterr().err
    assert code == 0 and "checking on the bundled 5,000-image sample" in err
    assert "training" not in err
