"""`xpnet check` on a file of chapter 5's layers with no network: layer_naive.py (MulLayer,
AddLayer, and buy_apple.py that imports them) and common/layers.py (Relu, Sigmoid, Affine,
SoftmaxWithLoss, Dropout), each layer checked on its own against the book's numbers of 5.4, xpnet's
functions and the numerical derivative of its own forward; each typical mistake, a one-line edit
of the book's code, is found and said with its fix."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from xpnet.check.chapter5 import NODES, check_layers
from xpnet.cli import main
from xpnet.gradient import numerical_gradient

from .learner_shapes import BOOK, checked_without_network, edited, write


@pytest.fixture(autouse=True)
def _own_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))


# the book's ch05/layer_naive.py, as a learner types it
LAYER_NAIVE = """
class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y
        return out

    def backward(self, dout):
        dx = dout * self.y
        dy = dout * self.x
        return dx, dy


class AddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        out = x + y
        return out

    def backward(self, dout):
        dx = dout * 1
        dy = dout * 1
        return dx, dy
"""
BUY_APPLE = """
from layer_naive import *

apple = 100
apple_num = 2
tax = 1.1
mul_apple_layer = MulLayer()
mul_tax_layer = MulLayer()
apple_price = mul_apple_layer.forward(apple, apple_num)
price = mul_tax_layer.forward(apple_price, tax)
dapple_price, dtax = mul_tax_layer.backward(1)
dapple, dapple_num = mul_apple_layer.backward(dapple_price)
print("price:", int(price))
print("dApple:", dapple)
"""
# what the book's common/layers.py has beside tests/learner/common/layers.py's three
MORE_LAYERS = """


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out
        return dx


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        else:
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b

    def forward(self, x):
        return x

    def backward(self, dout):
        return dout
"""
LAYERS = (BOOK / "common" / "layers.py").read_text() + MORE_LAYERS


def repo(tmp_path):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True, exist_ok=True)
    write(root / "common" / "__init__.py", "")
    write(root / "common" / "functions.py", (BOOK / "common" / "functions.py").read_text())
    return root


def checked(tmp_path, source: str, *, name: str = "common/layers.py", spec: str = ""):
    """The layers' check of a learner's file holding source, in a repository with the book's
    common/functions.py."""
    path = write(repo(tmp_path) / name, source)
    return checked_without_network(f"{path}{spec}", check_layers)


def test_the_books_layers_pass_and_one_of_chapter_7_is_said_not_checked(tmp_path):
    report = checked(tmp_path, LAYERS)
    names = ["Relu", "Affine", "SoftmaxWithLoss", "Sigmoid", "Dropout"]
    assert [r.name for r in report] == names
    assert report.passed and not any(r.reason or r.note for r in report)
    assert report["Affine"].where == "common/layers.py, line 24"
    assert report.skipped == (
        "Convolution (common/layers.py, line 104) is not checked: a layer of chapters 6-7; xpnet"
        " checks chapter 5's (Relu, Sigmoid, Affine, ...)",
    )
    assert "note: Convolution (common/layers.py, line 104) is not checked" in str(report)


def test_the_books_mul_and_add_layers_pass_on_its_numbers(tmp_path):
    report = checked(tmp_path, LAYER_NAIVE, name="ch05/layer_naive.py")
    assert [(r.name, r.where, r.passed) for r in report] == [
        ("MulLayer", "ch05/layer_naive.py, line 1", True),
        ("AddLayer", "ch05/layer_naive.py, line 18", True),
    ]


NAIVE = "ch05/layer_naive.py"
LAYER_MISTAKES = [
    (
        LAYER_NAIVE,
        "dx = dout * self.y\n        dy = dout * self.x",
        "dx = dout * self.x\n        dy = dout * self.y",
        "MulLayer",
        "forward(100, 2) then backward(1.1) is (110, 2.2); it should be (2.2, 110), the book's"
        " 5.4: dx and dy are swapped: dx = dout * self.y; dy = dout * self.x",
    ),
    (
        LAYER_NAIVE,
        "dx = dout * self.y",
        "dx = self.y",
        "MulLayer",
        "is (2, 110); it should be (2.2, 110), the book's 5.4: dx leaves out dout",
    ),
    (
        LAYER_NAIVE,
        "        self.x = x\n        self.y = y\n",
        "",
        "MulLayer",
        "raised TypeError: unsupported operand type(s) for *: 'float' and 'NoneType' in backward"
        " (layer_naive.py, line 11): forward keeps its inputs for backward (self.x = x; self.y"
        " = y)",
    ),
    (
        LAYER_NAIVE,
        "        return dx, dy\n\n\nclass",
        "        return dx\n\n\nclass",
        "MulLayer",
        "returns a float; a node of two inputs returns the gradient of each: return dx, dy",
    ),
    (
        LAYER_NAIVE,
        "out = x + y",
        "out = x * y",
        "AddLayer",
        "forward(200, 450) is 90000; it should",
    ),
    (
        LAYER_NAIVE,
        "dx = dout * self.y\n        dy = dout * self.x",
        "dx = dout * 2\n        dy = dout * 100",
        "MulLayer",
        "forward(3, -2) then backward(1.5) is (3, 150); it should be (-3, 4.5): they are not the"
        " derivatives of its forward: dx = dout * self.y; dy = dout * self.x",
    ),
    (
        LAYERS,
        "        dout[self.mask] = 0\n",
        "",
        "Relu",
        "dx is not the derivative of its forward (relative error 0.91); it passes dout through"
        " unchanged: the mask is missing",
    ),
    (
        LAYERS,
        "self.mask = x <= 0",
        "self.mask = x > 0",
        "Relu",
        "forward(x) of a random x of shape (4, 5) is not max(0, x): where x is -2.425, it is"
        " -2.425, not 0",
    ),
    (
        LAYERS,
        "self.db = np.sum(dout, axis=0)",
        "self.db = np.sum(dout)",
        "Affine",
        "db is the sum of all of dout, one number: sum over the batch only (axis=0)",
    ),
    (
        LAYERS,
        "self.db = np.sum(dout, axis=0)",
        "self.db = np.mean(dout, axis=0)",
        "Affine",
        "db is the mean over the batch, not the sum: self.db = np.sum(dout, axis=0)",
    ),
    (
        LAYERS,
        "self.dW = np.dot(self.x.T, dout)",
        "self.dW = np.dot(dout.T, self.x)",
        "Affine",
        "dW has shape (3, 4), not (4, 3): self.dW = np.dot(self.x.T, dout)",
    ),
    (
        LAYERS,
        "self.dW = np.dot(self.x.T, dout)",
        "dW = np.dot(self.x.T, dout)",
        "Affine",
        "backward keeps no dW: self.dW = np.dot(self.x.T, dout)",
    ),
    (
        LAYERS,
        "dx = np.dot(dout, self.W.T)",
        "dx = np.dot(dout, self.W.T) * 2",
        "Affine",
        "dx is not the derivative of out = x W + b: dx = np.dot(dout, self.W.T)",
    ),
    (
        LAYERS,
        "out = np.dot(self.x, self.W) + self.b",
        "out = np.dot(self.x, self.W)",
        "Affine",
        "is not x W + b: b is not added: out = np.dot(x, self.W) + self.b",
    ),
    (
        LAYERS,
        "dx = (self.y - self.t) / batch_size",
        "dx = self.y - self.t",
        "SoftmaxWithLoss",
        "t one-hot): dx is not the derivative of its forward (relative error 0.67); it is 3 times"
        " it, the batch size: divide by it: dx = (self.y - self.t) / batch_size",
    ),
    (
        LAYERS,
        "            dx = dx / batch_size\n",
        "",
        "SoftmaxWithLoss",
        "t class labels): dx is not the derivative of its forward (relative error 0.67); it is 3"
        " times it, the batch size: divide by it: dx = self.y.copy(); dx[np.arange(batch_size),"
        " self.t] -= 1",
    ),
    (
        LAYERS,
        "self.y = softmax(x)",
        "self.y = np.exp(x - np.max(x)) / np.sum(np.exp(x - np.max(x)))",
        "SoftmaxWithLoss",
        "t one-hot) is 4.13844; cross_entropy_error(softmax(x), t) is 2.98146: softmax over the"
        " whole batch, not row by row (np.max and np.sum without axis",
    ),
    (
        LAYERS,
        "self.y = softmax(x)",
        "self.y = x",
        "SoftmaxWithLoss",
        "forward(x, t) of a batch of 3 (x of shape (3, 10), t one-hot) is nan;"
        " cross_entropy_error(softmax(x), t) is",
    ),
    (
        LAYERS,
        "out = 1 / (1 + np.exp(-x))",
        "out = 1 / (1 + np.exp(x))",
        "Sigmoid",
        "it is the value at -x: a minus sign is missing or extra in 1 / (1 + exp(-x))",
    ),
    (
        LAYERS,
        "self.loss = cross_entropy_error(self.y, self.t)",
        "self.loss = -np.sum(self.t * np.log(self.y + 1e-4))",
        "SoftmaxWithLoss",
        "t one-hot) is 8.9374; cross_entropy_error(softmax(x), t) is 2.98146: the sum over the"
        " batch",
    ),
    (
        LAYERS,
        "dx = dout * (1.0 - self.out) * self.out",
        "dx = dout * self.out",
        "Sigmoid",
        "the derivative of sigmoid is out * (1 - out): (1 - self.out) is missing",
    ),
    (
        LAYERS,
        "dx = dout * (1.0 - self.out) * self.out",
        "dx = dout * (1.0 - self.out) * self.out * 0.5",
        "Sigmoid",
        "dx = backward(dout) after forward(x) of a random x of shape (4, 5): dx is not the"
        " derivative of its forward (relative error 0.5)",
    ),
    (
        LAYERS,
        "out = 1 / (1 + np.exp(-x))",
        "out = 1 / (1 + np.exp(x))",
        "Sigmoid",
        "is not 1 / (1 + exp(-x)): where x is -2.425, it is 0.9187, not 0.08128",
    ),
    (LAYERS, "return dout * self.mask", "return dout", "Dropout", "relative error"),
    (
        LAYERS,
        "        self.out = out\n",
        "",
        "Sigmoid",
        "on xpnet's example it raised TypeError: unsupported operand type(s) for -: 'float' and"
        " 'NoneType' in backward (layers.py, line 83): backward reads what forward keeps",
    ),
    (
        LAYERS,
        "return dout * self.mask",
        "return dout * self.mask * 4",
        "Dropout",
        "it is 4 times the derivative: a constant too many, or too few",
    ),
    (
        LAYER_NAIVE,
        "    def backward(self, dout):\n        dx = dout * 1",
        "    def backward(self, doub):\n        dx = dout * 1",
        "AddLayer",
        "raised NameError: name 'dout' is not defined (did you mean 'doub'?) in backward"
        " (layer_naive.py, line 27)",
    ),
]


@pytest.mark.parametrize(("source", "old", "new", "name", "said"), LAYER_MISTAKES)
def test_each_mistake_is_wrong_and_said(tmp_path, source, old, new, name, said):
    where = NAIVE if source is LAYER_NAIVE else "common/layers.py"
    report = checked(tmp_path, edited(source, old, new), name=where)
    assert not report.passed
    assert [r.name for r in report if not r.passed] == [name]
    assert said in report[name].reason
    assert said.split(":")[0] in " ".join(str(report).split())
    if "NameError" in said:  # no hint of a cause it is not
        assert "forward keeps its inputs" not in report[name].reason


def test_right_layers_written_otherwise_pass(tmp_path):
    """Not the book's text but its mathematics: a ReLU of np.maximum, a loss layer of labels
    only (with a note), an Affine built from two sizes, a node of another operation."""
    source = """
    import numpy as np
    from common.functions import softmax, cross_entropy_error


    class ReLU:
        def forward(self, x):
            self.x = x
            return np.maximum(x, 0)

        def backward(self, dout):
            return dout * (self.x > 0)


    class Dense:
        def __init__(self, n_in, n_out):
            self.W = np.random.randn(n_in, n_out)
            self.b = np.zeros(n_out)

        def forward(self, x):
            self.x = x
            return x @ self.W + self.b

        def backward(self, dout):
            self.dW = self.x.T @ dout
            self.db = dout.sum(axis=0)
            return dout @ self.W.T


    class SoftmaxWithLoss:
        def forward(self, x, t):
            self.t, self.y = t, softmax(x)
            return cross_entropy_error(self.y, t)

        def backward(self, dout=1):
            n = self.y.shape[0]
            dx = self.y.copy()
            dx[np.arange(n), self.t] -= 1
            return dout * dx / n


    class DivLayer:
        def forward(self, x, y):
            self.x, self.y = x, y
            return x / y

        def backward(self, dout):
            return dout / self.y, -dout * self.x / self.y**2
    """
    report = checked(tmp_path, source, name="ch05/mine.py")
    assert [r.name for r in report] == ["ReLU", "Dense", "SoftmaxWithLoss", "DivLayer"]
    assert report.passed, str(report)
    assert "it takes class labels only" in report["SoftmaxWithLoss"].note
    wrong = edited(source, "return dout / self.y, -dout", "return dout / self.y, dout")
    said = checked(tmp_path / "b", wrong, name="ch05/mine.py")["DivLayer"].reason
    assert said.startswith(
        "forward(3, -2) then backward(1.5) is (-0.75, 1.125); it should be (-0.75, -1.125)"
    )
    assert "they are not the derivatives of its forward" in said


def test_the_names_learners_give_pass_a_training_flag_and_db_spelled_db(tmp_path):
    """Found in learners' repositories: forward(self, x, flg_train) with no default (a flag,
    not a second input), and Affine's gradients kept as dW and dB."""
    source = edited(
        edited(LAYERS, "def forward(self, x, train_flg=True):", "def forward(self, x, flg_train):"),
        "if train_flg:",
        "if flg_train:",
    ).replace("self.db", "self.dB")
    report = checked(tmp_path, source)
    assert report.passed, str(report)
    assert report["Dropout"].passed and report["Affine"].passed


def test_a_note_is_printed_as_a_note_and_a_reason_as_a_finding(tmp_path):
    one_hot_only = edited(
        LAYERS,
        """        if self.t.size == self.y.size:  # one-hot targets
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
""",
        "        dx = (self.y - self.t) / batch_size\n",
    )
    text = str(checked(tmp_path, one_hot_only))
    assert "check PASSED" in text
    assert "\nnote: SoftmaxWithLoss: it takes one-hot t only" in text
    assert "\n- " not in text


def test_layers_it_cannot_build_or_repeat_are_said_not_checked(tmp_path):
    source = """
    import numpy as np


    class Scale:
        def __init__(self, factor, offset):
            self.factor = factor

        def forward(self, x):
            return x * self.factor

        def backward(self, dout):
            return dout * self.factor


    class Noise:
        def __init__(self):
            self.rng = np.random.default_rng()

        def forward(self, x):
            return x + self.rng.standard_normal(x.shape)

        def backward(self, dout):
            return dout


    class Stuck:
        def forward(self, x):
            return x

        def backward(self):
            return 1


    class Net:
        def predict(self, x):
            return x

        def forward(self, x):
            return x

        def backward(self, dout):
            return dout


    class Model:
        def loss(self, x, t):
            return 0.0

        def forward(self, x):
            return x

        def backward(self, dout):
            return dout


    class Linear:
        def __init__(self, n_in, n_out):
            self.W = np.zeros((n_out, n_in))
            self.b = np.zeros(n_out)

        def forward(self, x):
            return x @ self.W.T + self.b

        def backward(self, dout):
            return dout @ self.W
    """
    report = checked(tmp_path, source, name="ch05/odd.py")
    assert not report.results
    said = " ".join(report.skipped)
    assert (
        "Scale (ch05/odd.py, line 4) is not checked: its constructor needs factor, offset" in said
    )
    assert (
        "Noise (ch05/odd.py, line 15) is not checked: its forward gives two outputs for one x"
        in said
    )
    assert "built as Linear(4, 3), it keeps no W of shape (4, 3) and b of (3,)" in said
    assert (
        "Stuck (ch05/odd.py, line 26) is not checked: xpnet could not call it as the book's"
        " layers are called: TypeError: Stuck.backward() takes 1 positional argument but 2" in said
    )
    assert "Net" not in said and "Model" not in said  # with predict or loss: a network


def test_a_forward_that_writes_into_its_input_is_right_with_a_note(tmp_path):
    source = edited(
        LAYERS,
        "        out = x.copy()\n        out[self.mask] = 0\n        return out\n",
        "        x[self.mask] = 0\n        return x\n",
    )
    report = checked(tmp_path, source)
    assert report["Relu"].passed
    assert "its forward changes its input x, the caller's array" in report["Relu"].note


def test_a_loss_layer_that_raises_with_both_forms_of_t_is_wrong(tmp_path):
    source = edited(
        LAYERS, "        self.t = t\n", "        self.t = t\n        raise ValueError('no')\n"
    )
    reason = checked(tmp_path, source)["SoftmaxWithLoss"].reason
    assert reason.startswith("on xpnet's example it raised ValueError: no in forward (layers.py")


def test_the_checks_own_numbers_are_the_derivatives():
    """The oracle of the oracle: the book's numbers of 5.4 are the derivatives of x * y and x + y
    times dout, and the Affine formulas are the numerical derivatives of x W + b."""
    for kind, operation in (("mul", np.multiply), ("add", np.add)):
        x, y, dout, value, (dx, dy), _ = NODES[kind]
        assert operation(x, y) == pytest.approx(value)
        assert dx == pytest.approx(dout * (operation(x + 1e-4, y) - operation(x - 1e-4, y)) / 2e-4)
        assert dy == pytest.approx(dout * (operation(x, y + 1e-4) - operation(x, y - 1e-4)) / 2e-4)
    rng = np.random.default_rng(0)
    W, b, x, dout = (rng.standard_normal(s) for s in ((4, 3), (3,), (2, 4), (2, 3)))

    def loss(_):
        return float(np.sum((x @ W + b) * dout))

    np.testing.assert_allclose(numerical_gradient(loss, x), dout @ W.T, rtol=1e-7)
    np.testing.assert_allclose(numerical_gradient(loss, W), x.T @ dout, rtol=1e-7)
    np.testing.assert_allclose(numerical_gradient(loss, b), dout.sum(axis=0), rtol=1e-7)


def test_the_command_line_checks_a_layer_file_a_script_of_layers_and_one_layer(
    tmp_path, monkeypatch, capsys
):
    root = repo(tmp_path)
    write(root / "ch05" / "layer_naive.py", LAYER_NAIVE)
    write(root / "ch05" / "buy_apple.py", BUY_APPLE)
    write(root / "ch05" / "wrong.py", edited(LAYER_NAIVE, "dy = dout * self.x", "dy = self.x"))
    write(root / "common" / "layers.py", LAYERS)
    write(
        root / "ch07" / "conv.py", "class Convolution" + MORE_LAYERS.split("class Convolution")[1]
    )
    monkeypatch.chdir(root)

    def check(spec: str) -> tuple[int, str, str]:
        status = main(["check", spec])
        printed = capsys.readouterr()
        return status, printed.out, printed.err

    status, out, _ = check("ch05/buy_apple.py")
    assert status == 0
    assert out.startswith("xpnet check: the layers of ch05/buy_apple.py by their book names")
    assert "MulLayer  ch05/layer_naive.py, line 1   ok" in out
    assert "check PASSED: 2 of 2 right" in out
    status, out, _ = check("ch05/wrong.py")
    assert status == 1
    assert "check FAILED: 1 of 2 right" in out and "- MulLayer: forward(100, 2) then" in out
    status, out, _ = check("common/layers.py")
    assert status == 0
    assert out.startswith("xpnet check: the functions and layers of common/layers.py")
    assert "check PASSED: 7 of 7 right" in out
    assert "note: Convolution (common/layers.py, line 104) is not checked" in out
    status, out, _ = check("common/layers.py:Affine")
    assert status == 0
    assert out.startswith("xpnet check: Affine of common/layers.py (a layer, on its own)")
    assert "check PASSED: 1 of 1 right" in out and "Relu" not in out
    status, _, err = check("ch07/conv.py")
    assert status == 2
    assert "must define one class with loss(x, t) and gradient(x, t)" in err
    assert "note: Convolution (ch07/conv.py, line 1) is not checked: a layer of chapters 6-7" in err


@pytest.mark.parametrize("order", ["(y, loss)", "(loss, y)"])
def test_a_loss_layer_returning_y_beside_its_loss_is_checked_for_its_loss(tmp_path, order):
    """A learner's design (y, loss = layer.forward(x, t)): its loss is checked, with a note; a
    mistake in that loss is still found."""
    pair = "self.y, self.loss" if order == "(y, loss)" else "self.loss, self.y"
    source = edited(LAYERS, "        return self.loss\n\n    def backward(self, dout=1):",
                    f"        return {pair}\n\n    def backward(self, dout=1):")  # fmt: skip
    report = checked(tmp_path, source)
    assert report["SoftmaxWithLoss"].passed, str(report)
    note = " ".join(report["SoftmaxWithLoss"].note.split())
    assert note.startswith(f"forward(x, t) returns the pair {order}, softmax's output beside")
    assert "return self.loss, and keep y in self.y" in note
    wrong = edited(source, "self.y = softmax(x)", "self.y = np.exp(x) / np.sum(np.exp(x))")
    said = checked(tmp_path / "b", wrong)["SoftmaxWithLoss"]
    assert not said.passed and "softmax over the whole batch" in said.reason


def test_a_loss_layer_returning_two_arrays_is_not_read_as_a_pair(tmp_path):
    source = edited(LAYERS, "        return self.loss\n\n    def backward(self, dout=1):",
                    "        return self.y, self.y\n\n    def backward(self, dout=1):")  # fmt: skip
    said = checked(tmp_path, source)["SoftmaxWithLoss"]
    assert not said.passed and "returns a tuple, not one number" in said.reason


@pytest.mark.parametrize(
    ("dW", "db", "how"),
    [
        ("d_W", "d_b", ""),
        ("grad_W", "gb", ""),
        ("dW_", "b_grad", ""),
        ("weight_update", "d_b", ", the one array of its parameter's shape that backward sets"),
    ],
)
def test_an_affine_keeping_its_gradients_under_its_own_names_is_right_with_a_note(
    tmp_path, dW, db, how
):
    source = LAYERS.replace("self.dW", f"self.{dW}").replace("self.db", f"self.{db}")
    report = checked(tmp_path, source)
    assert report["Affine"].passed, str(report)
    assert report["Affine"].note.startswith(f"its dW is kept as self.{dW}{how}: checked that;")
    assert f"Its db is kept as self.{db}: checked that" in report["Affine"].note
    wrong = edited(source, f"self.{db} = np.sum(dout, axis=0)", f"self.{db} = np.sum(dout)")
    reason = checked(tmp_path / "wrong", wrong)["Affine"].reason
    assert "db is the sum of all of dout, one number" in reason


SECOND_BOOKS_AFFINE = """
import numpy as np

class Affine:
    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        W, b = self.params
        self.x = x
        return np.dot(x, W) + b

    def backward(self, dout):
        W, b = self.params
        dx = np.dot(dout, W.T)
        self.grads[0][...] = np.dot(self.x.T, dout)
        self.grads[1][...] = np.sum(dout, axis=0)
        return dx
"""


def test_an_affine_of_the_second_books_params_and_grads_lists_is_right_with_a_note(tmp_path):
    """The second book's layers keep ``self.params = [W, b]`` and write their gradients into
    ``self.grads`` (as corner0530/my-deep-learning-from-scratch's common/layers.py): read there,
    with a note; a wrong one there is still wrong."""
    report = checked(tmp_path, SECOND_BOOKS_AFFINE)
    assert report["Affine"].passed, str(report)
    note = report["Affine"].note
    assert note.startswith("its dW is kept as self.grads[0] (the second book's grads, beside")
    assert "Its db is kept as self.grads[1]" in note
    wrong = edited(SECOND_BOOKS_AFFINE, "np.sum(dout, axis=0)", "np.sum(dout)")  # broadcast
    reason = checked(tmp_path / "wrong", wrong)["Affine"].reason
    assert "db is not the derivative of out = x W + b: self.db = np.sum(dout, axis=0)" in reason


def test_an_affine_that_keeps_no_gradient_anywhere_is_still_wrong(tmp_path):
    source = LAYERS.replace("self.dW = np.dot(self.x.T, dout)", "pass")
    reason = checked(tmp_path, source)["Affine"].reason
    assert "backward keeps no dW: self.dW = np.dot(self.x.T, dout)" in reason


def test_a_layer_with_forward_and_no_backward_is_said_not_checked(tmp_path):
    source = edited(
        LAYERS,
        "    def backward(self, dout):\n        dout[self.mask] = 0",
        "    def _backward(self, dout):  # not written yet\n        dout[self.mask] = 0",
    )
    report = checked(tmp_path, source)
    assert "Relu" not in [r.name for r in report]
    assert "Relu (common/layers.py, line 8) has forward but no backward: not checked" in (
        report.skipped
    )
