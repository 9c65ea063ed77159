import numpy as np
from array_api_compat import array_namespace
from conftest import assert_close, assert_on

import xpnet

BOOK_W = [[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]]
# The book prints the loss 0.92806853663411326 and dW below for this W; its numbers come from a
# loss without the 1e-7 guard, which moves them by about 2.5e-7.
BOOK_DW = [[0.21924763, 0.14356247, -0.36281009], [0.32887144, 0.2153437, -0.54421514]]


def test_simple_net_reproduces_the_book(backend, xp):
    net = xpnet.SimpleNet(W=BOOK_W, xp=xp, device=backend.device)
    x = backend.asarray([0.6, 0.9])
    t = backend.asarray([0, 0, 1])
    p = net.predict(x)
    assert_on(p, backend, xp.float64)
    assert_close(p, [1.05414809, 0.63071653, 1.1328074], rtol=1e-7)
    assert int(xp.argmax(p)) == 2
    assert_close(net.loss(x, t), 0.92806853663411326, rtol=1e-6)
    dW = xpnet.numerical_gradient(lambda W: net.loss(x, t), net.W)
    assert_close(dW, BOOK_DW, atol=2e-7)
    assert_close(net.W, BOOK_W)  # restored


def test_simple_net_same_seed_same_weights_everywhere(backend):
    reference = xpnet.SimpleNet(seed=42)
    net = xpnet.SimpleNet(seed=42, xp=backend.xp, device=backend.device)
    assert_close(net.W, reference.W)
    assert net.W.shape == (2, 3)
    assert array_namespace(net.W) is not None
    assert not np.allclose(xpnet.SimpleNet(seed=43).W, reference.W)
