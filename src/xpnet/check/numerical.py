"""Chapter 4's numerical differentiation: numerical_diff, numerical_gradient, gradient_descent.

Each check takes the learner's function and returns ``(reason, note)``, held to the book's numbers
of 4.3-4.4 (0.2 and 0.3; (6, 8), (0, 4), (6, 0); x restored; a 2-D W entry by entry; the book's
``lambda w: net.loss(x, t)``, which only an x changed in place reaches) and said with the likely
cause: the forward difference, a missing 2h, x not restored, a copy of x, whole rows moved at
once, a step uphill, ``lr`` or ``step_num`` unused, ``x = lr * grad``.
:func:`function_second` calls one whose parameters' names put the point first (``numerical_diff(x,
f)``) so, with a note.
"""

from __future__ import annotations

import inspect

import numpy as np

from .examples import H, _array, _found, _list, _run, _what
from .locating import _brief

POINT_NAMES = {"x", "x0", "init_x", "point", "a"}  # a parameter that names the point
FUNCTION_NAMES = {"f", "func", "function", "fn", "fun", "function_to_diff"}  # and the function


def function_second(check):
    """check, calling a learner's function whose parameters' names put the point first and the
    function second (numerical_diff(x, f)) so, with a note; the book's is (f, x)."""

    def checked(f, namespace) -> tuple[str, str]:
        try:
            first, second = list(inspect.signature(f).parameters)[:2]
        except ValueError:
            return check(f, namespace)
        if first.lower() not in POINT_NAMES or second.lower() not in FUNCTION_NAMES:
            return check(f, namespace)
        reason, note = check(lambda g, x, *rest, **options: f(x, g, *rest, **options), namespace)
        said = (
            f"it takes ({first}, {second}), the function second: called so (the book's is (f, x))"
        )
        return reason, f"{said}; {note}" if note else said

    return checked


def _numerical_diff(f, namespace) -> tuple[str, str]:
    def function_1(x):  # the book's 4.3.2
        return 0.01 * x**2 + 0.1 * x

    for x, right in ((5.0, 0.2), (10.0, 0.3)):  # the book: 0.1999999999990898, 0.2999999999986347
        returned = f(function_1, x)
        value = _array(returned)
        if value is None or value.size != 1:  # `return print(...)`: None
            printed = ": return the value (print only shows it)" if returned is None else ""
            return (
                f"numerical_diff(function_1, {x:g}) returns {_what(returned)}, not a number"
                + printed,
                "",
            )
        got = float(value.reshape(()))
        if abs(got - right) > 1e-7 * right:
            forward = (function_1(x + H) - function_1(x)) / H
            why = f"numerical_diff(function_1, {x:g}) is {got!r}; the derivative is {right:g}"
            if got == 0.0:
                return f"{why}: h is so small that x + h == x in floating point: use h = 1e-4", ""
            if abs(got - forward) <= 1e-9:
                return (
                    f"{why}: the forward difference (f(x+h) - f(x)) / h, whose error is of the"
                    " order of h; use the central difference (f(x+h) - f(x-h)) / (2*h)"
                ), ""
            if abs(got - 2 * right) <= 1e-6:
                return f"{why}, twice as much: divide by 2*h, the central difference's width", ""
            return why, ""
    return "", ""


def _numerical_gradient(f, namespace) -> tuple[str, str]:
    def function_2(x):  # the book's 4.3.3
        return np.sum(x**2)

    for start, right in (
        ([3.0, 4.0], [6.0, 8.0]),
        ([0.0, 2.0], [0.0, 4.0]),
        ([3.0, 0.0], [6.0, 0.0]),
    ):
        x = np.array(start)
        got = _array(f(function_2, x))
        call = f"numerical_gradient(function_2, np.array({start}))"
        if got is None or got.shape != x.shape:
            return f"{call} returns {_what(got)}, not an array of x's shape (2,)", ""
        if not np.array_equal(x, start):
            return (
                f"{call} leaves x changed ({x.tolist()}): restore each entry after its two"
                " evaluations (x[idx] = tmp_val)"
            ), ""
        said = _gradient_mistake(call, got, np.array(right), 2 * x + H)
        if said:
            return said, ""
    X = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]])
    call = "numerical_gradient(f, W) of a 2-D W (a weight matrix, as simpleNet's W, 4.4.2)"
    one_d = "right for a 1-D x, as the book's 4.3.3 prints it; {}: {}"
    try:
        got = _array(f(lambda w: np.sum(w**2 + w), X))
    except Exception as error:
        return "", one_d.format(f"{call} raised {_brief(error)}", _every_entry())
    if got is None or got.shape != X.shape:
        shape = f"{call} returns {_what(got)}, not an array of W's shape (2, 3)"
        return "", one_d.format(shape, _every_entry())
    said = _gradient_mistake(call, got, 2 * X + 1, 2 * X + 1 + H)
    rows = np.sum(2 * X + 1, axis=1, keepdims=True) + 0 * X  # each row of x moved as one
    if said and np.allclose(got, rows, rtol=1e-6, atol=1e-9):
        said += (
            ": it moves a whole row of x at a time (range(x.shape[0])): iterate over every"
            " element, np.nditer(x, flags=['multi_index']) as the book does"
        )
    if said:
        return said, ""
    W = X.copy()
    got = _array(f(lambda w: np.sum(W**2), W))  # the book's f = lambda w: net.loss(x, t)
    if got is not None and got.shape == W.shape and not np.any(got):
        return (
            "numerical_gradient(lambda w: net.loss(x, t), net.W), the book's use in simpleNet, is"
            " 0 everywhere: it changes a copy of x, so a function that reads the array itself"
            " sees no change; change x in place (tmp_val = x[idx]; x[idx] = tmp_val + h)"
        ), ""
    return "", ""


def _gradient_descent(f, namespace) -> tuple[str, str]:
    def function_2(x):
        return np.sum(x**2)

    start, lr, steps = np.array([-3.0, 4.0]), 0.05, 30  # each step multiplies x by 1 - 2 lr
    try:
        got = f(function_2, start.copy(), lr=lr, step_num=steps)
    except TypeError:  # other names: the book's order
        got = f(function_2, start.copy(), lr, steps)
    if isinstance(got, tuple) and got:  # the book's gradient_method.py: (x, x_history)
        got = got[0]
    got = _array(got)
    call = f"gradient_descent(function_2, init_x=[-3, 4], lr={lr:g}, step_num={steps})"
    right = start * (1 - 2 * lr) ** steps
    if got is None or got.shape != start.shape:
        return f"{call} returns {_what(got)}, not the last x", ""
    if np.allclose(got, right, rtol=1e-6, atol=1e-12):
        return "", ""
    why = f"{call} is {_list(got)}; it should be {_list(right)}"
    for hypothesis, said in (
        (start, "x never moves: return the x the loop updates (x -= lr * grad)"),
        (start * (1 + 2 * lr) ** steps, "it climbs: step against the gradient, x -= lr * grad"),
        (start * (1 - 2 * 0.01) ** steps, "lr is not used (that is the default 0.01's result)"),
        (start * (1 - 2 * lr) ** 100, "step_num is not used (that is 100 steps' result)"),
        (start * (1 - 2 * lr), "only one step is taken: loop step_num times"),
        (
            start * (2 * lr) ** steps,
            "x = lr * grad puts the step in x's place: subtract it from x, x -= lr * grad",
        ),
    ):
        if np.allclose(got, hypothesis, rtol=1e-6):
            return f"{why}: {said}", ""
    own = _found(namespace, "numerical_gradient")
    if own is not None and _run("numerical_gradient", own, _numerical_gradient, namespace).reason:
        return f"{why}: it uses numerical_gradient, which is wrong (below)", ""
    return why, ""


def _gradient_mistake(call: str, got, right, forward) -> str:
    scale = max(float(np.max(np.abs(right))), 1.0)
    if float(np.max(np.abs(got - right))) <= 1e-6 * scale:
        return ""
    why = f"{call} is {_list(got)}; the gradient is {_list(right)}"
    if np.allclose(got, forward, rtol=0, atol=1e-7):
        return (
            f"{why}: the forward difference (f(x+h) - f(x)) / h; use the central difference"
            " (f(x+h) - f(x-h)) / (2*h)"
        )
    if np.allclose(got, 2 * right, rtol=1e-6, atol=1e-9):
        return f"{why}, twice as much: divide by 2*h, the central difference's width"
    if not np.any(got):
        return (
            f"{why}: 0 everywhere, so f never sees x change: change x in place"
            " (x[idx] = tmp_val + h)"
        )
    return why


def _every_entry() -> str:
    return (
        "a gradient has an entry for every entry of x; iterate over them all"
        " (np.nditer(x, flags=['multi_index']), as the book's common/gradient.py), not over"
        " range(x.size), which indexes a 2-D x by rows"
    )
