"""TwoLayerNet(..., backend=) and SimpleNet(backend=): a Backend passed through as it is, never
with xp= or device= besides."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_close, assert_on

import xpnet


@pytest.mark.parametrize(
    "make",
    [lambda **k: xpnet.TwoLayerNet(5, 4, 3, seed=0, **k), lambda **k: xpnet.SimpleNet(seed=0, **k)],
    ids=["two", "simple"],
)
def test_a_net_takes_its_backend_as_given(backend, make):
    net = make(backend=backend)
    other = make(xp=backend.xp, device=backend.device)
    assert net.backend is backend
    for key, value in net.params.items():
        assert_on(value, backend)
        assert_close(value, other.params[key])


@pytest.mark.parametrize("extra", [{"xp": np}, {"device": "cpu"}, {"xp": np, "device": "cpu"}])
def test_backend_with_xp_or_device_names_both(extra):
    backend = xpnet.get_backend("cpu")
    given = " and ".join(f"{key}=" for key in extra)
    for make in (xpnet.TwoLayerNet, xpnet.SimpleNet):
        args = (4, 3, 2) if make is xpnet.TwoLayerNet else ()
        with pytest.raises(TypeError, match=f"got backend= and {given}; give either backend="):
            make(*args, backend=backend, **extra)


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("torch", "xpnet.get_backend('cpu', backend='torch'); got 'torch'"),
        (3, "xpnet.get_backend('cpu'); got 3"),
    ],
)
def test_backend_must_be_a_backend(given, said):
    """The message said "got {got!r}", its field unfilled: the template's !r was not read."""
    with pytest.raises(TypeError) as raised:
        xpnet.TwoLayerNet(4, 3, 2, backend=given)
    assert str(raised.value) == f"TwoLayerNet: backend must be a Backend, such as {said}"


@pytest.mark.parametrize("make", [xpnet.TwoLayerNet, xpnet.get_backend])
def test_xp_given_as_a_string_says_to_pass_the_module(make):
    """It was AttributeError: 'str' object has no attribute '__name__'."""
    args = (4, 3, 2) if make is xpnet.TwoLayerNet else ("cpu",)
    with pytest.raises(TypeError, match=r"got the string 'numpy'\. Pass the module \(import numpy"):
        make(*args, xp="numpy")
