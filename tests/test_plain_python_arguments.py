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
