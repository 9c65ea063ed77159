"""Chapter 5's Affine on its own: ``x W + b``, dx, and dW and db where the layer keeps them.

:func:`_affine` builds it from W (4, 3) and b (3,) (or from two sizes), holds its forward to
``x W + b`` and its backward's dx, dW and db to their formulas (exact: the forward was found right
first). dW and db are read under the book's names or the learner's (:mod:`xpnet.check.names`).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .examples import FunctionResult, _array, _what
from .layerparts import SEED, _joined, _result, _seeded
from .names import gradient_attribute, gradient_candidates

ARRAY_NAMES = ("w", "weight", "weights")


def _affine(cls, required: list[str]) -> FunctionResult | str:
    if len(required) != 2:
        return (
            f"its constructor needs {', '.join(required)}; xpnet builds an Affine from W and b"
            " (the book's), or from two sizes"
        )
    rng = np.random.default_rng(SEED)
    D, M, N = 4, 3, 2
    W, b, x = rng.standard_normal((D, M)), rng.standard_normal(M), rng.standard_normal((N, D))
    name = cls.__name__
    if required[0].lower() in ARRAY_NAMES:
        built = f"{name}(W, b) of W {W.shape}, b {b.shape}"
        layer = cls(W, b)
    else:
        built = f"{name}({D}, {M})"
        layer = cls(D, M)
        W, b = _kept(layer, "W", "w", "weight"), _kept(layer, "b", "bias")
        if W is None or b is None or W.shape != (D, M) or b.shape != (M,):
            return (
                f"built as {built}, it keeps no W of shape ({D}, {M}) and b of ({M},) (as"
                " self.W, self.b): xpnet checks the book's out = x W + b"
            )
    W, b = W.copy(), b.copy()  # the layer holds these arrays; the copies stay as they were
    forward = _seeded(layer)
    out = _array(forward(x.copy()))
    shown = f"forward(x) of x {x.shape}, {built}"
    right = x @ W + b
    if out is None or out.shape != right.shape:
        return _result(cls, f"{shown} returns {_what(out)}, not an array of shape {right.shape}")
    if not np.allclose(out, right, rtol=1e-9, atol=1e-12):
        b_missing = np.allclose(out, x @ W, rtol=1e-9)
        said = "b is not added: " if b_missing else ""
        return _result(cls, f"{shown} is not x W + b: {said}out = np.dot(x, self.W) + self.b")
    dout = rng.standard_normal(right.shape)
    forward(x.copy())
    before = dict(vars(layer))
    dx = layer.backward(dout.copy())
    dx = dx[0] if isinstance(dx, tuple) else dx
    said, notes = [], []
    for grad, got, expected, fix, others in (
        ("dx", [("dx", dx)], dout @ W.T, "dx = np.dot(dout, self.W.T)", {}),
        (
            "dW",
            gradient_candidates(layer, "W", "dW", before, W.shape),
            x.T @ dout,
            "self.dW = np.dot(self.x.T, dout)",
            {"the mean over the batch, not the sum": x.T @ dout / N},
        ),
        (
            "db",
            gradient_candidates(layer, "b", "db", before, b.shape),
            np.sum(dout, axis=0),
            "self.db = np.sum(dout, axis=0)",
            {
                "the mean over the batch, not the sum": np.mean(dout, axis=0),
                "the sum of all of dout, one number: sum over the batch only (axis=0)": np.sum(
                    dout
                ),
            },
        ),
    ):
        wrong, note = gradient_attribute(
            got, grad, partial(_formula, grad, expected=expected, fix=fix, others=others)
        )
        said += [wrong] if wrong else []
        notes += [note] if note else []
    if said:
        return _result(cls, f"backward(dout) after {shown}: " + "; ".join(said))
    return _result(cls, "", _joined(*notes))


def _formula(grad: str, got, expected, fix: str, others: dict) -> str:
    if got is None:
        kept = " keeps no" if grad != "dx" else " returns no"
        return f"backward{kept} {grad}: {fix}"
    got = _array(got)
    if got is None:
        return f"{grad} is no array: {fix}"
    for said, other in others.items():
        if got.shape == np.shape(other) and np.allclose(got, other, rtol=1e-9):
            return f"{grad} is {said}: {fix}"
    if got.shape != expected.shape:
        return f"{grad} has shape {got.shape}, not {expected.shape}: {fix}"
    if not np.allclose(got, expected, rtol=1e-9, atol=1e-12):
        return f"{grad} is not the derivative of out = x W + b: {fix}"
    return ""


def _kept(layer, *names):
    """The layer's array under the first of names it has (or in its params dict)."""
    params = getattr(layer, "params", None)
    for name in names:
        value = getattr(layer, name, None)
        if value is None and isinstance(params, dict):
            value = params.get(name)
        if value is not None:
            return value
    return None
