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
# # Chapter 4.3-4.4: numerical differentiation and the gradient
#
# The central difference with the book's h = 1e-4, then the gradient of
# $f(x_0, x_1) = x_0^2 + x_1^2$ at three points and over a grid (Figure 4-9).

# %%
import numpy as np
from IPython.display import Image

import xpnet
from xpnet.plot import plot_gradient_field


def function_1(x):
    return 0.01 * x**2 + 0.1 * x


def function_2(x):
    return x[0] ** 2 + x[1] ** 2


xpnet.numerical_diff(function_1, 5.0), xpnet.numerical_diff(function_1, 10.0)

# %% [markdown]
# The true derivatives are 0.2 and 0.3. The gradient at (3, 4), (0, 2) and (3, 0):

# %%
for point in ([3.0, 4.0], [0.0, 2.0], [3.0, 0.0]):
    print(point, xpnet.numerical_gradient(function_2, np.array(point)))

# %% [markdown]
# Over the grid -2 ... 2, one gradient per row with `numerical_gradient_rows`; the arrows of
# $-\nabla f$ all point to the minimum at the origin.

# %%
grid = np.linspace(-2.0, 2.0, 17)
X, Y = np.meshgrid(grid, grid)
points = np.stack([X.ravel(), Y.ravel()], axis=1)
grad = xpnet.numerical_gradient_rows(lambda p: p[0] ** 2 + p[1] ** 2, points)
path = plot_gradient_field(
    X,
    Y,
    -grad[:, 0].reshape(X.shape),
    -grad[:, 1].reshape(X.shape),
    "gradient_field.png",
    title="-grad f, f = x0² + x1² (Figure 4-9)",
)
Image(str(path))
