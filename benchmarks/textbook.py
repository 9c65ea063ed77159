"""The textbook, xpnet's first peer: the book's ch05 code as it ships, kept verbatim.

From common/layers.py, common/functions.py, common/gradient.py, ch05/two_layer_net.py and
ch05/train_neuralnet.py, except that TwoLayerNet takes its initial weights and a dtype, so that
every contestant starts from the same weights. ``np.dot``, ``x.copy()``, fancy-index writes and
the global ``np.random`` are the book's, on purpose.

Every contestant (this one, torch_peers.py's, contestants.Xpnet) has the same three methods,
which the suites call: ``fresh(init, seed)`` builds a new network from the initial weights
(untimed set-up, measured apart); ``train(iters_num, evaluate=...)`` continues the book's loop
for iters_num steps (step i evaluates train and test accuracy over the whole sets when
i % 600 == 0 and evaluate is set) and returns the last evaluation; ``synchronize()`` waits for
the device.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

BATCH_SIZE = 100  # the book's settings
LEARNING_RATE = 0.1
SIZES = (784, 50, 10)


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)  # オーバーフロー対策
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)

    # 教師データがone-hot-vectorの場合、正解ラベルのインデックスに変換
    if t.size == y.size:
        t = t.argmax(axis=1)

    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


def numerical_gradient(f, x):
    h = 1e-4  # 0.0001
    grad = np.zeros_like(x)

    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        x[idx] = float(tmp_val) + h
        fxh1 = f(x)  # f(x+h)

        x[idx] = tmp_val - h
        fxh2 = f(x)  # f(x-h)
        grad[idx] = (fxh1 - fxh2) / (2 * h)

        x[idx] = tmp_val  # 値を元に戻す
        it.iternext()

    return grad


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0

        return out

    def backward(self, dout):
        dout[self.mask] = 0
        dx = dout

        return dx


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b

        self.x = None
        self.original_x_shape = None
        # 重み・バイアスパラメータの微分
        self.dW = None
        self.db = None

    def forward(self, x):
        # テンソル対応
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x

        out = np.dot(self.x, self.W) + self.b

        return out

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)

        dx = dx.reshape(*self.original_x_shape)  # 入力データの形状に戻す（テンソル対応）
        return dx


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None  # softmaxの出力
        self.t = None  # 教師データ

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)

        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:  # 教師データがone-hot-vectorの場合
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size

        return dx


class TwoLayerNet:
    """ch05/two_layer_net.py. Changed: ``init`` (initial W1 b1 W2 b2) and ``dtype`` (the book:
    0.01 * np.random.randn(...), float64)."""

    def __init__(
        self, input_size, hidden_size, output_size, weight_init_std=0.01, *, init=None, dtype=None
    ):
        # 重みの初期化
        self.params = {}
        if init is None:
            self.params["W1"] = weight_init_std * np.random.randn(input_size, hidden_size)  # noqa: NPY002
            self.params["b1"] = np.zeros(hidden_size)
            self.params["W2"] = weight_init_std * np.random.randn(hidden_size, output_size)  # noqa: NPY002
            self.params["b2"] = np.zeros(output_size)
        else:
            for key in ("W1", "b1", "W2", "b2"):
                self.params[key] = np.array(init[key], dtype=dtype or np.float64)

        # レイヤの生成
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])

        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)

        return x

    # x:入力データ, t:教師データ
    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def accuracy(self, x, t):
        y = self.predict(x)
        y = np.argmax(y, axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)

        accuracy = np.sum(y == t) / float(x.shape[0])
        return accuracy

    # x:入力データ, t:教師データ
    def numerical_gradient(self, x, t):
        def loss_W(W):
            return self.loss(x, t)

        grads = {}
        grads["W1"] = numerical_gradient(loss_W, self.params["W1"])
        grads["b1"] = numerical_gradient(loss_W, self.params["b1"])
        grads["W2"] = numerical_gradient(loss_W, self.params["W2"])
        grads["b2"] = numerical_gradient(loss_W, self.params["b2"])

        return grads

    def gradient(self, x, t):
        # forward
        self.loss(x, t)

        # backward
        dout = 1
        dout = self.lastLayer.backward(dout)

        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)

        # 設定
        grads = {}
        grads["W1"], grads["b1"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W2"], grads["b2"] = self.layers["Affine2"].dW, self.layers["Affine2"].db

        return grads


def one_hot(t, classes=10, dtype=np.float64):
    """The book's load_mnist(one_hot_label=True): np.zeros((N, 10)) with ones, float64."""
    T = np.zeros((t.size, classes), dtype=dtype)
    T[np.arange(t.size), t] = 1
    return T


class Textbook:
    """ch05/train_neuralnet.py. The book's run: x float32 (as load_mnist(normalize=True) gives
    it), one-hot labels and weights float64. dtype="float32" makes the weights and one-hot labels
    float32 as well."""

    device = "cpu"

    def __init__(self, data, dtype="float64"):
        (x_train, t_train), (x_test, t_test) = data
        self.name, self.dtype = f"textbook numpy {dtype}", dtype
        self.x_train, self.x_test = x_train, x_test
        self.t_train = one_hot(t_train, dtype=dtype)  # load_mnist(one_hot_label=True)
        self.t_test = one_hot(t_test, dtype=dtype)

    def fresh(self, init, seed):
        np.random.seed(seed)  # noqa: NPY002 -- the book draws batches from the global generator
        self.network = TwoLayerNet(*SIZES, init=init, dtype=self.dtype)
        self.iteration = 0
        self.train_loss_list, self.train_acc_list, self.test_acc_list = [], [], []

    def train(self, iters_num, *, evaluate=True):
        network = self.network
        x_train, t_train, x_test, t_test = self.x_train, self.t_train, self.x_test, self.t_test
        train_size = x_train.shape[0]
        batch_size = BATCH_SIZE
        learning_rate = LEARNING_RATE
        iter_per_epoch = max(train_size / batch_size, 1)

        for i in range(self.iteration, self.iteration + iters_num):
            batch_mask = np.random.choice(train_size, batch_size)  # noqa: NPY002
            x_batch = x_train[batch_mask]
            t_batch = t_train[batch_mask]

            # 勾配
            grad = network.gradient(x_batch, t_batch)

            # 更新
            for key in ("W1", "b1", "W2", "b2"):
                network.params[key] -= learning_rate * grad[key]

            loss = network.loss(x_batch, t_batch)
            self.train_loss_list.append(loss)

            if evaluate and i % iter_per_epoch == 0:
                train_acc = network.accuracy(x_train, t_train)
                test_acc = network.accuracy(x_test, t_test)
                self.train_acc_list.append(train_acc)
                self.test_acc_list.append(test_acc)
        self.iteration += iters_num
        return self.last_evaluation()

    def last_evaluation(self):
        if not self.test_acc_list:
            return {}
        return {
            "train_acc": float(self.train_acc_list[-1]),
            "test_acc": float(self.test_acc_list[-1]),
            "loss": float(self.train_loss_list[-1]),
        }

    def synchronize(self):
        pass
