# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 5.7.3: check your own network
#
# A learner's chapter-5 network, written the book's way, with one mistake: `gradient()`
# collects W2's gradient from the first Affine layer. `xpnet.check_network` says which
# parameter is wrong, and why.

# %%
from collections import OrderedDict

import numpy as np

import xpnet


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW, self.db = self.x.T @ dout, np.sum(dout, axis=0)
        return dout @ self.W.T


class Relu:
    def forward(self, x):
        self.mask = x <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout):
        return np.where(self.mask, 0.0, dout)


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t, self.y = t, xpnet.softmax(x)
        return xpnet.cross_entropy_error(self.y, t)

    def backward(self, dout=1):
        return (self.y - np.eye(self.y.shape[1])[self.t]) / self.t.shape[0]


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        rng = np.random.default_rng(0)
        self.params = {
            "W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        return {
            "W1": self.layers["Affine1"].dW,
            "b1": self.layers["Affine1"].db,
            "W2": self.layers["Affine1"].dW,  # the mistake: W2's gradient is Affine2's
            "b2": self.layers["Affine2"].db,
        }


(x_train, t_train), _ = xpnet.load_mnist_sample()
x, t = x_train[:3].astype(np.float64), t_train[:3]
report = xpnet.check_network(TwoLayerNet(784, 50, 10), x, t)
report

# %% [markdown]
# `report.passed` is False, and each parameter's result is there too:

# %%
report.passed, report["W2"].passed, report["W1"].passed
