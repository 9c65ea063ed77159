"""Learners' code as it really is, in the shapes found in public repositories of the book's
exercises, written here from scratch (no code of those repositories): the layouts (common/ beside
the file, in the parent, at the repository's root; sys.path.append(os.pardir), '.', os.getcwd(),
an absolute path of another machine), the networks (chapter 5 with layers, chapter 4 with one-hot
targets, chapter 4 with only numerical_gradient, a MultiLayerNet with hidden_size_list and
keyword-only options), import-time work (MNIST loaded and a training loop without a __main__
guard), and the typical mistakes, each a one-line edit of the good code.

``oracle_passes`` is the independent judge: plain NumPy central differences of ``net.loss`` over
every entry, against the method under test.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

BOOK = Path(__file__).resolve().parents[1] / "learner"  # the book's chapter-5 net and common/

GRADIENT_PY = """
import numpy as np


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        tmp = x[idx]
        x[idx] = tmp + h
        fxh1 = f(x)
        x[idx] = tmp - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp
    return grad
"""

CH04_NET = """
import numpy as np
from common.functions import softmax, cross_entropy_error
from common.gradient import numerical_gradient


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {}
        self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)

    def predict(self, x):
        a1 = np.dot(x, self.params['W1']) + self.params['b1']
        z1 = sigmoid(a1)
        return softmax(np.dot(z1, self.params['W2']) + self.params['b2'])

    def loss(self, x, t):
        return cross_entropy_error(self.predict(x), t)

    def numerical_gradient(self, x, t):
        loss_W = lambda W: self.loss(x, t)
        return {key: numerical_gradient(loss_W, self.params[key]) for key in self.params}

    def gradient(self, x, t):
        W1, W2 = self.params['W1'], self.params['W2']
        batch_num = x.shape[0]
        a1 = np.dot(x, W1) + self.params['b1']
        z1 = sigmoid(a1)
        y = softmax(np.dot(z1, W2) + self.params['b2'])
        dy = (y - t) / batch_num
        grads = {}
        grads['W2'] = np.dot(z1.T, dy)
        grads['b2'] = np.sum(dy, axis=0)
        dz1 = np.dot(dy, W2.T)
        da1 = sigmoid(a1) * (1 - sigmoid(a1)) * dz1
        grads['W1'] = np.dot(x.T, da1)
        grads['b1'] = np.sum(da1, axis=0)
        return grads
"""

MULTI_LAYER_NET = """
from collections import OrderedDict

import numpy as np
from common.layers import Affine, Relu, SoftmaxWithLoss


class MultiLayerNet:
    def __init__(self, input_size, hidden_size_list, output_size, *, weight_init_std=0.1,
                 weight_decay_lambda=0, use_batchnorm=False):
        sizes = [input_size] + list(hidden_size_list) + [output_size]
        self.hidden_layer_num = len(hidden_size_list)
        self.weight_decay_lambda = weight_decay_lambda
        self.params = {}
        self.layers = OrderedDict()
        for i in range(1, len(sizes)):
            self.params['W%d' % i] = weight_init_std * np.random.randn(sizes[i - 1], sizes[i])
            self.params['b%d' % i] = np.zeros(sizes[i])
            self.layers['Affine%d' % i] = Affine(self.params['W%d' % i], self.params['b%d' % i])
            if i < len(sizes) - 1:
                self.layers['Relu%d' % i] = Relu()
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        decay = 0
        for i in range(1, self.hidden_layer_num + 2):
            decay += 0.5 * self.weight_decay_lambda * np.sum(self.params['W%d' % i] ** 2)
        return self.last_layer.forward(self.predict(x), t) + decay

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for i in range(1, self.hidden_layer_num + 2):
            layer = self.layers['Affine%d' % i]
            grads['W%d' % i] = layer.dW + self.weight_decay_lambda * layer.W
            grads['b%d' % i] = layer.db
        return grads
"""

MNIST_PY = """
import os
import urllib.request

import numpy as np

URL = "http://yann.lecun.com/exdb/mnist/"


def load_mnist(normalize=True, flatten=True, one_hot_label=False):
    here = os.path.dirname(__file__)
    urllib.request.urlretrieve(URL + "train-images-idx3-ubyte.gz", os.path.join(here, "x.gz"))
    raise RuntimeError("this learner's load_mnist downloads: xpnet check must not call it")
"""

TRAIN_AT_IMPORT = """

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
print("training")
for i in range(10 ** 9):  # no __main__ guard: this runs when the file is imported
    batch_mask = np.random.choice(x_train.shape[0], 100)
    grad = network.gradient(x_train[batch_mask], t_train[batch_mask])
    for key in ('W1', 'b1', 'W2', 'b2'):
        network.params[key] -= 0.1 * grad[key]
"""


def book_repo(root: Path, *, chapter: str = "ch05", header: str = "") -> Path:
    """A repository as the book lays it out: root/common/, root/<chapter>/two_layer_net.py
    (the chapter-5 net), with ``header`` (path tricks) at the top of the net's file. Returns the
    net's path. A .git folder marks the repository's root."""
    (root / ".git").mkdir(parents=True, exist_ok=True)
    shutil.copytree(BOOK / "common", root / "common", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "common" / "gradient.py").write_text(GRADIENT_PY)
    net = root / chapter / "two_layer_net.py"
    net.parent.mkdir(parents=True, exist_ok=True)
    net.write_text(textwrap.dedent(header) + (BOOK / "two_layer_net.py").read_text())
    return net


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    path.write_text(text.replace(old, new))
    return path


def batch(D: int = 12, C: int = 4, N: int = 3, seed: int = 1):
    rng = np.random.default_rng(seed)
    return rng.random((N, D)), rng.permutation(C)[:N]


def oracle_passes(net, x, t, *, method: str = "gradient", tolerance: float = 1e-4) -> bool:
    """The independent judge: the method's dict against NumPy central differences (h = 1e-5)
    of net.loss over every entry, max |difference| / largest |entry| <= tolerance."""
    grads = getattr(net, method)(x, t)
    for name, W in net.params.items():
        g = grads.get(name)
        if g is None or np.shape(g) != W.shape:
            return False
        numerical = np.zeros_like(W)
        for index in np.ndindex(*W.shape):
            keep = W[index]
            W[index] = keep + 1e-5
            up = float(net.loss(x, t))
            W[index] = keep - 1e-5
            down = float(net.loss(x, t))
            W[index] = keep
            numerical[index] = (up - down) / 2e-5
        scale = max(np.abs(numerical).max(), np.abs(g).max())
        if scale > 0 and np.abs(g - numerical).max() / scale > tolerance:
            return False
    return True


def edited(source: str, old: str, new: str) -> str:
    """source with old, which occurs in it once, replaced by new."""
    assert source.count(old) == 1, old
    return source.replace(old, new)


def checked_without_network(spec: str, check):
    """check(namespace, only=...) of the learner's file ``spec`` (FILE.py[:CLASS]) that holds no
    network: the report, which must not be None."""
    from xpnet.check.found import NoNetwork
    from xpnet.check.learner import load_learner

    with pytest.raises(NoNetwork) as raised:
        load_learner(spec)
    report = check(raised.value.namespace, only=raised.value.only)
    assert report is not None
    return report


def refusal(path: Path) -> str:
    """The message of the LearnerError that loading the learner's file at path raises."""
    from xpnet.check.learner import LearnerError, load_learner

    with pytest.raises(LearnerError) as error:
        load_learner(str(path))
    return str(error.value)
