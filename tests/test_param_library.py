"""A parameter replaced by another library's array is named, with its library (issue 22):
``net.params["W1"] = other`` used to end in "unsupported operand type(s) for @"."""

from __future__ import annotations

import numpy as np
import pytest

import xpnet
from xpnet.nets import check_params

KINDS = {"numpy": "a numpy array", "torch": "a torch tensor", "jax": "a jax array",
         "array_api_strict": "an array_api_strict array", "cupy": "a cupy array",
         "dask": "a dask array"}  # fmt: skip


def foreign(backend) -> tuple[object, str]:
    """A (6, 4) array of another library than backend's, and how the message names it."""
    if backend.name != "numpy":
        return np.zeros((6, 4)), "a numpy array"
    import array_api_strict

    return array_api_strict.zeros((6, 4), dtype=array_api_strict.float64), KINDS["array_api_strict"]


def test_a_parameter_of_another_library_is_named_in_every_public_method(backend):
    net = xpnet.TwoLayerNet(6, 4, 3, xp=backend.xp, device=backend.device, seed=0)
    x = backend.asarray(np.ones((2, 6)), dtype=net.dtype)
    t = backend.asarray(np.array([0, 1]))
    net.params["W1"], kind = foreign(backend)
    message = (
        f"net.params['W1'] is {kind} but the network's other parameters are {backend.name} arrays"
    )
    for call in (net.predict, lambda x: net.loss(x, t), lambda x: net.gradient(x, t)):
        with pytest.raises(TypeError) as raised:
            call(x)
        assert str(raised.value).startswith(message.replace(f"{backend.name} arrays", ""))
        assert "put it back with net.params['W1'] = net.backend.asarray(value)" in str(raised.value)


def test_the_trainer_names_a_parameter_replaced_after_it_was_made():
    (x, t), test = xpnet.load_mnist_sample()
    net = xpnet.TwoLayerNet(784, 5, 10, seed=0)
    trainer = xpnet.Trainer(net, (x[:200], t[:200]), test, batch_size=50)
    net.params["b2"] = [0.0] * 10
    with pytest.raises(TypeError, match=r"net.params\['b2'\] is a list, not an array of the"):
        trainer.run(2)


def test_a_torch_parameter_in_a_numpy_net_names_torch():
    torch = pytest.importorskip("torch")
    net = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    net.params["W2"] = torch.zeros(4, 3, dtype=torch.float64)
    with pytest.raises(TypeError) as raised:
        net.loss(np.ones((2, 6)), np.array([0, 1]))
    assert str(raised.value) == (
        "net.params['W2'] is a torch tensor but the network's other parameters are numpy arrays;"
        " put it back with net.params['W2'] = net.backend.asarray(value), or build the net on"
        " torch (xp=... / device=...)"
    )


def test_check_params_passes_the_nets_own_parameters(backend):
    net = xpnet.TwoLayerNet(6, 4, 3, xp=backend.xp, device=backend.device, seed=0)
    check_params(net.params, net.backend)  # no error: the common case
    simple = xpnet.SimpleNet(xp=backend.xp, device=backend.device, seed=0)
    check_params(simple.params, simple.backend)
