"""Numerical differentiation (chapter 4): central differences and gradient descent.

``numerical_gradient(f, x)`` keeps the book's contract: it perturbs ``x`` in place, one element
at a time, and calls ``f(x)``, so closures such as ``lambda W: net.loss(x, t)`` -- which ignore
their argument and read the network's own weights -- work unchanged. It always restores ``x``,
also when ``f`` raises, from a saved copy (never from a view into ``x``).

Arrays that cannot be written in place (JAX) get perturbed copies instead (the switchboard's
``updated``), so there ``f`` must compute from its argument: a closure that ignores it would see
no perturbation and give a zero gradient, and gets a clear error instead.
What x and f may be, and the errors that say so, live in ``xpnet.gradient_arguments``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from .arguments import array_namespace, check_count, check_positive_number
from .backends import Array, on_device_of, updated, writes_in_place
from .gradient_arguments import (
    IgnoredArgumentError,
    _check_reads_argument,
    _scalar,
    check_float_input,
    check_function,
    check_step,
)

__all__ = [
    "IgnoredArgumentError",
    "gradient_descent",
    "numerical_diff",
    "numerical_gradient",
    "numerical_gradient_rows",
]

H = 1e-4  # the book's step: small enough for accuracy, large enough for float64 rounding


def numerical_diff(f: Callable[[float], float], x: float, h: float = H) -> float:
    """The central difference (f(x + h) - f(x - h)) / 2h of a function of one number (4.3.1).

    Parameters
    ----------
    f : callable
        A function of one Python number.
    x : float
        The point.
    h : float, optional
        The step, a finite number > 0: the book's 1e-4 (another raises, naming h).

    Returns
    -------
    float
        The derivative's approximation.

    Raises
    ------
    TypeError
        When f is not callable (f and x swapped: pass the function first), or h is no number.
    ValueError
        When h is not a finite number > 0.

    Examples
    --------
    >>> round(numerical_diff(lambda x: 0.01 * x**2 + 0.1 * x, 5.0), 6)
    0.2
    """
    check_function("numerical_diff", f)
    h = check_step("numerical_diff", h)
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f: Callable[[Array], Array], x: Array, *, h: float = H) -> Array:
    """The gradient of a scalar function f at x by central differences, element by element (4.4).

    x is perturbed in place while f is evaluated and restored before returning, also when f
    raises, so the book's closure ``lambda W: net.loss(x, t)`` works for ``x = net.W``. JAX arrays
    are immutable: there f is called with perturbed copies of x (x is never changed) and last
    with x itself, so that a closure that stores its argument (``net.params["W1"] = W``) ends
    holding x again.

    Parameters
    ----------
    f : callable
        f(x) returns a number or a 0-d array.
    x : array, any shape
        A floating-point array of any Array API library (float64 for accurate gradients).
    h : float, optional
        The step, a finite number > 0: the book's 1e-4 (another raises, naming h).

    Returns
    -------
    array, x's shape
        df/dx, in x's namespace, device and dtype.

    Raises
    ------
    TypeError
        For integer or boolean x (x + h would be truncated: the book's version returns
        [5000, 15000] for the point [1, 2] of x0**2 + x1**2), for float16 or bfloat16 x (x + h
        rounds back to x), for a Dask x (every write grows its graph), for a torch x with
        requires_grad=True (pass x.detach()), for a read-only NumPy x (a broadcast view, a
        memory map: pass a writable copy), for a list or None instead of an array, for an f
        that cannot be called, and when f returns None or no number.
    ValueError
        When h is not a finite number > 0 (TypeError when it is no number), when f returns an
        array of more than one element; on JAX, when f ignores its argument
        (IgnoredArgumentError: the gradient would be all zero).

    Warns
    -----
    UserWarning
        For float32 x, whose rounding error at h = 1e-4 is about 1e-3 of the result.

    Examples
    --------
    >>> import numpy as np
    >>> numerical_gradient(lambda x: np.sum(x**2), np.array([3.0, 4.0])).round(6).tolist()
    [6.0, 8.0]
    """
    check_function("numerical_gradient", f)
    xp = array_namespace(x)
    h = check_step("numerical_gradient", h)
    check_float_input(x, "x", "numerical_gradient", h=h)
    in_place = writes_in_place(x)
    with on_device_of(x):  # CuPy: new arrays and kernels on x's GPU, not the current one
        saved = xp.asarray(x, copy=True)  # a copy, not a view: x[idx] is a view in torch, CuPy
        grad = xp.zeros_like(x)
        try:
            for idx in itertools.product(*(range(n) for n in x.shape)):
                # x itself (perturbed in place), or a perturbed copy (JAX)
                fxh1 = _scalar(f(updated(x, idx, saved[idx] + h)))
                fxh2 = _scalar(f(updated(x, idx, saved[idx] - h)))
                grad = updated(grad, idx, (fxh1 - fxh2) / (2 * h))
                if in_place:
                    x[idx] = saved[idx]
        finally:
            if in_place:
                x[...] = saved
        if not in_place:
            _check_reads_argument(f, x, grad)
            f(x)  # last called with x itself: a closure that stores its argument keeps x
    return grad


def numerical_gradient_rows(f: Callable[[Array], Array], X: Array, *, h: float = H) -> Array:
    """The numerical gradient at each row of X as its own point (the book's 2-D form, for fields).

    Parameters
    ----------
    f : callable
        Maps one point of shape (D,) to a number or a 0-d array.
    X : array of shape (N, D)
        The points, floating-point.
    h : float, optional
        The step, a finite number > 0: the book's 1e-4 (another raises, naming h).

    Returns
    -------
    array of shape (N, D)
        The gradient of f at each row of X.

    Raises
    ------
    ValueError
        When X is not 2-D.
    TypeError
        For X that numerical_gradient refuses (integer, float16, Dask).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[3.0, 4.0], [0.0, 2.0]])
    >>> numerical_gradient_rows(lambda p: np.sum(p**2), X).round(6).tolist()
    [[6.0, 8.0], [0.0, 4.0]]
    """
    check_function("numerical_gradient_rows", f)
    xp = array_namespace(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, one point per row; got shape {tuple(X.shape)}")
    h = check_step("numerical_gradient_rows", h)
    check_float_input(X, "X", "numerical_gradient_rows", h=h, in_place=False)  # rows: copies
    with on_device_of(X):
        rows = []
        for i in range(X.shape[0]):
            point = xp.asarray(X[i, :], copy=True)
            rows.append(numerical_gradient(f, point, h=h))
        return xp.stack(rows) if rows else xp.zeros_like(X)  # no points: an empty (0, D)


def gradient_descent(
    f: Callable[[Array], Array],
    init_x: Array,
    lr: float = 0.01,
    step_num: int = 100,
    *,
    return_history: bool = False,
) -> Array | tuple[Array, Array]:
    """Minimize f by gradient descent with the numerical gradient: x <- x - lr * grad f(x) (4.4.1).

    Parameters
    ----------
    f : callable
        f(x) returns a number or a 0-d array.
    init_x : array
        The start; left untouched. Integer init_x is promoted to float64.
    lr : float, optional
        The learning rate, a finite number > 0 (the book's default 0.01).
    step_num : int, optional
        Steps to take, an integer >= 0 (0 returns the start).
    return_history : bool, optional
        Also return every point visited.

    Returns
    -------
    x : array, init_x's shape
        The last point.
    history : array of shape (step_num + 1, ...)
        Only with ``return_history=True``: the start, then the point after every step.

    Raises
    ------
    TypeError, ValueError
        Naming lr or step_num when either is no number of the right kind; as numerical_gradient
        for an x it refuses.

    Examples
    --------
    >>> import numpy as np
    >>> x = gradient_descent(lambda x: np.sum(x**2), np.array([-3.0, 4.0]), lr=0.1)
    >>> bool(np.all(np.abs(x) < 1e-8))
    True
    >>> x, history = gradient_descent(lambda x: np.sum(x**2), np.array([-3.0, 4.0]),
    ...                               step_num=3, return_history=True)
    >>> history.shape
    (4, 2)
    """
    check_function("gradient_descent", f)
    lr = check_positive_number("gradient_descent", "lr", lr, hint="pass e.g. lr=0.1")
    step_num = check_count(
        "gradient_descent", "step_num", step_num, minimum=0, hint="pass e.g. step_num=100"
    )
    xp = array_namespace(init_x)
    if not xp.isdtype(init_x.dtype, "real floating"):
        init_x = xp.astype(init_x, xp.float64)
    with on_device_of(init_x):
        x = xp.asarray(init_x, copy=True)
        history = [xp.asarray(x, copy=True)] if return_history else None
        for _ in range(step_num):
            x = x - lr * numerical_gradient(f, x)
            if history is not None:
                history.append(x)
        if history is not None:
            return x, xp.stack(history)
        return x
