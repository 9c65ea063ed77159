"""xpnet.train with a keyword it does not take says which one to pass: the book's names
(learning_rate, iters_num, batch_size), never a bare "unexpected keyword argument"."""

from __future__ import annotations

import os

import pytest

import xpnet

ONCE = pytest.mark.skipif(  # argument names: the same on every backend
    os.environ.get("XPNET_BACKEND", "numpy") not in ("numpy", ""),
    reason="keyword names do not depend on the backend: tested in the numpy session",
)


@ONCE
@pytest.mark.parametrize(
    ("given", "fix"),
    [
        ({"lr": 0.1}, "pass learning_rate=0.1"),
        ({"iters": 500}, "pass iters_num=500"),
        ({"batchsize": 50}, "pass batch_size=50"),
        ({"seeed": 1}, "pass seed=1"),
        ({"colour": "red"}, "it takes iters_num, batch_size, learning_rate, grad, seed"),
    ],
)
def test_train_names_the_keyword_to_pass(given, fix):
    net = xpnet.TwoLayerNet(784, 50, 10, seed=0)
    data = xpnet.load_mnist_sample()
    with pytest.raises(TypeError, match="unexpected keyword argument") as caught:
        xpnet.train(net, *data, **given)
    assert str(caught.value).endswith(fix) or fix in str(caught.value)
    assert net.params["W1"].shape == (784, 50)  # refused before anything ran
