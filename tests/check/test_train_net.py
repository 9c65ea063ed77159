"""`xpnet train --net FILE.py[:CLASS]` and `xpnet.train(learner_net, ...)`: a learner's own
network trained by xpnet's loop, after the check; a failing check stops before training; a
resumed run keeps its network's file and class."""

from __future__ import annotations

import shutil
import sys

import numpy as np
import pytest

import xpnet
from xpnet.check.learner import build, load_learner
from xpnet.cli import main

from .learner_shapes import BOOK, CH04_NET, book_repo, edit, write


@pytest.fixture(autouse=True)
def _own_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))


def train(args, capsys):
    code = main(["train", "--dataset", "sample", "--no-plot", "--batch-size", "200", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_xpnet_train_function_trains_a_book_style_net_in_place():
    """The book's net, its arrays updated in place (its Affine layers hold them), and the loss
    falls; the same as the book's own loop would do with the same batches."""
    learner = load_learner(str(BOOK / "two_layer_net.py"))
    net, _ = build(learner)
    W1 = net.params["W1"]
    (x, t), (x_test, t_test) = xpnet.load_mnist_sample()
    history = xpnet.train(net, (x, t), (x_test, t_test), iters_num=60, seed=0, progress=False)
    assert net.params["W1"] is W1 and net.layers["Affine1"].W is W1
    assert history.train_loss[-1] < history.train_loss[0] - 0.2
    assert history.test_acc[-1] == pytest.approx(net.accuracy(x_test, t_test))


def test_xpnet_train_takes_a_chapter_4_net_that_needs_one_hot_targets(tmp_path):
    repo = tmp_path / "repo"
    book_repo(repo)
    learner = load_learner(str(write(repo / "ch04" / "two_layer_net.py", CH04_NET)))
    net, _ = build(learner)
    (x, t), test = xpnet.load_mnist_sample()
    history = xpnet.train(net, (x, t), test, iters_num=20, seed=0, progress=False)
    assert np.isfinite(history.train_loss).all() and len(history.train_loss) == 20


def test_train_net_checks_first_then_trains_and_resumes(tmp_path, capsys):
    out = tmp_path / "run"
    spec = f"{BOOK / 'two_layer_net.py'}:TwoLayerNet"
    code, text, err = train(["--net", spec, "--iters", "40", "--out", str(out)], capsys)
    assert code == 0, err
    assert "xpnet train --net: TwoLayerNet of" in text and "check PASSED (backprop" in text
    assert "targets: labels" in text and "done: 40 iterations" in text
    config = (out / "config.json").read_text()
    assert '"dtype": "float64"' in config
    code, text, err = train(["--resume", str(out), "--net", spec, "--iters", "60"], capsys)
    assert code == 0, err
    assert "resuming from" in text and "at iteration 40" in text
    # the same 60 steps never stopped: the same final loss
    code, text2, err = train(["--net", spec, "--iters", "60", "--out", str(tmp_path / "b")], capsys)
    assert code == 0, err
    assert text.splitlines()[-2].split()[:3] == text2.splitlines()[-2].split()[:3]


def test_resume_refuses_another_files_class_naming_both(tmp_path, capsys):
    out = tmp_path / "run"
    assert train(["--net", str(BOOK / "two_layer_net.py"), "--iters", "5", "--out", str(out)],
                 capsys)[0] == 0  # fmt: skip
    other = tmp_path / "other"
    shutil.copytree(BOOK, other, ignore=shutil.ignore_patterns("__pycache__"))
    code, _, err = train(["--resume", str(out), "--net", str(other / "two_layer_net.py")], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    said = f"holds TwoLayerNet of {BOOK / 'two_layer_net.py'}; --net gives {other}/two_layer_net.py"
    assert said in err
    code, _, err = train(["--resume", str(out)], capsys)
    assert code == 2 and f"resume it with --net {BOOK / 'two_layer_net.py'}:TwoLayerNet" in err


def test_a_failing_check_stops_before_training_with_the_report(tmp_path, capsys):
    folder = tmp_path / "learner"
    shutil.copytree(BOOK, folder, ignore=shutil.ignore_patterns("__pycache__"))
    edit(folder / "common" / "layers.py", "dx = dx / batch_size", "dx = dx")
    out = tmp_path / "run"
    code, text, _ = train(["--net", str(folder / "two_layer_net.py"), "--out", str(out)], capsys)
    assert code == 1 and not out.exists()
    assert "check FAILED on a batch of 3" in text and "the batch size N=3" in " ".join(text.split())
    assert "xpnet train: no training: TwoLayerNet's gradient fails the check above" in text


def test_a_backward_that_raises_stops_before_training_with_its_place(tmp_path, capsys):
    folder = tmp_path / "learner"
    shutil.copytree(BOOK, folder, ignore=shutil.ignore_patterns("__pycache__"))
    edit(folder / "common" / "layers.py", "np.dot(dout, self.W.T)", "np.dot(dout, self.W)")
    out = tmp_path / "run"
    code, text, _ = train(["--net", str(folder / "two_layer_net.py"), "--out", str(out)], capsys)
    assert code == 1 and not out.exists()
    assert "check FAILED: gradient(x, t) raised an error in your code after loss(x, t) ran" in text
    assert "hint: Affine2 (Affine.backward" in text
    assert "xpnet train: no training: TwoLayerNet's backprop raises" in text


def test_train_net_refuses_a_device_and_a_dtype_it_cannot_honour(tmp_path, capsys):
    spec = str(BOOK / "two_layer_net.py")
    code, _, err = train(["--net", spec, "--backend", "torch"], capsys)
    assert code == 2 and "--backend torch: --net trains the learner's network" in err
    code, _, err = train(["--net", spec, "--dtype", "float32"], capsys)
    assert code == 2 and "--dtype float32: TwoLayerNet makes float64 parameters" in err


def test_train_net_refuses_a_net_without_predict_or_accuracy_before_training(tmp_path, capsys):
    """Checked right, yet the training could not measure its accuracy after the first epoch:
    refused before training, naming what to add."""
    path = tmp_path / "net.py"
    path.write_text(
        "import numpy as np\n\n\nclass Net:\n"
        "    def __init__(self, input_size, hidden_size, output_size):\n"
        "        self.params = {'W': np.zeros((input_size, output_size))}\n"
        "    def loss(self, x, t):\n        return float(np.sum(x @ self.params['W']))\n"
        "    def gradient(self, x, t):\n"
        "        return {'W': x.T @ np.ones((x.shape[0], self.params['W'].shape[1]))}\n"
    )
    code, out, err = train(
        ["--net", str(path), "--iters", "5", "--out", str(tmp_path / "r")], capsys
    )
    assert code == 2 and out == ""
    assert "has neither predict(x) nor accuracy(x, t)" in err and "Add predict(x)" in err
    assert not (tmp_path / "r" / "checkpoint.npz").exists()
    with pytest.raises(TypeError, match="Net has neither: add predict"):
        xpnet.train(build(load_learner(str(path)))[0], *xpnet.load_mnist_sample(), iters_num=1)


def test_time_limit_bounds_the_import_of_a_net_that_works_at_import(tmp_path, capsys):
    folder = tmp_path / "learner"
    shutil.copytree(BOOK, folder, ignore=shutil.ignore_patterns("__pycache__"))
    path = folder / "two_layer_net.py"
    path.write_text(path.read_text() + "\nimport time\n\ntime.sleep(60)\n")
    args = ["--net", str(path), "--time-limit", "1", "--iters", "20", "--out", str(tmp_path / "r")]
    code, text, _ = train(args, capsys)
    assert code == 0, text
    assert "top-level code was still running after 1 s" in " ".join(text.split())


def test_time_limit_without_net_is_refused_naming_both_flags(tmp_path, capsys):
    code, text, err = train(["--time-limit", "3", "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and not text and not (tmp_path / "r").exists()
    assert err.strip() == (
        "xpnet train: error: --time-limit 3: it limits the top-level code of --net FILE.py when"
        " imported, and no --net was given: drop --time-limit, or add --net"
    )


NO_NUMERICAL = (
    "import numpy as np\n\n\nclass Net:\n"
    "    def __init__(self, input_size, hidden_size, output_size):\n"
    "        self.params = {'W': np.zeros((input_size, output_size))}\n"
    "    def predict(self, x):\n        return x @ self.params['W']\n"
    "    def loss(self, x, t):\n"
    "        y = self.predict(x)\n"
    "        p = np.exp(y - y.max(axis=1, keepdims=True))\n"
    "        p /= p.sum(axis=1, keepdims=True)\n"
    "        return -np.mean(np.log(p[np.arange(len(t)), t] + 1e-7))\n"
    "    def gradient(self, x, t):\n"
    "        y = self.predict(x)\n"
    "        p = np.exp(y - y.max(axis=1, keepdims=True))\n"
    "        p /= p.sum(axis=1, keepdims=True)\n"
    "        p[np.arange(len(t)), t] -= 1\n"
    "        return {'W': x.T @ p / len(t)}\n"
)


def test_grad_numerical_without_numerical_gradient_is_refused_before_the_run(tmp_path, capsys):
    """One line in the command line's words, before the header and before any file is
    written; in Python, the same fix as data (grad="backprop"), before any step."""
    from xpnet.errors import XpnetTypeError

    path = write(tmp_path / "net.py", NO_NUMERICAL)
    out = tmp_path / "r"
    code, text, err = train(["--net", str(path), "--grad", "numerical", "--out", str(out)], capsys)
    assert code == 2 and text == "" and not out.exists()
    assert err.strip() == (
        "xpnet train: error: --grad numerical takes the gradient with the network's"
        " numerical_gradient(x, t), and Net has none: train with --grad backprop (its"
        " gradient(x, t))"
    )
    net = build(load_learner(str(path)))[0]
    with pytest.raises(XpnetTypeError, match=r'has none: train with grad="backprop"'):
        xpnet.train(net, *xpnet.load_mnist_sample(), iters_num=1, grad="numerical")


def test_a_shaping_flag_the_learners_class_does_not_take_is_refused(tmp_path, capsys):
    """--activation shapes xpnet's own TwoLayerNet; the book's chapter-5 class takes none, so it
    would have changed nothing but config.json: one line naming both flags, nothing written."""
    out = tmp_path / "r"
    spec = str(BOOK / "two_layer_net.py")
    code, text, err = train(["--net", spec, "--activation", "sigmoid", "--out", str(out)], capsys)
    assert code == 2 and text == "" and not out.exists()
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("xpnet train: error: --activation sigmoid: this flag shapes xpnet's own")
    assert f"--net trains TwoLayerNet of {BOOK / 'two_layer_net.py'}" in err
    assert "takes no activation" in err and err.strip().endswith("Drop --activation")


def test_a_net_runs_record_what_its_class_took_not_xpnets_settings(tmp_path, capsys):
    """--hidden-size reaches the class's hidden_size: taken, and kept; config.json and the
    checkpoint name the class, its call and its parameters' shapes, and no activation."""
    import json

    out = tmp_path / "r"
    spec = str(BOOK / "two_layer_net.py")
    code, _, err = train(["--net", spec, "--hidden-size", "20", "--iters", "5", "--out", str(out)],
                         capsys)  # fmt: skip
    assert code == 0, err
    config = json.loads((out / "config.json").read_text())
    learner = config["learner"]
    assert learner["call"] == "TwoLayerNet(input_size=784, hidden_size=20, output_size=10)"
    assert learner["params"] == {"W1": [784, 20], "b1": [20], "W2": [20, 10], "b2": [10]}
    assert config["hidden_size"] == 20
    assert "activation" not in config and "weight_init_std" not in config
    net = xpnet.load_checkpoint(out / "checkpoint.npz").net
    assert net["learner"] == learner and net["hidden_size"] == 20 and "activation" not in net
    code, _, err = train(["--resume", str(out), "--net", spec, "--activation", "relu"], capsys)
    assert code == 2 and "--activation relu (the checkpoint's network was built without it)" in err


def test_evaluate_takes_a_net_runs_class_from_net_and_refuses_without_it(tmp_path, capsys):
    """A checkpoint names no code to run: without --net, one line that gives the command; with
    it, the learner's own class (its predict, its loss) gives the figures the run reported,
    where xpnet's ReLU TwoLayerNet gave others (the chapter-4 net is a sigmoid one)."""
    repo = tmp_path / "repo"
    book_repo(repo)
    path = write(repo / "ch04" / "two_layer_net.py", CH04_NET)
    out = tmp_path / "r"
    code, text, err = train(["--net", str(path), "--iters", "60", "--lr", "0.5", "--out",
                             str(out)], capsys)  # fmt: skip
    assert code == 0, err
    reported = text.split("the final model's test acc ")[1].split()[0]
    evaluate = ["evaluate", "--dataset", "sample", str(out)]
    assert main(evaluate) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"xpnet evaluate: error: {out / 'checkpoint.npz'} holds TwoLayerNet of {path}, a"
        " learner's network, which xpnet builds only from its file (a checkpoint names no code"
        f" to run): xpnet evaluate --net {path}:TwoLayerNet {out / 'checkpoint.npz'}"
    )
    assert main(["evaluate", "--net", str(path), "--dataset", "sample", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"(TwoLayerNet of {path}: W1 (784, 50), b1 (50,), W2 (50, 10), b2 (10,))" in said
    assert f"accuracy {reported}  on 1000 samples" in said
    other = write(tmp_path / "other.py", NO_NUMERICAL)
    assert main(["evaluate", "--net", str(other), str(out)]) == 2
    assert f"--net gives {other}: a checkpoint is evaluated with the network" in (
        capsys.readouterr().err
    )


def test_load_params_refuses_xpnets_own_net_for_a_learners_checkpoint(tmp_path, capsys):
    from xpnet.checkpoint import CheckpointError, load_params, two_layer_config

    out = tmp_path / "r"
    spec = str(BOOK / "two_layer_net.py")
    assert train(["--net", spec, "--iters", "5", "--out", str(out)], capsys)[0] == 0
    checkpoint = xpnet.load_checkpoint(out / "checkpoint.npz")
    with pytest.raises(CheckpointError, match="holds TwoLayerNet of .* not xpnet's"):
        load_params(xpnet.TwoLayerNet(784, 50, 10), checkpoint)
    with pytest.raises(CheckpointError, match=f"xpnet evaluate --net {spec}:TwoLayerNet"):
        two_layer_config(checkpoint)
