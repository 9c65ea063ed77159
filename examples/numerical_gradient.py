"""Numerical differentiation and the gradient: the book's sections 4.3.2 and 4.4.

Prints numerical_diff of f(x) = 0.01x^2 + 0.1x at x = 5 and x = 10 (the book: 0.1999999999990898
and 0.2999999999986347; the true derivatives are 0.2 and 0.3), then the numerical gradient of
f(x0, x1) = x0^2 + x1^2 at (3, 4), (0, 2) and (3, 0) (the book: [6. 8.], [0. 4.], [6. 0.]).
The points are arrays of the chosen backend, and so are the gradients. Draws no figure.

    python examples/numerical_gradient.py --device cpu    # or cuda; --backend torch
"""

from __future__ import annotations

import numpy as np
from array_api_compat import device as device_of

import xpnet
from xpnet.backends import to_numpy
from xpnet.cli import example_parser, parse_backend


def parse_args(argv):
    parser = example_parser(__doc__)
    return parse_backend(parser, argv)


def function_1(x):
    """The book's 0.01x^2 + 0.1x."""
    return 0.01 * x**2 + 0.1 * x


def function_2(x):
    """The book's x0^2 + x1^2. x: (2,) -> a 0-d array."""
    return x[0] ** 2 + x[1] ** 2


def main(argv=None) -> None:
    args = parse_args(argv)
    backend = args.backend
    print(f"# {backend.describe()}")

    print("4.3.2 numerical_diff(function_1, x), function_1(x) = 0.01x^2 + 0.1x")
    for x, book in ((5.0, 0.1999999999990898), (10.0, 0.2999999999986347)):
        slope = float(xpnet.numerical_diff(function_1, backend.asarray(x)))
        print(f"  x = {x:4}: {slope!r}  (book: {book!r})")

    print("4.4 numerical_gradient(function_2, x), function_2(x) = x0^2 + x1^2")
    for point, book in (((3.0, 4.0), "[6. 8.]"), ((0.0, 2.0), "[0. 4.]"), ((3.0, 0.0), "[6. 0.]")):
        grad = xpnet.numerical_gradient(function_2, backend.asarray(point, dtype="float64"))
        print(f"  x = {point}: {np.array2string(to_numpy(grad))}  (book: {book})")
    kind = f"{type(grad).__module__.split('.')[0]}.{type(grad).__name__}"
    print(f"  each gradient is a {kind}, {grad.dtype}, on {device_of(grad)}")


if __name__ == "__main__":
    main()
