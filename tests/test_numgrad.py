"""TwoLayerNet's numerical gradient, batched (xpnet.numgrad): every perturbation's loss in a few
array ops, equal to the book's loop (``method="loop"``), the oracle, on every backend."""

import re

import numpy as np
import pytest
from conftest import IN_PLACE, assert_close, assert_on
from helpers import KEYS, batch, make_net

import xpnet
from xpnet import numgrad
from xpnet.backends import to_numpy


@pytest.mark.skip_lazy(reason=IN_PLACE + " (the loop is the oracle)")
@pytest.mark.parametrize("targets", ["labels", "one-hot"])
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_batched_numerical_gradient_equals_the_loop(backend, activation, targets):
    net = make_net(backend, 7, 5, 4, 0.5, activation=activation, seed=3)
    net.params["b1"] = backend.asarray(np.linspace(-0.5, 0.5, 5))
    x, labels = batch(backend, scale=2.0)
    t = labels if targets == "labels" else xpnet.one_hot(labels, 4)
    batched = net.numerical_gradient(x, t)
    loop = net.numerical_gradient(x, t, method="loop")
    for key in KEYS:
        assert_on(batched[key], backend, backend.xp.float64)
        assert_close(batched[key], to_numpy(loop[key]), rtol=0, atol=1e-9)


@pytest.mark.skip_lazy(reason=IN_PLACE)
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_batched_numerical_gradient_with_zeros_repeats_and_small_blocks(
    backend, activation, monkeypatch
):
    """Zero inputs contribute nothing and equal values share one evaluation; blocks of 6
    nonzero inputs and chunks of 3 evaluations make every boundary in xpnet.numgrad happen."""
    monkeypatch.setattr(numgrad, "BLOCK_PAIRS", 6)
    monkeypatch.setattr(numgrad, "CHUNK_ELEMENTS", 2 * 4 * 5 * 3)
    monkeypatch.setattr(numgrad, "GPU_CHUNK_ELEMENTS", 2 * 4 * 5 * 3)
    rng = np.random.default_rng(5)
    x = rng.integers(0, 4, size=(5, 7)) / 4.0  # levels 0, 1/4, 1/2, 3/4: zeros and repeats
    x[:, 2] = 0.0  # a column that is zero in every sample
    x[1] = x[0]  # a repeated sample
    x[3, 4] = 1.0  # a value equal to the bias's input
    x = backend.asarray(x)
    net = make_net(backend, 7, 5, 4, 0.5, activation=activation, seed=3)
    net.params["b1"] = backend.asarray(np.linspace(-0.5, 0.5, 5))
    t = backend.asarray(np.array([0, 3, 1, 1, 2]))
    batched = net.numerical_gradient(x, t)
    loop = net.numerical_gradient(x, t, method="loop")
    for key in KEYS:
        assert_close(batched[key], to_numpy(loop[key]), rtol=0, atol=1e-9)
    assert np.all(to_numpy(batched["W1"])[2] == 0.0)  # exactly: no input, no change
    assert np.any(to_numpy(batched["W1"]) != 0.0)


@pytest.mark.slow
def test_batched_numerical_gradient_equals_the_loop_at_full_size():
    (x, t), _ = xpnet.load_mnist_sample()
    for activation in ("relu", "sigmoid"):
        net = xpnet.TwoLayerNet(784, 50, 10, activation=activation, seed=0)
        batched = net.numerical_gradient(x[:3].astype(np.float64), t[:3])
        loop = net.numerical_gradient(x[:3].astype(np.float64), t[:3], method="loop")
        for key in KEYS:
            np.testing.assert_allclose(batched[key], loop[key], rtol=0, atol=1e-9)


def test_numerical_gradient_method_is_checked():
    net = xpnet.TwoLayerNet(3, 2, 2, seed=0)
    with pytest.raises(ValueError, match="method must be one of"):
        net.numerical_gradient(np.ones((1, 3)), np.array([0]), method="fast")


def _arguments(**changes):
    net = xpnet.TwoLayerNet(4, 3, 2, seed=0)
    arguments = dict(params=net.params, activation="relu", x=np.ones((2, 4)), t=np.array([0, 1]))
    return {**arguments, **changes}


@pytest.mark.parametrize(
    ("changes", "error", "words"),
    [
        (dict(h=0.0), ValueError, "h must be a finite number > 0; got 0"),
        (dict(h="1e-4"), TypeError, "h must be a positive number; got str"),
        (dict(activation="tanh"), ValueError, "activation must be one of ['relu', 'sigmoid']"),
        (dict(params=[1.0]), TypeError, "params must be TwoLayerNet's dict"),
        (dict(params={"W1": np.ones((4, 3))}), ValueError, "got ['W1']. Pass net.params"),
        (
            dict(params={**_arguments()["params"], "b2": np.ones(3)}),
            ValueError,
            "W1 (4, 3), b1 (3,), W2 (3, 2), b2 (3,)",
        ),
        (dict(x=np.ones(4)), ValueError, "x must have shape (N, 4)"),
        (dict(x=np.ones((2, 5))), ValueError, "got shape (2, 5): pass 4 features a row"),
        (dict(t=np.array([0, 1, 1])), ValueError, "t must hold x's 2 labels"),
        (dict(t=np.ones((2, 3))), ValueError, "shape (2, 2); got shape (2, 3)"),
    ],
)
def test_batched_numerical_gradient_names_the_argument_that_does_not_fit(changes, error, words):
    """Each was a KeyError, an unpacking or broadcasting error, or (h=0) a gradient of NaN."""
    arguments = _arguments(**changes)
    h = arguments.pop("h", 1e-4)
    with pytest.raises(error, match="^batched_numerical_gradient: .*" + re.escape(words)):
        numgrad.batched_numerical_gradient(**arguments, h=h)
