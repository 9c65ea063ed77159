"""The networks of chapters 4-5: TwoLayerNet, and SimpleNet (from ``xpnet.simple_net``).

A network's parameters live in one dict, ``net.params``, which is their only owner: the layers
read them from it by name, so replacing an entry or updating it in place both take effect.
Where they live and the checks of them and of every input are ``xpnet.placement``'s
(``check_params`` is re-exported here).
"""

from __future__ import annotations

import copy
import math
from types import SimpleNamespace
from typing import Any

from .arguments import (
    MAX_LAYER_SIZE,
    check_count,
    check_hidden_size,
    check_positive_number,
    check_seed,
)
from .backends import (
    Array,
    Backend,
    array_namespace,
    dtype_name,
    host_rng,
    on_own_device,
    resolve_dtype,
)
from .errors import Arg, Use, XpnetValueError
from .gradient import numerical_gradient
from .labels import check_labels_shape, checked_labels
from .layers import Affine, Relu, Sigmoid, SoftmaxWithLoss
from .numgrad import batched_numerical_gradient
from .placement import backend_for, check_array, check_params
from .simple_net import SimpleNet

__all__ = ["SimpleNet", "TwoLayerNet", "check_params"]


def _loss_with(net: TwoLayerNet, key: str, x: Array, t: Array):
    """The loss of net as a function of its parameter key, for numerical_gradient: the value it
    is given goes into net.params[key], whose layers read it there. That is the array itself
    where numerical_gradient perturbs in place, and a perturbed copy where arrays are immutable
    (JAX), which the book's ``lambda _: net.loss(x, t)`` would never see."""

    def loss(value: Array) -> Array:
        net.params[key] = value
        return net.last_layer.forward(net._forward(x), t)

    return loss


ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid}
NUMERICAL_METHODS = ("batched", "loop")


class TwoLayerNet:
    """The book's two-layer network: Affine -> Relu (or Sigmoid) -> Affine -> SoftmaxWithLoss.

    W1 (D_in, H) and W2 (H, C) are ``weight_init_std`` times standard normals drawn (W1, then
    W2) from the seeded host generator, so one seed gives the same weights on every backend;
    b1 (H,) and b2 (C,) start at zero. Every method takes x: (N, D_in), or (N, ...) with D_in
    values per sample, and t: labels (N,) or one-hot (N, C); x of another floating dtype is
    converted to the net's (float32 x for a float64 net, as NumPy would promote it, on every
    library). Gradients are dicts keyed like ``net.params``: W1 b1 W2 b2.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        D_in, H and C (the book's are 784, 50, 10).
    weight_init_std : float
        The standard deviation of the initial weights (the book's 0.01).
    activation : str
        "relu" (chapter 5) or "sigmoid" (chapter 4).
    xp, device : optional
        The namespace and device the parameters live on (default: NumPy on the CPU; xp=cupy
        without device= means CuPy's current GPU); see :func:`xpnet.get_backend`.
    backend : Backend, optional
        Where the parameters live, instead of xp= and device= (``xpnet train`` passes its own).
    dtype : str or dtype
        "float64" (the default, the book's) or "float32": most GPUs run float64 at 1/32 to
        1/64 of float32's rate, so pass dtype="float32" to train on one, as `xpnet train` does.
    seed : int, optional
        Seed of the host generator that draws the weights.

    Raises
    ------
    TypeError, ValueError
        Naming the argument, here, before any array is made: a size that is not a positive
        integer up to 2**31 - 1, a hidden_size whose parameters this process could not
        allocate, a weight_init_std that is not a finite number > 0, a seed that is not None or
        an integer >= 0, an unknown activation, or backend= given with xp= or device=; and,
        once they are drawn, weights that the dtype cannot hold (weight_init_std=1e300 in
        float32: they would be inf). The methods raise them naming x or t for bad inputs;
        those checks look at shapes, dtypes and devices only, so they never wait for a GPU.

    Examples
    --------
    >>> import numpy as np
    >>> net = TwoLayerNet(784, 50, 10, seed=0)
    >>> x, t = np.full((2, 784), 0.5), np.array([3, 7])
    >>> round(float(net.loss(x, t)), 2), net.accuracy(x, t)  # about log(10) before training
    (2.3, 0.0)
    >>> {key: grad.shape for key, grad in net.gradient(x, t).items()}
    {'W1': (784, 50), 'b1': (50,), 'W2': (50, 10), 'b2': (10,)}
    >>> TwoLayerNet(4, 3, 2, backend=net.backend).backend is net.backend
    True
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        weight_init_std: float = 0.01,
        *,
        activation: str = "relu",
        xp: Any = None,
        device: Any = None,
        backend: Backend | None = None,
        dtype: Any = "float64",
        seed: int | None = None,
    ) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be 'relu' or 'sigmoid'; got {activation!r}")
        self.backend: Backend = backend_for("TwoLayerNet", backend, xp, device)
        self.dtype = resolve_dtype(self.backend.xp, dtype)
        sizes = {"input_size": input_size, "hidden_size": hidden_size, "output_size": output_size}
        self.config = {
            **{
                key: check_count(
                    "TwoLayerNet",
                    key,
                    n,
                    maximum=MAX_LAYER_SIZE,
                    hint=f"the book's is {key}={book}",
                )
                for (key, n), book in zip(sizes.items(), (784, 50, 10), strict=True)
            },
            "weight_init_std": check_positive_number(
                "TwoLayerNet", "weight_init_std", weight_init_std, hint="the book uses 0.01"
            ),
            "activation": activation,
            "dtype": dtype_name(self.dtype),
        }
        check_hidden_size("TwoLayerNet", self.config, self.config["dtype"])
        input_size, hidden_size, output_size = (self.config[key] for key in sizes)
        weight_init_std = self.config["weight_init_std"]
        rng = host_rng(check_seed("TwoLayerNet", seed))
        W1 = self._weights(rng, (input_size, hidden_size), weight_init_std)
        W2 = self._weights(rng, (hidden_size, output_size), weight_init_std)
        host = {"W1": W1, "b1": [0.0] * hidden_size, "W2": W2, "b2": [0.0] * output_size}
        self.params = {key: self.backend.asarray(value, self.dtype) for key, value in host.items()}
        self._build_layers()

    def _weights(self, rng, shape: tuple[int, int], weight_init_std: float):
        """weight_init_std times standard normals of shape, drawn on the host (float64); an
        XpnetValueError naming weight_init_std and the dtype where the net's dtype cannot hold
        them (1e300 times them is inf in float32). Host values: reading them waits for no GPU."""
        z = rng.standard_normal(shape)
        host = array_namespace(z)
        largest = weight_init_std * float(host.max(host.abs(z)))  # a Python float: inf, no warning
        limit = float(self.backend.xp.finfo(self.dtype).max)
        if largest > limit:
            raise XpnetValueError(
                f"TwoLayerNet: {{std}} draws weights up to {largest:.3g}, which {{dtype}} cannot"
                f" hold (its largest number is {limit:.3g}, so they would be inf); give a smaller"
                " {name} (the book uses {book})",
                std=Use("weight_init_std", weight_init_std),
                dtype=Use("dtype", self.config["dtype"]),
                name=Arg("weight_init_std"),
                book=Use("weight_init_std", 0.01),
            )
        return weight_init_std * z

    def __repr__(self) -> str:
        """One line: the sizes, the activation, the dtype and where the parameters live."""
        c = self.config
        sizes = f"{c['input_size']}, {c['hidden_size']}, {c['output_size']}"
        return (
            f"TwoLayerNet({sizes}, activation={c['activation']!r}, dtype={c['dtype']!r}) "
            f"on {self.backend}"
        )

    def _build_layers(self) -> None:
        self.layers, self.last_layer = self._new_layers()

    def _new_layers(self) -> tuple[dict, SoftmaxWithLoss]:
        """The book's layers, reading this net's ``params`` by name: (layers, last_layer)."""
        activation = self.config["activation"]
        layers = {
            "Affine1": Affine(self.params, "W1", "b1"),
            f"{activation.capitalize()}1": ACTIVATIONS[activation](),
            "Affine2": Affine(self.params, "W2", "b2"),
        }
        return layers, SoftmaxWithLoss()

    def _with_params(self, params: dict[str, Array]) -> TwoLayerNet:
        """The same network reading ``params`` (a dict keyed like net.params) through layers
        of its own: for a copy's parameters, or a compiler's traced ones (xpnet.fast)."""
        twin = copy.copy(self)
        twin.params = params
        twin._build_layers()
        return twin

    @on_own_device
    def copy(self, dtype: Any = None) -> TwoLayerNet:
        """A deep copy on the same backend, cast to dtype ("float32"/"float64"; default: same).

        Parameters
        ----------
        dtype : str or dtype, optional
            "float32", "float64" or a dtype of the net's namespace; None (the default) keeps
            the net's dtype.

        Returns
        -------
        TwoLayerNet
            A net with its own parameters (new arrays, in dtype) and its own layers, with the
            same configuration (its ``config["dtype"]`` updated); training one leaves the other
            as it was.

        Examples
        --------
        >>> net = TwoLayerNet(4, 3, 2, seed=0)
        >>> twin = net.copy(dtype="float32")
        >>> twin.config["dtype"], twin.params["W1"].dtype, twin.params["W1"] is net.params["W1"]
        ('float32', dtype('float32'), False)
        """
        xp = self.backend.xp
        dtype = resolve_dtype(xp, dtype if dtype is not None else self.dtype)
        other = self._with_params({key: xp.astype(p, dtype) for key, p in self.params.items()})
        other.dtype, other.config = dtype, {**self.config, "dtype": dtype_name(dtype)}
        return other

    # -- forward ---------------------------------------------------------------------------------

    @on_own_device
    def predict(self, x: Array) -> Array:
        """x: (N, D_in) -> logits (N, C), before softmax. Keeps nothing for backward.

        Parameters
        ----------
        x : array of shape (N, D_in), or (N, ...) with D_in values per sample
            The inputs, of the parameters' library and device; another floating dtype is
            converted to the net's.

        Returns
        -------
        array of shape (N, C)
            The logits (scores before softmax), in the net's dtype.

        Raises
        ------
        TypeError, ValueError
            Naming x when it is no array of the parameters' library and device, or has a
            shape or dtype this net does not take (shapes, dtypes and devices only: no GPU
            sync).

        Examples
        --------
        >>> import numpy as np
        >>> TwoLayerNet(4, 3, 2, seed=0).predict(np.ones((5, 4))).shape
        (5, 2)
        """
        x = self._check_inputs(x)
        return self._forward(x, keep=False)

    def _forward(self, x: Array, *, keep: bool = True) -> Array:
        """The forward pass, the one every method runs: the layers in order, x -> logits.
        keep=False runs fresh layers, so that what the net's own layers keep for backward
        (the last loss's inputs, its ReLU mask) stays as it was."""
        layers = self.layers if keep else self._new_layers()[0]
        for layer in layers.values():
            x = layer.forward(x)
        return x

    @on_own_device
    def loss(self, x: Array, t: Array) -> Array:
        """Mean softmax cross-entropy of predict(x) against t -> 0-d array.

        Parameters
        ----------
        x : array of shape (N, D_in), or (N, ...) with D_in values per sample
            The inputs, of the parameters' library and device.
        t : array of shape (N,) or (N, C)
            Integer labels in 0..C-1, or one-hot rows.

        Returns
        -------
        0-d array
            The loss, in the net's dtype, on its device (``float(...)`` reads it, a GPU sync).
            The layers keep this forward's values, for a backward to follow.

        Raises
        ------
        TypeError, ValueError
            Naming x or t when it is no array of the parameters' library and device, or has a
            shape or dtype this net does not take (shapes, dtypes and devices only: no GPU
            sync).

        Examples
        --------
        >>> import numpy as np
        >>> net = TwoLayerNet(4, 3, 2, seed=0)
        >>> round(float(net.loss(np.ones((2, 4)), np.array([0, 1]))), 4)  # about log(2)
        0.6931
        """
        x = self._check_inputs(x, t)
        return self.last_layer.forward(self._forward(x), t)

    @on_own_device
    def accuracy(self, x: Array, t: Array) -> float:
        """Fraction of samples whose largest logit is the true class (a Python float: a sync).

        Parameters
        ----------
        x : array of shape (N, D_in), or (N, ...) with D_in values per sample
            The inputs, of the parameters' library and device.
        t : array of shape (N,) or (N, C)
            Integer labels in 0..C-1, or one-hot rows (their largest entry is the class).

        Returns
        -------
        float
            The fraction in [0, 1] of rows of x whose largest logit is at their label; NaN when
            labels of a library other than NumPy lie outside 0..C-1 (as loss gives NaN there).

        Raises
        ------
        TypeError, ValueError
            Naming x or t when it is no array of the parameters' library and device, or has a
            shape or dtype this net does not take (shapes, dtypes and devices only: no GPU
            sync); ValueError naming the first bad label when NumPy labels lie outside 0..C-1.

        Examples
        --------
        >>> import numpy as np
        >>> net = TwoLayerNet(4, 3, 2, seed=0)
        >>> net.accuracy(np.ones((2, 4)), np.array([0, 1]))  # one logit row for both: one right
        0.5
        """
        x = self._check_inputs(x, t)
        xp = self.backend.xp
        y = xp.argmax(self._forward(x, keep=False), axis=1)
        if t.ndim != 1:
            return float(xp.count_nonzero(y == xp.argmax(t, axis=1))) / x.shape[0]
        labels, valid = checked_labels(t, self.config["output_size"], "accuracy")
        correct = xp.count_nonzero(y == labels)
        if valid is not None:  # labels not read on the host: -1 marks one out of range
            correct = xp.where(xp.all(valid), correct, xp.full_like(correct, -1))
        correct = int(correct)  # the one sync
        return math.nan if correct < 0 else correct / x.shape[0]

    # -- gradients -------------------------------------------------------------------------------

    @on_own_device
    def loss_and_gradient(self, x: Array, t: Array) -> tuple[Array, dict[str, Array]]:
        """(loss, grads) by backpropagation from one forward pass: the loss is the 0-d array of
        the very forward the gradients flow back through.

        Parameters
        ----------
        x : array of shape (N, D_in), or (N, ...) with D_in values per sample
            The inputs, of the parameters' library and device.
        t : array of shape (N,) or (N, C)
            Integer labels in 0..C-1, or one-hot rows.

        Returns
        -------
        loss : 0-d array
            ``loss(x, t)``, in the net's dtype.
        grads : dict of str to array
            The loss's gradients keyed like ``net.params``: W1 (D_in, H), b1 (H,), W2 (H, C),
            b2 (C,). They are the layers' own ``dW``/``db``, replaced (never written) by the
            next backward.

        Raises
        ------
        TypeError, ValueError
            Naming x or t when it is no array of the parameters' library and device, or has a
            shape or dtype this net does not take (shapes, dtypes and devices only: no GPU
            sync).

        Examples
        --------
        >>> import numpy as np
        >>> net = TwoLayerNet(4, 3, 2, seed=0)
        >>> loss, grads = net.loss_and_gradient(np.ones((2, 4)), np.array([0, 1]))
        >>> round(float(loss), 4), {key: grad.shape for key, grad in grads.items()}
        (0.6931, {'W1': (4, 3), 'b1': (3,), 'W2': (3, 2), 'b2': (2,)})
        """
        x = self._check_inputs(x, t)
        return self._loss_and_gradient(x, t)

    def _loss_and_gradient(self, x: Array, t: Array) -> tuple[Array, dict[str, Array]]:
        """loss_and_gradient without the input checks: for the Trainer, whose data were checked
        once when it was built (the checks cost ~3% of a CPU step)."""
        loss = self.last_layer.forward(self._forward(x), t)
        dout = self.last_layer.backward(1.0)
        first, *rest = self.layers.values()
        for layer in reversed(rest):
            dout = layer.backward(dout)
        first.backward(dout, need_dx=False)  # the gradient of the input x is never used
        affine1, affine2 = self.layers["Affine1"], self.layers["Affine2"]
        return loss, {"W1": affine1.dW, "b1": affine1.db, "W2": affine2.dW, "b2": affine2.db}

    @on_own_device
    def gradient(self, x: Array, t: Array) -> dict[str, Array]:
        """Gradients of loss(x, t) by backpropagation: {"W1": (D_in, H), ..., "b2": (C,)}.

        Parameters
        ----------
        x : array of shape (N, D_in), or (N, ...) with D_in values per sample
            The inputs, of the parameters' library and device.
        t : array of shape (N,) or (N, C)
            Integer labels in 0..C-1, or one-hot rows.

        Returns
        -------
        dict of str to array
            The gradients of :meth:`loss_and_gradient`, keyed like ``net.params``: W1, b1, W2,
            b2, each of its parameter's shape and the net's dtype.

        Raises
        ------
        TypeError, ValueError
            Naming x or t when it is no array of the parameters' library and device, or has a
            shape or dtype this net does not take (shapes, dtypes and devices only: no GPU
            sync).

        Examples
        --------
        >>> import numpy as np
        >>> grads = TwoLayerNet(4, 3, 2, seed=0).gradient(np.ones((2, 4)), np.array([0, 1]))
        >>> grads["W2"].shape, grads["b2"].shape
        ((3, 2), (2,))
        """
        return self.loss_and_gradient(x, t)[1]

    @on_own_device
    def numerical_gradient(
        self, x: Array, t: Array, *, method: str = "batched"
    ) -> dict[str, Array]:
        """Gradients of loss(x, t) by central differences (h = 1e-4), on a float64 copy of the
        net; returned in the net's dtype.

        method: "batched" (default) evaluates the loss of every perturbation at once, from the
        rank-one change each parameter makes (see xpnet.numgrad); "loop" is the book's
        element-by-element loop, two full forwards per parameter. They agree to rounding.

        Parameters
        ----------
        x : array of shape (N, D_in), or (N, ...) with D_in values per sample
            The inputs, of the parameters' library and device.
        t : array of shape (N,) or (N, C)
            Integer labels in 0..C-1, or one-hot rows.
        method : {"batched", "loop"}, optional
            How the central differences are evaluated (see above); "batched" by default.

        Returns
        -------
        dict of str to array
            The gradients keyed like ``net.params`` (W1, b1, W2, b2), each of its parameter's
            shape, in the net's dtype. The net's own parameters are not touched (the
            differences perturb the float64 copy).

        Raises
        ------
        ValueError
            For a method other than "batched" or "loop", and for method="loop" on a lazy
            backend (Dask: each element would add to the task graph).
        TypeError, ValueError
            Naming x or t when it is no array of the parameters' library and device, or has a
            shape or dtype this net does not take.

        Examples
        --------
        Away from ReLU's kink (where a difference of h = 1e-4 would cross it), they agree with
        backpropagation:

        >>> import numpy as np
        >>> net = TwoLayerNet(4, 3, 2, activation="sigmoid", seed=0)
        >>> x, t = np.ones((2, 4)), np.array([0, 1])
        >>> numerical, backprop = net.numerical_gradient(x, t), net.gradient(x, t)
        >>> all(np.allclose(numerical[key], backprop[key], atol=1e-8) for key in backprop)
        True
        """
        if method not in NUMERICAL_METHODS:
            raise ValueError(f"method must be one of {NUMERICAL_METHODS}; got {method!r}")
        if method == "loop" and self.backend.lazy:  # one graph layer per element: never ends
            raise ValueError(
                f"method='loop' perturbs {self.backend.name} arrays element by element, adding"
                " to their task graph each time; use method='batched' (the default)"
            )
        x = self._check_inputs(x, t)
        xp = self.backend.xp
        net = self.copy(dtype="float64")
        x = xp.astype(xp.reshape(x, (x.shape[0], -1)), xp.float64)
        if method == "batched":
            grads = batched_numerical_gradient(net.params, self.config["activation"], x, t)
        else:
            grads = {}
            for key, param in list(net.params.items()):
                grads[key] = numerical_gradient(_loss_with(net, key, x, t), param)
                net.params[key] = param  # the unperturbed value (JAX: never written in place)
        return {key: xp.astype(grad, self.dtype) for key, grad in grads.items()}

    # -- checks at the public boundary -----------------------------------------------------------

    def _check_inputs(self, x: Array, t: Array | None = None) -> Array:
        """Raise unless x (and t) are arrays of the parameters' library and device, with shapes
        this net takes; x in the net's dtype (float32 x for a float64 net is converted, as NumPy
        would promote it and as the Trainer converts its data: torch and array-api-strict refuse
        mixed dtypes in a matmul). Only shapes, dtypes and devices are read: no GPU sync."""
        check_params(self.params, self.backend)
        check_array(x, "x", self.backend, self.params["W1"])
        D = self.config["input_size"]
        if x.ndim < 2 or math.prod(x.shape[1:]) != D:
            if x.ndim == 1:
                fix = ". For one sample, use xp.reshape(x, (1, -1))"
            else:  # the data is another's, or the net is: say both ways out
                fix = (
                    f": pass {D} values a sample, the data this net was made for, or make a net"
                    f" for yours, TwoLayerNet(input_size={math.prod(x.shape[1:])}, ...)"
                )
            raise ValueError(
                f"x must have shape (N, {D}) (or (N, ...) with {D} values per sample);"
                f" got {tuple(x.shape)}{fix}"
            )
        if x.shape[0] == 0:
            raise ValueError(
                f"x is an empty batch (N=0) of shape {tuple(x.shape)}; pass at least one sample"
            )
        if not self.backend.xp.isdtype(x.dtype, "real floating"):
            raise TypeError(
                f"x must be floating-point; got dtype {x.dtype}."
                f" Convert it first: x = xp.astype(x, net.dtype)"
            )
        if x.dtype != self.dtype:
            x = self.backend.xp.astype(x, self.dtype)
        if t is None:
            return x
        check_array(t, "t", self.backend, self.params["W1"])
        for name, a in (("x", x), ("t", t)):
            rows = a.shape[0] if a.ndim else 0
            if rows is None or math.isnan(rows):  # a Dask array after a filter: N is unknown
                raise ValueError(
                    f"{name} has an unknown number of rows (shape {tuple(a.shape)}); the loss"
                    f" and accuracy divide by it: call {name} = {name}.compute_chunk_sizes()"
                    " first (and the same for the other of x and t)"
                )
        if t.ndim == 0 or t.shape[0] != x.shape[0]:
            raise ValueError(
                f"t must have one row per sample of x: x has N={x.shape[0]}, t has shape"
                f" {tuple(t.shape)}; pass the labels (or one-hot rows) of exactly these samples"
            )
        check_labels_shape(SimpleNamespace(shape=(x.shape[0], self.config["output_size"])), t)
        return x
