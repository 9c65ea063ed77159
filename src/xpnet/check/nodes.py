"""Chapter 5's layers of two inputs (MulLayer, AddLayer) and of one input (Relu, Sigmoid, ...).

A node of two inputs is checked on the book's numbers of 5.4 (MulLayer's ``forward(100, 2)`` is
200 and its ``backward(1.1)`` (2.2, 110); AddLayer's ``forward(200, 450)`` 650 and its
``backward(1.1)`` (1.1, 1.1)), then at x = 3, y = -2 against the central differences of its own
forward. A layer of one input is checked on an x of shape (4, 5) at least 0.1 away from ReLU's
kink: its forward against xpnet's function of its name, ``dx = backward(dout)`` against the
numerical derivative of ``sum(forward(x) * dout)``. Each typical mistake is said with its fix.
"""

from __future__ import annotations

import numpy as np

from .. import functions as oracle
from ..gradient import H, numerical_gradient
from .diagnosis import _factor, _shown
from .examples import FunctionResult, _array, _what
from .layerparts import SEED, _about_none, _away_from_zero, _first_wrong, _result, _scalar, _seeded
from .layers import _compare
from .locating import _brief, learner_frames

__all__ = ["NODES"]

# the book's 5.4: (x, y, dout, forward's value, backward's (dx, dy), the formula)
NODES = {
    "mul": (100.0, 2.0, 1.1, 200.0, (2.2, 110.0), "dx = dout * self.y; dy = dout * self.x"),
    "add": (200.0, 450.0, 1.1, 650.0, (1.1, 1.1), "dx = dout * 1; dy = dout * 1"),
}
# a layer of one input: its forward's value, by the name of its class
FORWARD = {
    "relu": (oracle.relu, "max(0, x)"),
    "sigmoid": (oracle.sigmoid, "1 / (1 + exp(-x))"),
    "tanh": (np.tanh, "tanh(x)"),
    "softmax": (oracle.softmax, "softmax(x), row by row"),
}


def _node(cls, layer) -> FunctionResult:
    """A node of two inputs: at the book's numbers where its name is the book's (MulLayer,
    AddLayer), then at another point, so that only the derivatives pass, not numbers typed in."""
    low = cls.__name__.lower()
    kind = next((k for k in NODES if k in low), None)
    points = [NODES[kind]] if kind else []
    points.append((3.0, -2.0, 1.5, None, None, NODES[kind][-1] if kind else ""))
    for x, y, dout, value, book, formula in points:
        said = _node_at(layer, kind, x, y, dout, value, book, formula)
        if said:
            return _result(cls, said)
    return _result(cls, "")


def _node_at(layer, kind, x, y, dout, value, book, formula) -> str:
    """What is wrong with the node at inputs x, y and upstream gradient dout; "" if nothing.
    ``value`` and ``book``: the book's forward and backward there, where it prints them."""
    forward = _seeded(layer)
    call = f"forward({x:g}, {y:g})"
    out = _scalar(forward(x, y))
    if out is None:
        return f"{call} returns {_what(forward(x, y))}, not a number"
    operation = {"mul": x * y, "add": x + y}.get(kind)
    if operation is not None and not np.isclose(out, operation, rtol=1e-9):
        name = "x * y" if kind == "mul" else "x + y"
        book_says = ", the book's 5.4" if value is not None else ""
        return f"{call} is {out:g}; it should be {operation:g} ({name}{book_says})"
    right = book or (  # the book's derivatives, exactly; else central differences
        dout * (_scalar(forward(x + H, y)) - _scalar(forward(x - H, y))) / (2 * H),
        dout * (_scalar(forward(x, y + H)) - _scalar(forward(x, y - H))) / (2 * H),
    )
    forward(x, y)
    then = f"{call} then backward({dout:g})"
    try:
        got = layer.backward(dout)
    except Exception as error:
        if not learner_frames(error):
            raise
        kept = ": forward keeps its inputs for backward (self.x = x; self.y = y)"
        return f"{then} raised {_brief(error)}{kept * _about_none(error)}"
    pair = tuple(got) if isinstance(got, tuple | list) else ()
    numbers = tuple(_scalar(g) for g in pair)
    if len(numbers) != 2 or None in numbers:
        what = _what(_array(got)) if pair else _what(got)
        return (
            f"{then} returns {what}; a node of two inputs returns the gradient of each: return"
            " dx, dy"
        )
    if np.allclose(numbers, right, rtol=1e-6, atol=1e-9):
        return ""
    said = f"{then} is ({numbers[0]:.6g}, {numbers[1]:.6g}); it should be ({right[0]:.6g},"
    said += f" {right[1]:.6g})" + (", the book's 5.4" if book is not None else "")
    fix = f": {formula}" if formula else ""
    if np.allclose(numbers[::-1], right, rtol=1e-6, atol=1e-9):
        return f"{said}: dx and dy are swapped{fix}"
    wrong = [i for i in (0, 1) if not np.isclose(numbers[i], right[i], rtol=1e-6, atol=1e-9)]
    if all(np.isclose(numbers[i], right[i] / dout, rtol=1e-6, atol=1e-9) for i in wrong):
        names = " and ".join(("dx", "dy")[i] for i in wrong)
        leave = "leaves" if len(wrong) == 1 else "leave"
        return f"{said}: {names} {leave} out dout, which the chain rule multiplies by{fix}"
    return f"{said}: they are not the derivatives of its forward{fix}"


def _one_input(cls, layer) -> FunctionResult | str:
    rng = np.random.default_rng(SEED)
    x = _away_from_zero(rng.standard_normal((4, 5)))
    forward = _seeded(layer)
    given = x.copy()
    out = _array(forward(given))
    if out is None:
        return _result(cls, f"forward(x) returns {_what(forward(x.copy()))}, not an array")
    note = (
        "its forward changes its input x, the caller's array: work on a copy (out = x.copy(),"
        " as the book's Relu)"
    ) * (not np.array_equal(given, x))
    if not np.array_equal(out, _array(forward(x.copy()))):
        return (
            "its forward gives two outputs for one x (np.random seeded before each): random,"
            " from a generator of its own"
        )
    shown = "forward(x) of a random x of shape (4, 5)"
    low = cls.__name__.lower()
    for name, (function, formula) in FORWARD.items():
        if low.startswith(name):
            expected = np.asarray(function(x))
            if out.shape != expected.shape or not np.allclose(out, expected, rtol=1e-7):
                why = f"{shown} is not {formula}: {_first_wrong(x, out, expected)}"
                if out.shape == x.shape and np.allclose(out, function(-x), rtol=1e-7):
                    why += f"; it is the value at -x: a minus sign is missing or extra in {formula}"
                return _result(cls, why)
    dout = rng.standard_normal(out.shape)

    def loss(v):
        return float(np.sum(_array(forward(v.copy())) * dout))

    derivative = numerical_gradient(loss, x.copy())
    forward(x.copy())
    dx = layer.backward(dout.copy())
    dx = dx[0] if isinstance(dx, tuple) else dx
    wrong = _compare("dx", _array(dx), x, "its input x", lambda: derivative)
    if wrong is None:
        return _result(cls, "", note)
    said = f"dx = backward(dout) after {shown}: {wrong}"
    got = _array(dx)
    if dx is None:
        return _result(cls, f"{said}: backward returns nothing; return dx", note)
    if got is None or got.shape != x.shape:
        return _result(cls, said, note)
    out = _array(forward(x.copy()))
    sigmoid = "the derivative of sigmoid is out * (1 - out):"
    hints = [  # (the name it begins with, what dx is then, the hint)
        ("relu", dout, "it passes dout through unchanged: the mask is missing (dout[mask] = 0)"),
        ("relu", dout * (x <= 0), "dout is kept where x <= 0: the mask is inverted (keep x > 0)"),
        ("sigmoid", dout * out, f"{sigmoid} (1 - self.out) is missing"),
        ("sigmoid", dout * (1 - out), f"{sigmoid} self.out is missing"),
        ("", -derivative, "its sign is wrong"),
    ]  # fmt: skip
    for start, candidate, hint in hints:
        if low.startswith(start) and np.allclose(got, candidate, rtol=1e-6, atol=1e-9):
            return _result(cls, f"{said}; {hint}", note)
    factor = _factor(got, derivative)
    if factor is not None:
        said += f"; it is {_shown(factor)} times the derivative: a constant too many, or too few"
    return _result(cls, said, note)
