"""Gradient descent on f(x0, x1) = x0^2 + x1^2: the book's section 4.4.1, Figure 4-10.

Starts at (-3, 4) and takes 100 steps x <- x - lr * grad f(x) (numerical gradient, on the
chosen backend) with three learning rates, and prints where each ends; the book prints
  lr = 0.1:   [-6.11110793e-10  8.14814391e-10]  (converges to the minimum at the origin)
  lr = 10:    [-2.58983747e+13 -1.29524862e+12]  (too large: diverges, x <- -19 x, until
               x + h == x in float64 near 1e13: the numerical gradient is then 0, x stops)
  lr = 1e-10: [-2.99999994  3.99999992]          (too small: barely moves)
Draws the paths over the contour lines of f, and each path's distance from the origin per step
(log scale), into gradient_descent.png in --out.

    python examples/gradient_descent.py --device cpu --out out/examples
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import xpnet
from xpnet.backends import to_numpy
from xpnet.cli import example_parser, parse_backend
from xpnet.plot import plot_descent_paths


def parse_args(argv):
    parser = example_parser(__doc__)
    return parse_backend(parser, argv)


def function_2(x):
    """The book's x0^2 + x1^2. x: (2, ...) -> x's shape without the first axis.

    Squared as x * x, one correctly rounded product in every library, as NumPy's x**2 is: CuPy's
    x**2 is CUDA's pow(), which may be an ulp off, and the lr = 10 run below turns such ulps into
    a different end point (past 1e10, f(x + h) - f(x - h) is mostly rounding).
    """
    x0, x1 = x[0, ...], x[1, ...]  # "..." : the standard's index for any rank
    return x0 * x0 + x1 * x1


BOOK = {  # learning rate -> where the book's 100 steps from (-3, 4) end
    0.1: "[-6.11110793e-10  8.14814391e-10]",
    10.0: "[-2.58983747e+13 -1.29524862e+12]",
    1e-10: "[-2.99999994  3.99999992]",
}


def main(argv=None) -> None:
    args = parse_args(argv)
    backend = args.backend
    print(f"# {backend.describe()}")

    init_x = backend.asarray([-3.0, 4.0], dtype="float64")
    paths = {}
    print("gradient_descent(function_2, init_x=[-3. 4.], lr, step_num=100) ends at")
    for lr, book in BOOK.items():
        x, history = xpnet.gradient_descent(
            function_2, init_x, lr=lr, step_num=100, return_history=True
        )
        print(f"  lr = {lr:<5g}: {np.array2string(to_numpy(x))}  (book: {book})")
        paths[f"lr = {lr:g}"] = to_numpy(history)
    stuck = int(np.argmax((paths["lr = 10"] == paths["lr = 10"][-1]).all(axis=1)))
    print(f"  (lr = 10 stops moving at step {stuck}: past 1e12, x + h rounds to x, grad = 0)")

    grid = np.linspace(-4.5, 4.5, 91)
    X, Y = np.meshgrid(grid, grid)
    Z = function_2(backend.asarray(np.stack([X, Y]), dtype="float64"))  # f on the whole grid
    path = plot_descent_paths(
        paths,
        Path(args.out) / "gradient_descent.png",
        contour=(X, Y, to_numpy(Z)),
        title="gradient descent from (-3, 4), 100 steps",
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
