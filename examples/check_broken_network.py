"""Check your own network: xpnet.check_network finds the mistake in a learner's TwoLayerNet.

A learner's chapter-5 network, written the book's way (Affine, Relu and SoftmaxWithLoss layers
in an OrderedDict, the book's -log(y + 1e-7)), each time with one mistake (--mistake):
  w2-from-affine1  gradient() collects W2's gradient from the first Affine layer
  sum              SoftmaxWithLoss.backward forgets to divide by the batch size
  copies           the first Affine layer holds copies of W1 and b1
  none             no mistake: the book's network, which passes
(default: all four in turn), checked on the first 3 images of the bundled MNIST sample in float64
on the chosen backend. Prints check_network's report for each: the table (largest |entry| of
backprop's and of the numerical gradient, their max and mean abs difference, the relative error),
then which parameters are wrong, why, and where the mistake lies. `xpnet check
my_two_layer_net.py` does the same for a file.

    python examples/check_broken_network.py --device cpu [--mistake sum]
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from array_api_compat import array_namespace

import xpnet
from xpnet.cli import example_parser, parse_backend
from xpnet.cli.argparsing import positive_int

MISTAKES = ("w2-from-affine1", "sum", "copies", "none")


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        xp = array_namespace(dout)
        self.dW = self.x.T @ dout
        self.db = xp.sum(dout, axis=0)
        return dout @ self.W.T


class Relu:
    def forward(self, x):
        xp = array_namespace(x)
        self.mask = x <= 0
        return xp.where(self.mask, xp.zeros_like(x), x)

    def backward(self, dout):
        xp = array_namespace(dout)
        return xp.where(self.mask, xp.zeros_like(dout), dout)


class SoftmaxWithLoss:
    def __init__(self, mistake):
        self.mistake = mistake

    def forward(self, x, t):
        self.t, self.y = t, xpnet.softmax(x)
        return xpnet.cross_entropy_error(self.y, t)  # the book's, with its + 1e-7

    def backward(self, dout=1):
        dx = self.y - xpnet.one_hot(self.t, self.y.shape[1], dtype=self.y.dtype)
        if self.mistake == "sum":
            return dx  # the mistake: the loss is a mean over the batch, so divide by N
        return dx / self.t.shape[0]


class TwoLayerNet:
    """The learner's network: params is a dict of backend arrays, the layers hold them."""

    def __init__(self, backend, input_size, hidden_size, output_size, mistake, seed=0):
        rng = np.random.default_rng(seed)
        sizes = {"W1": (input_size, hidden_size), "W2": (hidden_size, output_size)}
        self.params = {
            "W1": backend.asarray(0.01 * rng.standard_normal(sizes["W1"]), dtype="float64"),
            "b1": backend.asarray(np.zeros(hidden_size), dtype="float64"),
            "W2": backend.asarray(0.01 * rng.standard_normal(sizes["W2"]), dtype="float64"),
            "b2": backend.asarray(np.zeros(output_size), dtype="float64"),
        }
        xp, W1, b1 = backend.xp, self.params["W1"], self.params["b1"]
        if mistake == "copies":  # the mistake: perturbing params["W1"] no longer reaches it
            W1, b1 = xp.asarray(W1, copy=True), xp.asarray(b1, copy=True)
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(W1, b1)
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = SoftmaxWithLoss(mistake)
        self.mistake = mistake

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        grads["W1"], grads["b1"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W2"], grads["b2"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        if self.mistake == "w2-from-affine1":  # the mistake: the wrong layer
            grads["W2"] = self.layers["Affine1"].dW
        return grads


def parse_args(argv):
    parser = example_parser(__doc__)
    parser.add_argument("--mistake", choices=(*MISTAKES, "all"), default="all")
    parser.add_argument(
        "--hidden-size", type=positive_int, default=50, help="hidden units (default: 50)"
    )
    return parse_backend(parser, argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    backend = args.backend
    print(f"# {backend.describe()}")
    (x_train, t_train), _ = xpnet.load_mnist_sample()
    x, t = backend.asarray(x_train[:3], dtype="float64"), backend.asarray(t_train[:3])
    for mistake in MISTAKES if args.mistake == "all" else (args.mistake,):
        net = TwoLayerNet(backend, 784, args.hidden_size, 10, mistake)
        print(f"\n== mistake: {mistake}")
        print(xpnet.check_network(net, x, t))


if __name__ == "__main__":
    main()
