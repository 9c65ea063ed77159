"""The gradient of a neural network's loss: the book's section 4.4.2 (simpleNet).

With the book's weight W (2 x 3), input x = [0.6, 0.9] and target t = [0, 0, 1], prints
  predict(x)       the book: [1.05414809 0.63071653 1.1328074 ]   (argmax 2)
  loss(x, t)       the book: 0.92806853663411326; xpnet: 0.9280682857864075, because the book
                   printed it without the 1e-7 that cross_entropy_error adds inside the log
  dW = numerical_gradient(lambda W: net.loss(x, t), net.W)
                   the book: [[ 0.21924763  0.14356247 -0.36281009]
                              [ 0.32887144  0.2153437  -0.54421514]]  (xpnet: ~1e-7 off, ditto)
With --random-W, W is drawn from a standard normal with the seeded generator (--seed) instead,
as the book's np.random.randn does. Everything is an array of the chosen backend; draws no figure.

    python examples/simple_net.py --device cpu [--random-W --seed 1]
"""

from __future__ import annotations

import numpy as np

import xpnet
from xpnet.backends import to_numpy
from xpnet.cli import example_parser, parse_backend
from xpnet.cli.argparsing import seed


def parse_args(argv):
    parser = example_parser(__doc__)
    parser.add_argument("--random-W", action="store_true", help="a seeded random W, not the book's")
    parser.add_argument("--seed", type=seed, default=0, help="seed of --random-W (default: 0)")
    return parse_backend(parser, argv)


BOOK_W = [[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]]
BOOK = {  # what the book prints for BOOK_W
    "predict(x)": "[1.05414809 0.63071653 1.1328074 ]",
    "loss": "0.92806853663411326",
    "dW": "[[ 0.21924763  0.14356247 -0.36281009]\n [ 0.32887144  0.2153437  -0.54421514]]",
}


def show(name: str, text: str, book: bool) -> None:
    print(f"{name}:\n{text}" if "\n" in text else f"{name}: {text}")
    if book:
        print(f"  (book: {BOOK[name]})" if "\n" not in BOOK[name] else f"  book:\n{BOOK[name]}")


def main(argv=None) -> None:
    args = parse_args(argv)
    backend = args.backend
    print(f"# {backend.describe()}")

    book = not args.random_W
    net = xpnet.SimpleNet(
        None if args.random_W else BOOK_W, xp=backend.xp, device=backend.device, seed=args.seed
    )
    which = f"standard normal, seed {args.seed}" if args.random_W else "the book's"
    print(f"W ({which}):\n{np.array2string(to_numpy(net.W), precision=8)}")

    x = backend.asarray([0.6, 0.9], dtype="float64")
    t = backend.asarray([0, 0, 1])  # one-hot: the true class is 2
    p = net.predict(x)
    show("predict(x)", np.array2string(to_numpy(p), precision=8), book)
    print(f"argmax: {int(backend.xp.argmax(p))}")
    # The book printed its loss and dW without the 1e-7 guard inside the log: -log(softmax(p)[2])
    # is 0.92806853875 (0.92806853663 with the book's W before rounding to 8 digits). xpnet's
    # cross_entropy_error, like the book's published code, adds 1e-7: 0.9280682857864075.
    show("loss", repr(float(net.loss(x, t))), book)

    # dW differs from the book's by ~1e-7 for the same reason: d/dy log(y + 1e-7) = 1/(y + 1e-7);
    # without the guard, it is the book's to all 8 printed digits.
    # The book's f = lambda W: net.loss(x, t) ignores its argument and reads net.W, which
    # numerical_gradient perturbs in place. JAX's arrays are immutable: there it perturbs copies,
    # so f puts the one it is given into the net (on NumPy, net.W itself: the book's closure).
    def f(W):
        net.W = W
        return net.loss(x, t)

    dW = xpnet.numerical_gradient(f, net.W)
    show("dW", np.array2string(to_numpy(dW), precision=8), book)


if __name__ == "__main__":
    main()
