"""The checks on a training set, made once where the data enters (on the host, before any
device): each bad input named with the argument, what was expected and what came."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import TRAINING

import xpnet
from xpnet import TwoLayerNet, validate
from xpnet.backends import get_backend
from xpnet.train import Trainer


@pytest.fixture(scope="module")
def sample():
    """The bundled sample as xpnet train uses it: 4,000 train / 1,000 test images."""
    return xpnet.load_mnist_sample()


@pytest.fixture(scope="module")
def small(sample):
    (x, t), (x_test, t_test) = sample
    return (x[:300], t[:300]), (x_test[:100], t_test[:100])


def make_net(backend, hidden=20, dtype="float64", seed=0):
    return xpnet.TwoLayerNet(
        784, hidden, 10, xp=backend.xp, device=backend.device, dtype=dtype, seed=seed
    )


def _one_hot(t):
    return np.eye(10, dtype=np.float32)[t]


@pytest.mark.skip_lazy(reason=TRAINING + ", before it reads the data")
@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (
            lambda x, t: (np.where(x > 0.5, np.inf, x), t),
            ValueError,
            r"infinity \(first at index \(\d+, \d+\)\)",
        ),
        (lambda x, t: (x, t - 1), ValueError, r"labels t must lie in 0..9 .* from -1 to 8"),
        (lambda x, t: (x, t[:-1]), ValueError, "x has 300 samples but t has 299"),
        (lambda x, t: (x.reshape(300, 28, 28)[:, :20], t), ValueError, "560 features"),
        (
            lambda x, t: (x, np.where(np.arange(10) == 3, np.nan, _one_hot(t))),
            ValueError,
            r"one-hot targets t of shape \(300, 10\) must hold a single 1 per row.*row 0 is",
        ),
        (lambda x, t: (x, _one_hot(t) * 0.5), ValueError, "single 1 per row"),
        (lambda x, t: (x, t.astype(np.float64)), TypeError, "labels t must be integers"),
    ],
)
def test_bad_training_data_of_any_backend_is_named(backend, small, change, error, message):
    """Data handed over as the backend's own arrays is checked like host data, on the host."""
    (x, t), test = small
    x, t = change(x, t)
    train = (backend.asarray(x), backend.asarray(t))
    with pytest.raises(error, match=f"train_data: .*{message}"):
        Trainer(make_net(backend), train, test, batch_size=50)


def test_bad_test_data_is_named_as_test_data(small):
    train, (x, t) = small
    net = make_net(get_backend("cpu"))
    with pytest.raises(ValueError, match=r"test_data: labels t must lie in 0..9 .* to 10"):
        Trainer(net, train, (x, t + 1), batch_size=50)
    with pytest.raises(ValueError, match=r"test_data: x must hold a batch .* N > 0"):
        Trainer(net, train, (x[:0], t[:0]), batch_size=50)


def test_value_checks_run_once_where_data_enters_never_in_the_loop(small, monkeypatch):
    calls = []
    check = validate._check_pair
    monkeypatch.setattr(validate, "_check_pair", lambda *a: calls.append(a[0]) or check(*a))
    trainer = Trainer(make_net(get_backend("cpu")), *small, batch_size=50, seed=0)
    assert calls == ["train_data", "test_data"]
    trainer.run(20)  # 6 steps an epoch: several evaluations and log points
    assert calls == ["train_data", "test_data"]


def test_train_refuses_raw_uint8_pixels_with_the_fix():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (20, 4), dtype=np.uint8)
    t = rng.integers(0, 2, 20)
    net = TwoLayerNet(4, 3, 2, seed=0)
    with pytest.raises(TypeError, match=r"train_data: x must be floating-point.*got dtype uint8"):
        xpnet.train(net, (x, t), (x.astype(np.float32) / 255, t), iters_num=1, batch_size=5)
    with pytest.raises(TypeError, match=r"normalize=True, or pass x.astype\(np.float32\) / 255"):
        xpnet.train(net, (x / 255, t), (x, t), iters_num=1, batch_size=5)


def test_the_first_non_finite_value_is_found_past_the_first_chunk():
    from xpnet.validate import _first_non_finite

    x = np.zeros((50, 4, 3), dtype=np.float32)
    assert _first_non_finite(x) is None
    x[37, 2, 1], x[41, 0, 0] = np.inf, np.nan
    assert _first_non_finite(x, rows=8) == (37, 2, 1)
    huge = np.full((3, 2), 1e308)  # finite, but their sum overflows: no error, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _first_non_finite(huge, rows=2) is None
    huge[2, 1] = -np.inf
    assert _first_non_finite(huge, rows=2) == (2, 1)
