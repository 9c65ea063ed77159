"""Optimizers (chapter 6 opens with them; chapter 4-5 training needs SGD).

An optimizer updates ``params`` in place from ``grads`` (dicts with the same keys), so the
network's dict stays the single owner of its parameters.
"""

from __future__ import annotations

from .arguments import check_positive_number
from .backends import Array

__all__ = ["SGD"]


class SGD:
    """Stochastic gradient descent: W <- W - lr * dW, in place, for every parameter.

    Parameters
    ----------
    lr : float, optional
        The learning rate, > 0; kept as a Python float, so it never changes a parameter's dtype.

    Raises
    ------
    TypeError
        When lr is not a real number (a string, a bool).
    ValueError
        When lr is not a finite number > 0.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"W": np.array([1.0, 2.0])}
    >>> SGD(lr=0.5).update(params, {"W": np.array([2.0, 2.0])})
    >>> params["W"].tolist()
    [0.0, 1.0]
    """

    def __init__(self, lr: float = 0.01) -> None:
        check_positive_number("SGD", "lr", lr, hint="pass one such as the book's SGD(lr=0.01)")
        self.lr = float(lr)  # a Python float never changes the parameters' dtype

    def update(
        self, params: dict[str, Array], grads: dict[str, Array], *, lr: float | Array | None = None
    ) -> None:
        """params[key] -= lr * grads[key], for each key of grads.

        Parameters
        ----------
        params : dict of str to array
            The network's parameters, updated in place (a new array where the library's arrays are
            immutable: JAX).
        grads : dict of str to array
            Gradients keyed like params.
        lr : float or 0-d array, optional
            The rate, ``self.lr`` by default; a 0-d array of the parameters' library and dtype
            where the rate must not be a Python number frozen into a compiled or captured step
            (xpnet.fast).
        """
        lr = self.lr if lr is None else lr
        for key, grad in grads.items():
            params[key] -= lr * grad

    def state_dict(self) -> dict:
        """The optimizer's settings, JSON-able, for a checkpoint.

        Returns
        -------
        dict
            ``{"name": "SGD", "lr": lr}``.
        """
        return {"name": "SGD", "lr": self.lr}
