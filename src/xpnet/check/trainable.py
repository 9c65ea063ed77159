"""A learner's own network, trained by xpnet's loop: :class:`LearnerNet` and :func:`trainable`.

xpnet's :class:`~xpnet.train.Trainer` asks its network for what xpnet's TwoLayerNet has
(``backend``, ``dtype``, ``config``, ``loss_and_gradient``, ``accuracy``); a book-style network
(``params``, ``loss(x, t)``, ``gradient(x, t)``) has only the book's interface. :func:`trainable`
wraps such a network in a :class:`LearnerNet` that answers those questions from the network's
own arrays and methods, and leaves xpnet's networks as they are:

- the backend is the parameters' own (NumPy for the book's code), the dtype theirs;
- the targets reach the network in the form it takes: the Trainer gathers one-hot rows, and a
  network that takes class labels gets ``argmax`` of them (the form is found on the first step,
  or given by ``xpnet check``);
- ``params`` is the network's own dict, updated in place by the optimizer, so the layers that
  hold its arrays (the book's ``Affine(self.params["W1"], ...)``) see each step;
- ``config`` describes it for checkpoints: the class, its file, its sizes.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["LearnerNet", "evaluate_learner", "load_params_in_place", "refuse_grad", "trainable"]


def trainable(net, *, form: str | None = None, source: dict | None = None):
    """net itself when it is xpnet's (it has ``config`` and ``backend``), else a LearnerNet.

    Parameters
    ----------
    net : object
        xpnet's TwoLayerNet, or any object with the book's ``params``, ``loss(x, t)`` and
        ``gradient(x, t)``.
    form : {"labels", "one-hot"}, optional
        The targets the net takes, where known (``xpnet check`` finds it); found on the first
        step otherwise.
    source : dict, optional
        What ``config["learner"]`` records: the class's name and file, as ``xpnet train --net``
        gives them.

    Returns
    -------
    object
        Something the Trainer can train.

    Raises
    ------
    TypeError
        When net has neither xpnet's interface nor the book's (with predict(x) or
        accuracy(x, t), for the accuracy).

    Examples
    --------
    >>> import numpy as np
    >>> class Net:
    ...     def __init__(self):
    ...         self.params = {"W": np.zeros((4, 3)), "b": np.zeros(3)}
    ...     def loss(self, x, t):
    ...         return 0.0
    ...     def gradient(self, x, t):
    ...         return {"W": np.zeros((4, 3)), "b": np.zeros(3)}
    ...     def predict(self, x):
    ...         return x @ self.params["W"] + self.params["b"]
    >>> wrapped = trainable(Net())
    >>> wrapped.config["input_size"], wrapped.config["output_size"], wrapped.dtype
    (4, 3, dtype('float64'))
    """
    if hasattr(net, "config") and hasattr(net, "backend"):
        return net
    return LearnerNet(net, form=form, source=source)


class LearnerNet:
    """A book-style network with xpnet's training interface (see the module's docstring)."""

    def __init__(self, net, *, form: str | None = None, source: dict | None = None) -> None:
        from ..backends import backend_of
        from .interface import book_params

        params = book_params(
            net,
            ("loss", "gradient"),
            lambda method: (
                "xpnet's interface or the book's (params, loss(x, t), gradient(x, t));"
                f" {type(net).__name__} has no {method}(x, t)"
            ),
        )
        if not any(callable(getattr(net, m, None)) for m in ("predict", "accuracy")):
            raise TypeError(
                f"net must have predict(x) or accuracy(x, t), which the training measures its"
                f" accuracy with; {type(net).__name__} has neither: add predict(x), returning the"
                f" scores of shape (N, C)"
            )
        if form not in (None, "labels", "one-hot"):
            raise ValueError(f"form must be 'labels', 'one-hot' or None; got {form!r}")
        self.net, self.form = net, form
        first = next(iter(params.values()))
        self.backend = backend_of(first)
        self.dtype = first.dtype
        matrices = [p for p in params.values() if len(p.shape) == 2]
        self.config = {
            "input_size": int(getattr(net, "input_size", 0) or matrices[0].shape[0]),
            "output_size": int(getattr(net, "output_size", 0) or matrices[-1].shape[1]),
            "learner": dict(source or {"class": type(net).__name__}),
        }

    @property
    def params(self) -> dict:
        return self.net.params

    def describe(self) -> str:
        """Its class, file and parameters (``TwoLayerNet of FILE: W1 (784, 50), ...``)."""
        learner = self.config["learner"]
        shapes = ", ".join(f"{name} {tuple(p.shape)}" for name, p in self.params.items())
        return f"{learner['class']} of {learner.get('file', '?')}: {shapes}"

    def __repr__(self) -> str:
        return f"<LearnerNet of {type(self.net).__name__}, {self.form or 'targets: found on use'}>"

    def loss_and_gradient(self, x, t):
        """(loss, grads) from the learner's loss and gradient, t in the form the net takes."""
        t = self._targets(x, t)
        return self.net.loss(x, t), self.net.gradient(x, t)

    def loss(self, x, t):
        return self.net.loss(x, self._targets(x, t))

    def numerical_gradient(self, x, t):
        refuse_grad(self, "numerical")
        return self.net.numerical_gradient(x, self._targets(x, t))

    def accuracy(self, x, t) -> float:
        """The share of rows whose largest score is the target's class (the learner's
        predict(x) when it has one, else its accuracy(x, t))."""
        xp = self.backend.xp
        predict = getattr(self.net, "predict", None)
        if callable(predict):
            y = predict(x)
            labels = t if len(t.shape) == 1 else xp.argmax(t, axis=1)
            right = xp.argmax(y, axis=1) == xp.astype(labels, xp.int64)
            return float(xp.mean(xp.astype(right, xp.float64)))
        return float(self.net.accuracy(x, self._targets(x, t)))

    def _targets(self, x, t):
        """t as the net takes it; on the first call, the form is found by trying one-hot rows
        (what the Trainer gathers) and then class labels."""
        xp = self.backend.xp
        if self.form == "labels" and len(t.shape) == 2:
            return xp.argmax(t, axis=1)
        if self.form is not None or len(t.shape) != 2:
            return t
        try:
            self.net.gradient(x[:3, ...], t[:3, ...])
            self.form = "one-hot"
        except Exception:
            self.form = "labels"
        return self._targets(x, t)


def evaluate_learner(net: LearnerNet, blocks):
    """Mean loss and accuracy of a learner's network over (x, t) blocks of labels, by its own
    ``loss(x, t)`` (each block's mean, weighted by its rows) and :meth:`LearnerNet.accuracy`:
    the figures ``xpnet train --net`` reports for it. Returns an
    :class:`xpnet.evaluation.Evaluation`."""
    from ..evaluation import Evaluation

    xp, classes = net.backend.xp, int(net.config["output_size"])
    loss_sum = correct = 0.0
    samples = 0
    for x, t in blocks:
        rows = int(x.shape[0])
        if len(t.shape) == 1:  # one-hot rows, as the Trainer gives them: _targets finds the form
            t = xp.astype(xp.arange(classes) == xp.reshape(t, (-1, 1)), x.dtype)
        loss_sum += float(net.loss(x, t)) * rows
        correct += net.accuracy(x, t) * rows
        samples += rows
    if samples == 0:
        raise ValueError("evaluate got no samples; pass at least one row")
    return Evaluation(loss_sum / samples, correct / samples, samples)


def refuse_grad(net, grad: str) -> None:
    """Raise XpnetTypeError when ``grad="numerical"`` and the learner's net has no
    numerical_gradient(x, t) to take it with (the fix, ``grad="backprop"``, as data: the
    command line says ``--grad backprop``). xpnet's own networks and ``"backprop"`` pass."""
    from ..errors import Use, XpnetTypeError

    if grad != "numerical" or not isinstance(net, LearnerNet):
        return
    if not callable(getattr(net.net, "numerical_gradient", None)):
        raise XpnetTypeError(
            "{asked} takes the gradient with the network's numerical_gradient(x, t), and"
            " {name} has none: train with {fix} (its gradient(x, t))",
            asked=Use("grad", "numerical"),
            name=type(net.net).__name__,
            fix=Use("grad", "backprop"),
        )


def load_params_in_place(net, checkpoint, *, path) -> None:
    """Write a checkpoint's parameters into the learner's own arrays (the layers hold them).

    Raises CheckpointError unless names and shapes fit."""
    from ..checkpoint import check_params_fit

    check_params_fit(checkpoint, net, path=path)
    for name, value in checkpoint.params.items():
        target = net.params[name]
        target[...] = net.backend.asarray(value, dtype=target.dtype)


def same_source(recorded: dict, source: dict) -> bool:
    """Whether a checkpoint's learner record names the same class of the same file."""
    return recorded.get("class") == source.get("class") and Path(
        str(recorded.get("file", ""))
    ) == Path(str(source.get("file", "")))
