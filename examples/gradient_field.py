"""The gradient field of f(x0, x1) = x0^2 + x1^2: the book's section 4.4, Figure 4-9.

Computes the numerical gradient at each point of the grid -2, -1.75, ..., 2 in both axes
(17 x 17 points; the book's np.arange(-2, 2.5, 0.25) also has 2.25, outside its plot) with
numerical_gradient_rows on the chosen backend, and draws -grad f as arrows (quiver): every
arrow points to the minimum at the origin, longer the farther away. Prints the grid size, a few
of the vectors, how many arrows point towards the origin, and the PNG's path
(gradient_field.png in --out).

    python examples/gradient_field.py --device cpu --out out/examples
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import xpnet
from xpnet.backends import to_numpy
from xpnet.cli import example_parser, parse_backend
from xpnet.plot import plot_gradient_field


def parse_args(argv):
    parser = example_parser(__doc__)
    return parse_backend(parser, argv)


def function_2(x):
    """The book's x0^2 + x1^2. x: (2,) -> a 0-d array."""
    return x[0] ** 2 + x[1] ** 2


def main(argv=None) -> None:
    args = parse_args(argv)
    backend = args.backend
    print(f"# {backend.describe()}")

    x0 = np.linspace(-2.0, 2.0, 17)  # step 0.25
    X, Y = np.meshgrid(x0, x0)
    points = backend.asarray(np.stack([X.ravel(), Y.ravel()], axis=1), dtype="float64")
    grad = xpnet.numerical_gradient_rows(function_2, points)  # (289, 2), on the backend
    print(f"grad f at {points.shape[0]} points ({x0.size} x {x0.size} grid, step 0.25)")

    host_points, host_grad = to_numpy(points), to_numpy(grad)
    for corner in ((-2.0, -2.0), (2.0, 1.0), (0.0, 0.0)):
        i = int(np.flatnonzero((host_points == corner).all(axis=1))[0])
        arrow = -host_grad[i] + 0.0  # + 0.0 turns -0.0 into 0.0
        print(f"  -grad f at {corner}: {np.array2string(arrow, precision=4)}")
    # -grad . x = -2 |x|^2 < 0: the arrow points towards the origin wherever x is not 0
    inward = np.einsum("ij,ij->i", -host_grad, host_points) < 0
    print(
        f"arrows pointing towards the origin: {int(inward.sum())} of {inward.size}"
        " (the one left is the origin itself)"
    )

    U, V = (-host_grad[:, k].reshape(X.shape) for k in (0, 1))
    path = plot_gradient_field(
        X, Y, U, V, Path(args.out) / "gradient_field.png", title="-grad f, f = x0² + x1²"
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
