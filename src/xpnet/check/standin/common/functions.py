"""The book's ``common/functions.py`` under its names, from :mod:`xpnet.functions`.

``from common.functions import *`` gives what the book's gives, ``np`` too (a learner's file may
use it without importing NumPy itself).
"""

import numpy as np  # noqa: F401  (the book's module offers np to `import *`)

from xpnet.functions import (  # noqa: F401
    cross_entropy_error,
    identity_function,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    step_function,
    sum_squared_error,
)

mean_squared_error = sum_squared_error  # the book's other name for 0.5 * sum((y - t) ** 2)


def softmax_loss(X, t):
    """cross_entropy_error(softmax(X), t), as the book's ``softmax_loss``."""
    return cross_entropy_error(softmax(X), t)
