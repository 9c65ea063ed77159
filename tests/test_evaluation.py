"""xpnet.evaluate: mean loss and accuracy over a whole set, chunked, on every backend.

The oracle is the NumPy network's own loss and accuracy on the whole set at once.
"""

import numpy as np
import pytest

import xpnet
from xpnet.evaluation import evaluate_blocks


def data(N=23, D=7, C=4, seed=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, D)), rng.integers(0, C, N)


@pytest.mark.parametrize("targets", ["labels", "one-hot"])
@pytest.mark.parametrize("chunk_rows", [5, 23, 100])
def test_evaluate_equals_the_whole_sets_loss_and_accuracy(backend, targets, chunk_rows):
    x_host, t_host = data()
    if targets == "one-hot":
        t_host = np.eye(4)[t_host]
    reference = xpnet.TwoLayerNet(7, 5, 4, 1.0, seed=0)
    net = xpnet.TwoLayerNet(7, 5, 4, 1.0, xp=backend.xp, device=backend.device, seed=0)
    x, t = backend.asarray(x_host), backend.asarray(t_host)
    result = xpnet.evaluate(net, x, t, chunk_rows=chunk_rows)
    assert result.samples == 23
    assert result.accuracy == reference.accuracy(x_host, t_host)
    assert 0.0 < result.accuracy < 1.0  # a set where accuracy tells networks apart
    assert result.loss == pytest.approx(float(reference.loss(x_host, t_host)), rel=1e-12)


def test_evaluate_blocks_sums_blocks_of_any_size():
    x, t = data()
    net = xpnet.TwoLayerNet(7, 5, 4, 1.0, seed=0)
    blocks = [(x[:1], t[:1]), (x[1:20], t[1:20]), (x[20:], t[20:])]
    result = evaluate_blocks(net, blocks)
    assert result.samples == 23 and result.accuracy == net.accuracy(x, t)
    assert result.loss == pytest.approx(float(net.loss(x, t)), rel=1e-12)
    assert str(result).startswith(f"loss {result.loss:.6f}  accuracy {result.accuracy:.4f}")


def test_evaluate_refuses_bad_arguments():
    x, t = data()
    net = xpnet.TwoLayerNet(7, 5, 4, seed=0)
    with pytest.raises(ValueError, match="chunk_rows must be a positive integer; got 0"):
        xpnet.evaluate(net, x, t, chunk_rows=0)
    with pytest.raises(TypeError, match="chunk_rows must be a positive integer; got True"):
        xpnet.evaluate(net, x, t, chunk_rows=True)  # was one row at a time
    with pytest.raises(TypeError, match="chunk_rows must be a positive integer; got 2.0"):
        xpnet.evaluate(net, x, t, chunk_rows=2.0)
    by_three = xpnet.evaluate(net, x, t, chunk_rows=np.int64(3))  # NumPy's ints are integers
    assert by_three.loss == pytest.approx(xpnet.evaluate(net, x, t).loss, rel=1e-12)
    with pytest.raises(ValueError, match="t must have one row per sample"):
        xpnet.evaluate(net, x, t[:5])
    with pytest.raises(ValueError, match="evaluate got no samples"):
        evaluate_blocks(net, [])
