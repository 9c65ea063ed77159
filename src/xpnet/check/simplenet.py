"""simpleNet of the book's 4.4.2, a class with predict and loss and no gradient, checked alone.

:func:`simple_net_like` tells such a class; :func:`_simple_net` builds it as ``simpleNet()``,
holds its loss on the book's x = [0.6, 0.9], t = [0, 0, 1] to the softmax cross-entropy of
``predict(x)`` (to the cross-entropy of a ``predict`` that returns ``softmax(x W)``), and its
``dW`` by the learner's own ``numerical_gradient`` to the derivative x.T (softmax(x W) - t).
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from .. import functions as oracle
from .examples import FunctionResult, _array, _found, _list, _what, _where_class
from .locating import _brief, _is_theirs

__all__ = ["simple_net_like"]


def simple_net_like(cls) -> bool:
    """Whether cls is the learner's class of simpleNet's kind: ``predict`` and ``loss``, no
    gradient method."""
    return (
        inspect.isclass(cls)
        and _is_theirs(cls)
        and all(callable(getattr(cls, m, None)) for m in ("predict", "loss"))
        and not any(callable(getattr(cls, m, None)) for m in ("gradient", "numerical_gradient"))
    )


def _simple_net(cls, namespace) -> FunctionResult | None:
    """simpleNet's check: built with no arguments, as the book's, its loss on the book's x and t
    against the softmax cross-entropy of predict(x), and its dW by the learner's
    numerical_gradient against the derivative; None for a class that is no simpleNet (it needs
    arguments, or keeps no 2-D W)."""
    name, where = cls.__name__, _where_class(cls)
    np.random.seed(0)  # noqa: NPY002 (the book's simpleNet draws W from this generator)
    try:
        net = cls()
    except TypeError:  # it needs arguments: no simpleNet
        return None
    except Exception as error:
        return FunctionResult(name, where, False, f"{name}() raised {_brief(error)}")
    W = _weight(net)
    if W is None:  # nothing of simpleNet's to check: the file's error says what it lacks
        return None
    D, C = W.shape
    if (D, C) == (2, 3):  # the book's 4.4.2
        x, t = np.array([0.6, 0.9]), np.array([0.0, 0.0, 1.0])
    else:
        x, t = np.random.default_rng(0).random(D), np.eye(C)[C - 1]
    shown = f"x = {_list(x)}, t = {_list(t)}" if D <= 4 else f"a random x of {D} and t one-hot"
    try:
        z = _array(net.predict(x.copy()))
        loss = float(np.asarray(net.loss(x.copy(), t.copy())).reshape(()))
    except Exception as error:
        return FunctionResult(name, where, False, f"on {shown} it raised {_brief(error)}")
    if z is None or z.shape != (C,):
        return FunctionResult(
            name, where, False, f"predict(x) returns {_what(z)}, not one score per class ({C},)"
        )
    # a predict that ends in the softmax (y = softmax(x W), the loss its cross-entropy) is the
    # book's net with the softmax moved: the same loss of the same W
    probabilities = np.allclose(z, oracle.softmax(x @ W), rtol=1e-9, atol=1e-12)
    right = float(oracle.cross_entropy_error(z if probabilities else oracle.softmax(z), t))
    if not abs(loss - right) <= 1e-3 * abs(right):
        why = (
            f"{C} times too small, divided by {C}, y's length: for one sample (a 1-D x and y) the"
            " batch size is 1; its cross-entropy reshapes y and t to (1, y.size) first (the"
            " book's 4.2.4)"
            if abs(loss * C - right) <= 1e-3 * abs(right)
            else "the book's loss is y = softmax(z); cross_entropy_error(y, t)"
        )
        return FunctionResult(
            name,
            where,
            False,
            f"on {shown}, loss(x, t) is {loss:.6g}{_nan(loss)}, the"
            f" {'' if probabilities else 'softmax '}cross-entropy of predict(x)"
            f"{', softmax(x W),' if probabilities else ''} is {right:.6g}: {why}",
        )
    if not probabilities and not np.allclose(z, x @ W, rtol=1e-9, atol=1e-12):
        return FunctionResult(
            name,
            where,
            True,
            note="its predict(x) is not x @ W: its loss is checked, not its gradient",
        )
    own = _found(namespace, "numerical_gradient")
    gradient = own if own is not None else _xpnet_numerical_gradient
    kept = W.copy()
    try:
        dW = _array(gradient(lambda w: net.loss(x, t), W))
    except Exception as error:
        W[...] = kept
        return FunctionResult(
            name,
            where,
            False,
            f"numerical_gradient(lambda w: net.loss(x, t), net.W) raised {_brief(error)}",
        )
    W[...] = kept
    analytic = np.outer(x, oracle.softmax(x @ W) - t)
    by = "your numerical_gradient" if own is not None else "xpnet's numerical gradient"
    if dW is None or dW.shape != W.shape:
        return FunctionResult(
            name, where, False, f"dW by {by} is {_what(dW)}, not of W's shape {W.shape}"
        )
    scale = float(np.max(np.abs(analytic)))
    error = float(np.max(np.abs(dW - analytic))) / scale if scale else 0.0
    if error > 1e-4:
        return FunctionResult(
            name,
            where,
            False,
            f"dW = numerical_gradient(lambda w: net.loss(x, t), net.W) by {by} is"
            f" {_list(dW)}; the derivative of the loss is x.T (softmax(x W) - t) ="
            f" {_list(analytic)}"
            f" (relative error {error:.2g})",
        )
    said = (
        "its predict(x) returns softmax(x W), the probabilities, and its loss their"
        " cross-entropy: the book's loss, its softmax in predict"
    )
    return FunctionResult(name, where, True, note=said if probabilities else "")


def _nan(loss: float) -> str:
    return " (the log of a score <= 0: softmax makes the scores probabilities)" * math.isnan(loss)


def _xpnet_numerical_gradient(f, x):
    from ..gradient import numerical_gradient

    return numerical_gradient(f, x)


def _weight(net):
    for value in (getattr(net, "W", None), getattr(net, "w", None)):
        if isinstance(value, np.ndarray) and value.ndim == 2 and value.dtype.kind == "f":
            return value
    params = getattr(net, "params", None)
    if isinstance(params, dict):
        found = [v for v in params.values() if isinstance(v, np.ndarray) and v.ndim == 2]
        if len(found) == 1 and found[0].dtype.kind == "f":
            return found[0]
    return None
