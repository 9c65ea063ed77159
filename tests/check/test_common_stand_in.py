"""A learner's repository without the book's common/ (they committed only their own files):
`xpnet check` answers `import common...` with xpnet's stand-in of it, says so, and judges the
learner's own code; what the stand-in lacks is said with the fix. The stand-in's layers are
judged by the numerical gradient, as every backward is."""

from __future__ import annotations

import shutil
import sys

import numpy as np
import pytest

from xpnet import check_network
from xpnet.check.learner import LearnerError, NoNetwork, build, check_learner, load_learner
from xpnet.check.standin import FOLDER
from xpnet.cli import main

from .learner_shapes import (
    CH04_NET,
    GRADIENT_PY,
    batch,
    book_repo,
    edit,
    oracle_passes,
    refusal,
    write,
)


@pytest.fixture(autouse=True)
def _own_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # a learner's sys.path.append is undone


def repo_without_common(root, *, chapter: str = "ch05"):
    net = book_repo(root, chapter=chapter)
    shutil.rmtree(root / "common")
    return net


def stand_in_note(learner) -> str:
    said = [n for n in learner.notes if "stand-in of the book's common/" in n]
    assert len(said) == 1, learner.notes
    return said[0]


@pytest.mark.parametrize("run_in", ["root", "file's folder"])
def test_the_chapter_5_net_without_common_gets_a_verdict(tmp_path, monkeypatch, run_in):
    net_file = repo_without_common(tmp_path / "repo")
    monkeypatch.chdir(tmp_path / "repo" if run_in == "root" else net_file.parent)
    learner = load_learner(str(net_file))
    affine = learner.cls.__init__.__globals__["Affine"]
    assert affine.__module__ == "common.layers"
    assert affine.forward.__code__.co_filename == str(FOLDER / "common" / "layers.py")
    assert "common" not in sys.modules and "common.layers" not in sys.modules  # dropped after
    note = stand_in_note(learner)
    assert note.startswith("two_layer_net.py imports common, and no folder holds a common/")
    assert "so the check judges two_layer_net.py's own code" in note
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    result = check_learner(net, learner, x, t, num_classes=4)
    assert result.check.passed is True
    assert oracle_passes(net, x, t) is True  # the independent judge agrees


def test_a_mistake_in_the_learners_own_file_fails_with_the_stand_in(tmp_path):
    net_file = repo_without_common(tmp_path / "repo")
    edit(
        net_file,
        'self.layers["Affine2"].dW, self.layers["Affine2"].db',
        'self.layers["Affine2"].dW, self.layers["Affine2"].dW',
    )  # b2 given W2's gradient
    learner = load_learner(str(net_file))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    check = check_network(net, x, t)
    assert check.passed is False and oracle_passes(net, x, t) is False
    assert [p.name for p in check if not p.passed] == ["b2"]


def test_the_chapter_4_net_without_common_is_checked_from_the_root(tmp_path, monkeypatch, capsys):
    """ch04's net imports common.functions and common.gradient (numerical_gradient)."""
    repo = tmp_path / "repo"
    repo_without_common(repo)
    write(repo / "ch04" / "two_layer_net.py", CH04_NET)
    monkeypatch.chdir(repo)
    assert main(["check", "ch04/two_layer_net.py"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "note: two_layer_net.py imports common, and no folder holds a common/ package" in out
    assert "check PASSED on a batch of 3, float64" in out


def test_star_imports_give_what_the_books_modules_give(tmp_path):
    """`from common.functions import *` offers np (a learner's file may use it unimported)."""
    net_file = repo_without_common(tmp_path / "repo")
    text = net_file.read_text()
    text = text.replace("import numpy as np\n", "")
    text = text.replace("from common.layers import Affine, Relu, SoftmaxWithLoss", "")
    net_file.write_text(
        "from common.functions import *\nfrom common.layers import *\n"
        "from common.gradient import numerical_gradient\n" + text
    )
    learner = load_learner(str(net_file))
    net, _ = build(learner, input_size=12, hidden_size=6, output_size=4)
    x, t = batch()
    assert check_network(net, x, t).passed is True


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("from common.util import smooth_curve", "No module named 'common.util'"),
        ("from common.layers import Convolution", "cannot import name 'Convolution'"),
    ],
)
def test_what_the_stand_in_lacks_is_said_with_the_fix(tmp_path, monkeypatch, line, words):
    net_file = repo_without_common(tmp_path / "repo")
    net_file.write_text(line + "\n" + net_file.read_text())
    monkeypatch.chdir(tmp_path / "repo")
    with pytest.raises(LearnerError) as error:
        load_learner(str(net_file))
    said = " ".join(str(error.value).split())
    assert said.startswith("ImportError: ") or said.startswith("ModuleNotFoundError: "), said
    assert "(two_layer_net.py, line 1)" in said
    assert words in said
    assert "No folder holds a common/ package (xpnet check looked in" in said
    assert "stand-in of the book's common/ has only what chapters 4-5 use" in said
    assert "Put common/ (the book's, or yours) beside two_layer_net.py" in said
    assert "common" not in sys.modules


def test_the_learners_own_common_wins_over_the_stand_in(tmp_path):
    net_file = book_repo(tmp_path / "repo")
    learner = load_learner(str(net_file))
    assert not [n for n in learner.notes if "stand-in" in n]
    affine = learner.cls.__init__.__globals__["Affine"]
    assert affine.forward.__code__.co_filename == str(tmp_path / "repo" / "common" / "layers.py")


@pytest.mark.parametrize("shape", [(3, 12), (3, 3, 2, 2)])
def test_the_stand_ins_affine_backward_is_the_numerical_gradient(shape):
    """The book's Affine(W, b) holds the arrays themselves: an in-place change of W is seen."""
    from xpnet import numerical_gradient
    from xpnet.check.standin.common.layers import Affine

    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=shape), rng.normal(size=(12, 4)), rng.normal(size=4)
    dout = rng.normal(size=(3, 4))
    layer = Affine(W, b)

    def loss(_):
        return float(np.sum(layer.forward(x) * dout))

    layer.forward(x)
    dx = layer.backward(dout)
    assert dx.shape == shape
    np.testing.assert_allclose(layer.dW, numerical_gradient(loss, W), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.db, numerical_gradient(loss, b), rtol=1e-6, atol=1e-8)
    xx = x.copy()

    def loss_x(_):
        return float(np.sum(Affine(W, b).forward(xx) * dout))

    np.testing.assert_allclose(dx, numerical_gradient(loss_x, xx), rtol=1e-6, atol=1e-8)


def test_a_common_holding_only_some_of_the_books_files_gets_the_stand_ins_for_the_rest(
    tmp_path, monkeypatch, capsys
):
    """common/ with gradient.py only: common.functions is the stand-in's, with a note naming
    the file common/ lacks; the learner's own gradient.py still wins."""
    repo = tmp_path / "repo"
    write(repo / ".git" / "HEAD", "")
    write(repo / "common" / "gradient.py", GRADIENT_PY)
    net_file = write(repo / "ch04" / "two_layer_net.py", CH04_NET)
    learner = load_learner(str(net_file))
    names = learner.cls.__init__.__globals__
    assert names["softmax"].__module__ == "xpnet.functions"
    assert names["numerical_gradient"].__code__.co_filename == str(repo / "common" / "gradient.py")
    assert (
        "two_layer_net.py imports common.functions, and your common/"
        f" ({repo / 'common'}) lacks functions.py: xpnet's stand-in of the book's"
        " common/functions.py answered it, your own files in common/ the rest"
    ) in " ".join(learner.notes)
    assert not [key for key in sys.modules if key.split(".")[0] == "common"]
    monkeypatch.chdir(repo)
    assert main(["check", "ch04/two_layer_net.py"]) == 0
    assert "check PASSED" in capsys.readouterr().out


def test_the_books_modules_imported_bare_are_answered_by_the_stand_in(tmp_path, capsys):
    """`from functions import *` and `from mnist import load_mnist`, the book's files copied
    beside the learner's and not committed: the stand-ins answer them, each with a note."""
    text = CH04_NET.replace("from common.functions import", "from functions import")
    text = text.replace("from common.gradient import", "from gradient import")
    net_file = write(
        tmp_path / "two_layer_net.py",
        "from mnist import load_mnist\n(x_train, t_train), _ = load_mnist()\n" + text,
    )
    learner = load_learner(str(net_file))
    said = " ".join(learner.notes)
    for name in ("functions", "gradient"):
        assert (
            f"two_layer_net.py imports {name}, and no folder holds {name}.py (the book's"
            f" common/{name}.py, copied beside the file?): xpnet's stand-in of the book's"
            f" common/{name}.py answered it"
        ) in said
    assert (
        "two_layer_net.py imports mnist, and no folder holds it (the book's dataset/mnist.py):"
        " xpnet's stand-in answered it, its load_mnist giving the bundled MNIST sample"
    ) in said
    assert learner.cls.__init__.__globals__["x_train"].shape == (4000, 784)
    assert not {"functions", "gradient", "mnist"} & set(sys.modules)
    assert main(["check", str(net_file)]) == 0
    assert "check PASSED" in capsys.readouterr().out


def test_a_package_of_the_learners_mnist_found_nowhere_is_the_stand_in(tmp_path):
    net_file = write(
        tmp_path / "net.py",
        "from data.mnist import load_mnist\n(x_train, _), _ = load_mnist()\n",
    )
    with pytest.raises(NoNetwork) as raised:
        load_learner(str(net_file))
    assert raised.value.namespace["x_train"].shape == (4000, 784)
    assert "net.py imports data.mnist, and no folder holds it" in " ".join(raised.value.notes)
    assert "data" not in sys.modules and "data.mnist" not in sys.modules


@pytest.mark.parametrize(
    ("line", "named", "into"),
    [
        ("from util import im2col", "util, the book's common/util.py", "beside net.py"),
        ("from common.util import im2col", "common.util, the book's common/util.py", "into your"),
        ("from two_layer_net import TwoLayerNet", "ch05/two_layer_net.py (chapter 5)", "beside"),
        ("from optimizer import SGD", "optimizer, the book's common/optimizer.py", "beside"),
    ],
)
def test_a_book_module_found_nowhere_is_named_as_the_books_file_never_pip(
    tmp_path, line, named, into
):
    write(tmp_path / ".git" / "HEAD", "")
    write(tmp_path / "common" / "layers.py", "")  # common/ of the learner's, without util.py
    said = " ".join(refusal(write(tmp_path / "net.py", line + "\n")).split())
    assert said.startswith(f"net.py line 1 imports {line.split()[1]}"), said
    assert named in said
    assert (
        "Copy it from the book's repository,"
        " https://github.com/oreilly-japan/deep-learning-from-scratch, " + into
    ) in said
    assert "pip" not in said
