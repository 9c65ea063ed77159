"""The book's ``common/gradient.py``: ``numerical_gradient(f, x)``, from :mod:`xpnet.gradient`.

As the book's, x is perturbed in place while f(x) is evaluated, so ``lambda W: self.loss(x, t)``
with ``x = self.params["W1"]`` works, and x holds its values again afterwards.
"""

import numpy as np  # noqa: F401  (the book's module offers np to `import *`)

from xpnet.gradient import numerical_gradient  # noqa: F401
