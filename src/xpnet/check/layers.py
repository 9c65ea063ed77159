"""Which layer is wrong: each of a book-style network's layers, its backward against its forward.

The book's networks keep their layers (``net.layers``, an OrderedDict or list, and
``net.lastLayer``), each with ``forward`` and ``backward``. :func:`probe_layers` records what each
layer's forward receives during one ``net.loss(x, t)``, then checks every layer on its own input:

- its ``dx = backward(r)`` against the numerical derivative of ``sum(forward(x) * r)`` for a fixed
  random r (the loss layer: ``backward(1)`` against the derivative of ``forward(x, t)``);
- with ``W`` and ``b`` (the book's Affine), its ``dW`` and ``db`` likewise, by their shape and
  values.

A layer whose forward is not repeatable (Dropout) is left out. For a layer whose output has its
input's shape (ReLU, sigmoid), the entries of dx whose input lies within h of 0 are not compared:
there the central difference straddles ReLU's kink and is itself wrong (an image of zeros, or a
row of a ReLU's output all 0, puts the next layer's input exactly at the bias, 0 at the start).
Each finding names the layer as the network names it, the class, and the place of its
``backward`` in the learner's files.
"""

from __future__ import annotations

import inspect
import math
import warnings
from pathlib import Path

import numpy as np

from .. import functions as oracle
from ..backends import array_namespace, writes_in_place
from ..gradient import H, numerical_gradient
from ..labels import one_hot
from .names import gradient_attribute, gradient_candidates

__all__ = ["find_layers", "probe_layers", "softmax_loss_cause", "softmax_loss_mistake"]

TOLERANCE = 1e-4  # relative error, as check_network's in float64
SEED = 0
KINK = H  # an input this close to 0 straddles ReLU's kink when the numerical gradient moves it


def find_layers(net) -> list[tuple[str, object]]:
    """(name, layer) of every object with forward and backward that net keeps: in its
    ``layers`` (dict or list) first, then in its other attributes (``lastLayer``)."""
    found, seen = [], set()

    def add(name, layer):
        if id(layer) not in seen and _is_layer(layer):
            seen.add(id(layer))
            found.append((name, layer))

    attributes = dict(getattr(net, "__dict__", {}))
    for key, value in sorted(attributes.items(), key=lambda item: item[0] != "layers"):
        if isinstance(value, dict):
            for name, layer in value.items():
                add(str(name), layer)
        elif isinstance(value, list | tuple):
            for i, layer in enumerate(value):
                add(f"{key}[{i}]", layer)
        else:
            add(key, value)
    return found


def probe_layers(net, x, t) -> tuple[str, ...]:
    """The findings, one sentence per wrong layer; () when none is found wrong or net keeps no
    layers. The parameters are restored exactly; the layers' cached state is not (a later
    forward sets it again)."""
    layers = find_layers(net)
    if not layers or not writes_in_place(x):
        return ()
    inputs = _record(net, layers, x, t)
    findings = []
    rng = np.random.default_rng(SEED)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "numerical_gradient: ", UserWarning)
        for name, layer in layers:
            if id(layer) not in inputs:
                continue
            try:
                finding = _probe(name, layer, inputs[id(layer)], rng)
            except Exception:  # a layer that cannot be run alone says nothing
                finding = ""
            if finding:
                findings.append(finding)
    return tuple(findings)


def _is_layer(obj) -> bool:
    return (
        not inspect.isclass(obj)
        and callable(getattr(obj, "forward", None))
        and callable(getattr(obj, "backward", None))
    )


def _record(net, layers, x, t) -> dict[int, tuple]:
    """The arguments each layer's forward received during net.loss(x, t), copied."""
    inputs: dict[int, tuple] = {}
    for _, layer in layers:
        original = layer.forward

        def recording(*args, _layer=layer, _original=original, **kwargs):
            if id(_layer) not in inputs:
                inputs[id(_layer)] = (_copied(args), dict(kwargs))
            return _original(*args, **kwargs)

        layer.forward = recording
    try:
        net.loss(x, t)
    except Exception:
        return {}
    finally:
        for _, layer in layers:
            if "forward" in vars(layer):
                del layer.forward
    return inputs


def _probe(name: str, layer, recorded, rng) -> str:
    args, kwargs = recorded
    if not args or not hasattr(args[0], "shape"):
        return ""
    x, rest = args[0], args[1:]

    def forward(value):
        return layer.forward(value, *rest, **kwargs)

    out = forward(x)
    if not hasattr(out, "shape") or not _same(out, forward(x)):
        return ""  # random (Dropout) or not an array
    xp = array_namespace(x)
    scalar = math.prod(out.shape) == 1
    r = 1.0 if scalar else xp.asarray(rng.standard_normal(out.shape), dtype=out.dtype)
    forward(x)
    dx = layer.backward(_copy(r)) if not scalar else layer.backward(1)  # the book's Relu writes
    if isinstance(dx, tuple):
        dx = dx[0]
    where = _place(layer)
    label = f"{name} ({type(layer).__name__}.backward, {where})"
    elementwise = tuple(out.shape) == tuple(x.shape)
    kinks = xp.abs(x) <= KINK if elementwise else None
    wrong = _compare("dx", dx, x, "its input x", lambda: _numerical(forward, x, r), kinks)
    said = [] if wrong is None else [wrong]
    for attribute, grad in (("W", "dW"), ("b", "db")):
        param = getattr(layer, attribute, None)
        if param is None or not hasattr(param, "shape") or not writes_in_place(param):
            continue
        forward(x)
        before = dict(vars(layer))
        layer.backward(_copy(r) if not scalar else 1)
        numerical = _once(lambda p=param: _numerical(lambda v: forward(x), p, r))
        w, _ = gradient_attribute(
            gradient_candidates(layer, attribute, grad, before),
            grad,
            lambda got, g=grad, p=param, a=attribute, n=numerical: _compare(g, got, p, a, n) or "",
        )
        if w:
            said.append(w)
    if not said:
        return ""
    if wrong and scalar and rest and "softmax" in type(layer).__name__.lower():
        said[0] += _softmax_forward(out, x, rest[0], dx)
    if wrong and type(layer).__name__.lower().startswith("relu") and _passes_through(dx, r):
        said[0] += (
            "; it passes dout through unchanged, also where its input was <= 0: the mask is"
            " missing (dout[self.mask] = 0, or dx = dout * (x > 0))"
        )
    return f"{label}: " + "; ".join(said)


def softmax_loss_mistake(loss: float, x, t) -> str:
    """ "" when ``loss`` is the book's SoftmaxWithLoss of x and t (NumPy; t one-hot or class
    labels): ``cross_entropy_error(softmax(x), t)``, softmax row by row and the mean over the
    batch; else what it is and the likely cause."""
    right, cause = softmax_loss_cause(loss, x, t)
    if cause is None:
        return ""
    why = f"is {loss:.6g}; cross_entropy_error(softmax(x), t) is {right:.6g}"
    return f"{why}: {cause}" if cause else why


def softmax_loss_cause(loss: float, x, t) -> tuple[float, str | None]:
    """(the book's SoftmaxWithLoss of x and t, the likely cause of ``loss``'s differing from
    it): None when it does not differ, "" when no cause is known."""
    N = x.shape[0]
    rows = oracle.softmax(x)
    whole = np.exp(x - np.max(x)) / np.sum(np.exp(x - np.max(x)))  # chapter 3's, of one sample
    right = float(oracle.cross_entropy_error(rows, t))
    if np.isclose(loss, right, rtol=1e-4):
        return right, None
    whole_loss = float(oracle.cross_entropy_error(whole, t))
    sums = "the sum over the batch; the mean divides by the batch size (4.2.4)"
    overall = (
        "softmax over the whole batch, not row by row (np.max and np.sum without axis: chapter"
        " 3's softmax of one sample): take the max and the sum of each row (axis=-1,"
        " keepdims=True), as the book's common/functions.py does"
    )
    causes = {N * right: sums, whole_loss: overall, N * whole_loss: f"{overall}; and {sums}"}
    for value, cause in causes.items():  # 1e-2: a guard other than 1e-7 in log(y + delta)
        if np.isclose(loss, value, rtol=1e-2):
            return right, cause
    return right, ""


def _softmax_forward(loss, x, t, dx) -> str:
    """What is wrong with a softmax loss layer's forward on the network's own x and t, and
    whether its dx is the right forward's derivative; "" where the forward is right."""
    try:
        x, t, dx = np.asarray(x, dtype=np.float64), np.asarray(t), np.asarray(dx, dtype=float)
        mistake = softmax_loss_mistake(float(loss), x, t)
    except Exception:  # not NumPy's, or t of neither form
        return ""
    if not mistake:
        return ""
    said = f"; its forward is wrong too: forward(x, t) {mistake}"
    rows = t if t.shape == x.shape else one_hot(t.astype(int), x.shape[1])
    derivative = (oracle.softmax(x) - rows) / x.shape[0]
    if dx.shape == x.shape and np.allclose(dx, derivative, rtol=1e-4, atol=1e-9):
        said += (
            ". Its dx, (softmax(x) - t) / batch_size, is the right forward's derivative: fix"
            " the forward"
        )
    return said


def _compare(grad_name, got, like, like_name, numerical, ignored=None) -> str | None:
    """None when got matches the numerical gradient, except where ``ignored`` (a mask of like's
    shape) is True; else what is wrong with it."""
    if got is None or not hasattr(got, "shape"):
        return f"{grad_name} is {type(got).__name__}, not an array"
    if tuple(got.shape) != tuple(like.shape):
        return f"{grad_name} has shape {tuple(got.shape)}, {like_name} has {tuple(like.shape)}"
    n = numerical()
    xp = array_namespace(n)
    g = xp.astype(xp.asarray(got), n.dtype)
    scale = max(float(xp.max(xp.abs(g))), float(xp.max(xp.abs(n)))) if math.prod(n.shape) else 0
    diff = xp.abs(g - n)
    if ignored is not None:
        diff = xp.where(ignored, xp.zeros_like(diff), diff)
    if not (math.isfinite(scale) and math.isfinite(float(xp.max(diff)))):
        return f"{grad_name} has entries nan or inf, or its forward's derivative has"
    error = float(xp.max(diff)) / scale if scale > 0 else 0.0
    if error <= TOLERANCE:
        return None
    return f"{grad_name} is not the derivative of its forward (relative error {error:.2g})"


def _once(compute):
    """compute, called once, however often asked."""
    kept = []
    return lambda: kept[0] if kept else kept.append(compute()) or kept[0]


def _numerical(forward, value, r):
    xp = array_namespace(value)

    def f(_):
        out = forward(value)
        return float(xp.sum(out * r)) if not isinstance(r, float) else float(xp.sum(out))

    return numerical_gradient(f, value)


def _passes_through(dx, r) -> bool:
    return hasattr(dx, "shape") and not isinstance(r, float) and _same(dx, r)


def _same(a, b) -> bool:
    xp = array_namespace(a)
    return tuple(a.shape) == tuple(b.shape) and bool(xp.all(a == b))


def _copy(r):
    return array_namespace(r).asarray(r, copy=True)


def _copied(args: tuple) -> tuple:
    return tuple(
        array_namespace(a).asarray(a, copy=True) if hasattr(a, "shape") and hasattr(a, "dtype")
        else a
        for a in args
    )  # fmt: skip


def _place(layer) -> str:
    """ "common/layers.py, line 40": where the layer's backward is written."""
    try:
        function = type(layer).backward
        path = Path(inspect.getsourcefile(function))
        line = inspect.getsourcelines(function)[1]
    except (TypeError, OSError):
        return "its file"
    shown = f"{path.parent.name}/{path.name}" if path.parent.name else path.name
    return f"{shown}, line {line}"
