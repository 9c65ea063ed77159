"""The book's simpleNet (4.4.2, its gradient_simplenet.py): one 2x3 weight and a softmax loss."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from .arguments import check_seed
from .backends import Array, Backend, backend_of, dtype_name, host_rng, library_for, on_own_device
from .functions import cross_entropy_error, softmax
from .labels import check_labels_shape
from .placement import backend_for, check_array, check_params

__all__ = ["SimpleNet"]


class SimpleNet:
    """The book's simpleNet: one 2x3 weight W, predict = x @ W, loss = softmax cross-entropy.

    Parameters
    ----------
    W : array_like of shape (2, 3), optional
        The initial weight (host data or an array); by default drawn from a standard normal
        with the seeded host generator. An array of W's library and device, unless xp=,
        device= or backend= say otherwise: ``SimpleNet(W=torch_W)`` is a torch net.
    xp, device : optional
        The namespace and device the weight lives on (default: W's when W is an array, else
        NumPy on the CPU); see :func:`xpnet.get_backend`.
    backend : Backend, optional
        Where the weight lives, instead of xp= and device=.
    dtype : str or dtype
        "float64" (the default) or "float32".
    seed : int, optional
        Seed of the host generator that draws W.

    Raises
    ------
    ValueError
        When W is not of shape (2, 3). predict and loss raise TypeError/ValueError naming x or t
        when it is no array of W's library and device, or has a shape W does not take (metadata
        only: no GPU sync).
    TypeError
        When backend= comes with xp= or device=.

    Examples
    --------
    >>> import numpy as np
    >>> W = [[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]]
    >>> net = SimpleNet(W=W)
    >>> round(float(net.loss(np.array([0.6, 0.9]), np.array([0, 0, 1]))), 6)
    0.928068
    """

    def __init__(
        self,
        W: Any = None,
        *,
        xp: Any = None,
        device: Any = None,
        backend: Backend | None = None,
        dtype: Any = "float64",
        seed: int | None = None,
    ) -> None:
        if backend is None and xp is None and device is None and library_for(W) is not None:
            backend = backend_of(W)  # an array's library and device, as the functions take theirs
        self.backend: Backend = backend_for("SimpleNet", backend, xp, device)
        if W is None:
            W = host_rng(check_seed("SimpleNet", seed)).standard_normal((2, 3))
        W = self.backend.asarray(W, dtype=dtype)
        if tuple(W.shape) != (2, 3):
            raise ValueError(
                f"SimpleNet: W must have shape (2, 3), 2 inputs by 3 classes; got shape"
                f" {tuple(W.shape)}. Pass a 2x3 array (or no W, for a random one)"
            )
        self.params = {"W": W}

    def __repr__(self) -> str:
        return f"SimpleNet(W of shape (2, 3), dtype={dtype_name(self.W.dtype)!r}) on {self.backend}"

    @property
    def W(self) -> Array:
        """The weight, array of shape (2, 3): ``params["W"]``, read and assigned there."""
        return self.params["W"]

    @W.setter
    def W(self, value: Array) -> None:
        self.params["W"] = value

    @on_own_device
    def predict(self, x: Array) -> Array:
        """x: (2,) or (N, 2) -> scores (3,) or (N, 3).

        Parameters
        ----------
        x : array of shape (2,) or (N, 2)
            One sample or a batch, of W's library and device, floating-point (another
            floating dtype is converted to W's).

        Returns
        -------
        array of shape (3,) or (N, 3)
            The scores ``x @ W`` (before softmax), in W's dtype.

        Raises
        ------
        TypeError, ValueError
            Naming x when it is no array of W's library and device, is not floating-point, or
            is of another shape (metadata only: no GPU sync).

        Examples
        --------
        >>> import numpy as np
        >>> net = SimpleNet(W=[[1.0, 0.0, 2.0], [0.0, 1.0, 3.0]])
        >>> net.predict(np.array([0.5, 1.0])).tolist()
        [0.5, 1.0, 4.0]
        """
        x = self._check_inputs(x)
        return x @ self.W

    @on_own_device
    def loss(self, x: Array, t: Array) -> Array:
        """Cross-entropy of softmax(predict(x)) against t -> 0-d array. t: for x (2,), a 0-d
        label or one-hot (3,); for x (N, 2), labels (N,) or one-hot (N, 3).

        Parameters
        ----------
        x : array of shape (2,) or (N, 2)
            One sample or a batch, of W's library and device, floating-point.
        t : array
            For x (2,): a 0-d integer label or one-hot (3,); for x (N, 2): integer labels (N,)
            or one-hot (N, 3). Of W's library and device.

        Returns
        -------
        0-d array
            The cross-entropy (the mean over the batch for x (N, 2)), in W's dtype.

        Raises
        ------
        TypeError, ValueError
            Naming x or t when it is no array of W's library and device, or has a shape (or,
            for labels, a dtype) that does not fit (metadata only: no GPU sync).

        Examples
        --------
        >>> import numpy as np
        >>> net = SimpleNet(W=[[1.0, 0.0, 2.0], [0.0, 1.0, 3.0]])
        >>> round(float(net.loss(np.array([0.5, 1.0]), np.array(2))), 4)
        0.0769
        """
        x = self._check_inputs(x, t)
        return cross_entropy_error(softmax(x @ self.W), t)

    def _check_inputs(self, x: Array, t: Array | None = None) -> Array:
        """Raise unless x (and t) are arrays of W's library and device, with shapes W takes; x
        in W's dtype (as TwoLayerNet converts it). Only shapes, dtypes and devices are read."""
        check_params(self.params, self.backend)
        check_array(x, "x", self.backend, self.W)
        D, C = self.W.shape
        if x.ndim not in (1, 2) or x.shape[-1] != D:
            raise ValueError(f"x must have shape ({D},) or (N, {D}); got {tuple(x.shape)}")
        if not self.backend.xp.isdtype(x.dtype, "real floating"):
            raise TypeError(
                f"x must be floating-point; got dtype {x.dtype}."
                f" Convert it first: x = xp.astype(x, net.W.dtype)"
            )
        if t is not None:
            check_array(t, "t", self.backend, self.W)
            check_labels_shape(SimpleNamespace(shape=(*x.shape[:-1], C)), t)
        return x if x.dtype == self.W.dtype else self.backend.xp.astype(x, self.W.dtype)
