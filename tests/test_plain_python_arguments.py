"""A Python list or number where an array belongs (``xpnet.softmax([1.0, 2.0])``) is refused with
what to pass, naming the function, not with array-api-compat's "list is not a supported array
type": xpnet returns arrays of its inputs' library, so it cannot choose one for a list."""

from __future__ import annotations

import os

import numpy as np
import pytest

import xpnet

ONCE = pytest.mark.skipif(  # Python lists and numbers: the same on every backend
    os.environ.get("XPNET_BACKEND", "numpy") not in ("numpy", ""),
    reason="plain Python arguments do not depend on the backend: tested in the numpy session",
)


def square(x):
    return (x**2).sum()


@ONCE
@pytest.mark.parametrize(
    ("call", "name", "given"),
    [
        (lambda: xpnet.softmax([1.0, 2.0]), "softmax", "list, [1.0, 2.0]"),
        (lambda: xpnet.sigmoid((0.0, 1.0)), "sigmoid", "tuple, (0.0, 1.0)"),
        (lambda: xpnet.relu(3.0), "relu", "float, 3.0"),
        (lambda: xpnet.numerical_gradient(square, [3.0, 4.0]), "numerical_gradient", "list"),
        (lambda: xpnet.gradient_descent(square, [-3.0, 4.0]), "gradient_descent", "list"),
    ],
)
def test_a_list_where_an_array_belongs_says_what_to_pass(call, name, given):
    with pytest.raises(TypeError) as caught:
        call()
    message = str(caught.value)
    assert message.startswith(f"{name} takes arrays of an Array API library")
    assert f"got a {given}" in message and "Pass an array: numpy.asarray(" in message


@ONCE
def test_the_array_that_the_message_suggests_works():
    assert xpnet.softmax(np.asarray([1.0, 2.0])).shape == (2,)


@ONCE
@pytest.mark.parametrize(
    ("call", "start"),
    [
        (lambda: xpnet.softmax(None), "softmax takes arrays of an Array API library"),
        (lambda: xpnet.numerical_gradient(square, None), "numerical_gradient takes arrays"),
        (lambda: xpnet.cross_entropy_error(np.ones(2), None), "cross_entropy_error: t must be"),
    ],
)
def test_none_where_an_array_belongs_says_what_to_pass(call, start):
    with pytest.raises(TypeError) as caught:
        call()
    message = str(caught.value)
    assert message.startswith(start)
    assert "got None. Pass an array: numpy.asarray([...])" in message


@ONCE
def test_a_list_y_of_a_loss_says_what_to_pass():
    with pytest.raises(
        TypeError,
        match=r"cross_entropy_error: y must be an array; got a list, \[0.1, 0.9\]\. Pass an"
        r" array: numpy.asarray\(\[0.1, 0.9\]\)",
    ):
        xpnet.cross_entropy_error([0.1, 0.9], [0, 1])


@ONCE
@pytest.mark.parametrize(
    ("t", "given"), [(1, "an int, 1"), (2.0, "a float, 2.0"), ([0, 1], "a list, [0, 1]")]
)
@pytest.mark.parametrize("loss", ["cross_entropy_error", "sum_squared_error"])
def test_a_plain_t_of_a_loss_beside_an_array_y_says_what_to_pass(loss, t, given):
    """A number t beside an array y was AttributeError: 'int' object has no attribute 'device'."""
    with pytest.raises(TypeError) as caught:
        getattr(xpnet, loss)(np.array([0.1, 0.9]), t)
    assert str(caught.value) == (
        f"{loss}: t must be an array; got {given}. Pass an array: numpy.asarray({t!r})"
        " (or torch.asarray, ...)"
    )


@ONCE
@pytest.mark.parametrize("caller", ["numerical_gradient", "gradient_descent", "numerical_diff"])
def test_an_f_that_is_no_function_is_named(caller):
    x = 3.0 if caller == "numerical_diff" else np.array([3.0, 4.0])
    with pytest.raises(
        TypeError, match=rf"{caller}: f must be a function of x \(callable\).*got int 3"
    ):
        getattr(xpnet, caller)(3, x)
