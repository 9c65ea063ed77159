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
# # Chapter 4.4.1: gradient descent
#
# 100 steps from (-3, 4) with the learning rates 0.1, 10 and 1e-10 (Figure 4-10): the first
# reaches the minimum, the second diverges, the third hardly moves.

# %%
import numpy as np
from IPython.display import Image

import xpnet
from xpnet.plot import plot_descent_paths


def function_2(x):
    x0, x1 = x[0, ...], x[1, ...]
    return x0 * x0 + x1 * x1


paths = {}
for lr in (0.1, 10.0, 1e-10):
    x, history = xpnet.gradient_descent(
        function_2, np.array([-3.0, 4.0]), lr=lr, step_num=100, return_history=True
    )
    paths[f"lr = {lr:g}"] = history
    print(f"lr = {lr:g}: ends at {x}")

# %%
grid = np.linspace(-4.5, 4.5, 91)
X, Y = np.meshgrid(grid, grid)
path = plot_descent_paths(
    paths, "gradient_descent.png", contour=(X, Y, X**2 + Y**2), title="Figure 4-10"
)
Image(str(path))
