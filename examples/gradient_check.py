"""Gradient check: backpropagation against the numerical gradient, the book's section 5.7.3.

Builds the 784-50-10 TwoLayerNet twice -- with ReLU (chapter 5) and with sigmoid (chapter 4) --
and compares net.gradient (backprop) with net.numerical_gradient on the first 3 images of the
bundled MNIST sample, in float64 on the chosen backend. Prints xpnet's gradient_check table
(per parameter: the largest |entry| of each gradient, the max and mean abs difference and the
relative error: the columns of `xpnet check`) and the time each check took.
The book prints the mean abs difference for its ReLU net:
  W1 2.2e-13   b1 9.7e-13   W2 8.4e-13   b2 1.2e-10
(b2's is largest: the central difference's own error, about h^2/6 times the third derivative,
is largest where the loss curves most, and that is along b2, the logits' direct offsets).
Draws no figure.

    python examples/gradient_check.py --device cpu
"""

from __future__ import annotations

import time

import xpnet
from xpnet.cli import example_parser, parse_backend
from xpnet.cli.argparsing import positive_int, seed

BOOK_MEAN_ABS = {"W1": 2.2e-13, "b1": 9.7e-13, "W2": 8.4e-13, "b2": 1.2e-10}


def parse_args(argv):
    parser = example_parser(__doc__)
    parser.add_argument(
        "--samples", type=positive_int, default=3, help="images to check on (default: 3)"
    )
    parser.add_argument(
        "--hidden-size", type=positive_int, default=50, help="hidden units (default: 50)"
    )
    parser.add_argument("--seed", type=seed, default=0, help="seed of the weights (default: 0)")
    return parse_backend(parser, argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    backend = args.backend
    print(f"# {backend.describe()}")

    (x_train, t_train), _ = xpnet.load_mnist_sample()
    x = backend.asarray(x_train[: args.samples], dtype="float64")
    t = backend.asarray(t_train[: args.samples])
    for activation, chapter in (("relu", 5), ("sigmoid", 4)):
        net = xpnet.TwoLayerNet(
            784,
            args.hidden_size,
            10,
            activation=activation,
            xp=backend.xp,
            device=backend.device,
            seed=args.seed,
        )
        start = time.perf_counter()
        check = xpnet.gradient_check(net, x, t)
        seconds = time.perf_counter() - start
        print(
            f"\nTwoLayerNet(784, {args.hidden_size}, 10), {activation} (chapter {chapter}),"
            f" {args.samples} images: {seconds:.2f} s"
        )
        print(check)
    book = "   ".join(f"{key} {value:.1e}" for key, value in BOOK_MEAN_ABS.items())
    print(f"\nthe book's mean abs differences (ReLU net, its own weights): {book}")


if __name__ == "__main__":
    main()
