import time

import numpy as np
import pytest
from conftest import assert_close

import xpnet
from xpnet.check.gradcheck import KINK_MARGIN, count_near_kink

KEYS = ["W1", "b1", "W2", "b2"]


def make_net(backend, *sizes, **options):
    return xpnet.TwoLayerNet(*sizes, xp=backend.xp, device=backend.device, **options)


def kink_free_samples(net_on_numpy, N, seed):
    """N random images in [0, 1) whose hidden pre-activations all lie farther than 10 h from 0
    (resampled until they do): at the kink the central difference itself is wrong."""
    rng = np.random.default_rng(seed)
    for _ in range(100):
        x = rng.random((N, net_on_numpy.config["input_size"]))
        if count_near_kink(net_on_numpy, x) == 0:
            return x
    raise AssertionError("no kink-free sample in 100 draws")


def kink_free_images(net_on_numpy, N):
    """N real images of the bundled sample, the first whose hidden pre-activations all lie
    farther than 10 h from ReLU's kink (there the central difference itself is wrong)."""
    (x, t), _ = xpnet.load_mnist_sample()
    chosen = [i for i in range(200) if count_near_kink(net_on_numpy, x[i : i + 1]) == 0][:N]
    assert len(chosen) == N, "not enough kink-free images among the first 200"
    return x[chosen].astype(np.float64), t[chosen]


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_two_layer_net_passes_the_books_gradient_check(backend, activation):
    reference = xpnet.TwoLayerNet(784, 50, 10, activation=activation, seed=0)
    x_host, t_host = kink_free_images(reference, 3)
    net = make_net(backend, 784, 50, 10, activation=activation, seed=0)
    start = time.perf_counter()
    check = xpnet.gradient_check(net, backend.asarray(x_host), backend.asarray(t_host))
    seconds = time.perf_counter() - start
    print(f"\n{backend} {activation}: {seconds:.1f} s\n{check}")
    assert check.passed, str(check)
    assert check.near_kink == 0
    assert [p.name for p in check.parameters] == KEYS
    for p in check.parameters:
        assert p.mean_abs <= 1e-7 and p.max_abs <= 1e-6  # the book's run: 1.8e-6 for W1


def test_gradient_check_of_a_small_net_on_every_backend(backend):
    net = make_net(backend, 12, 6, 4, 0.5, seed=0, dtype="float32")  # checked in float64 anyway
    x = kink_free_samples(xpnet.TwoLayerNet(12, 6, 4, 0.5, seed=0), 5, seed=3)
    labels = backend.asarray(np.arange(5) % 4)
    for t in (labels, xpnet.one_hot(labels, 4)):
        check = xpnet.gradient_check(net, backend.asarray(x), t)
        assert check.passed and check.near_kink == 0
        assert max(p.mean_abs for p in check.parameters) < 1e-9
        assert net.dtype == backend.xp.float32  # the net itself is untouched
    table = str(check)
    assert table.splitlines()[0].split() == [
        *("param", "shape", "backprop", "numerical", "max", "abs", "mean", "abs", "rel", "error"),
        "result",
    ]
    assert all(f"\n{key} " in table for key in KEYS)
    assert (
        "gradient check PASSED on a batch of 5, float64: a parameter passes when its mean abs"
        " difference is <= 1e-07" in table
    )
    assert check["W2"] is check.parameters[2]


def test_a_failed_check_says_so(backend):
    net = make_net(backend, 6, 4, 3, 0.5, activation="sigmoid", seed=0)
    x = backend.asarray(np.random.default_rng(0).normal(size=(2, 6)))
    check = xpnet.gradient_check(net, x, backend.asarray([0, 2]), tolerance=0.0)
    assert not check.passed
    assert (
        "gradient check FAILED on a batch of 2, float64: a parameter passes when its mean abs"
        " difference is <= 0" in str(check)
    )
    assert "WRONG" in str(check)
    assert check.near_kink == 0 and "kink" not in str(check)


def test_a_failure_at_relus_kink_is_explained(backend):
    net = make_net(backend, 6, 4, 3, 0.5, seed=0)  # b1 = 0: a zero image sits on the kink
    x = backend.asarray(np.vstack([np.zeros(6), np.random.default_rng(0).random(6)]))
    assert count_near_kink(net, x) >= 4
    check = xpnet.gradient_check(net, x, backend.asarray([0, 2]))
    assert not check.passed  # the central difference of b1 straddles the kink: h/2h != 0
    assert check["b1"].mean_abs > 1e-3
    assert check.near_kink == count_near_kink(net, x)
    assert "lie within 0.001 of ReLU's kink at 0" in str(check)
    assert "is itself wrong, not backprop" in str(check)


def test_count_near_kink_counts_hidden_preactivations_within_the_margin(backend):
    net = make_net(backend, 2, 3, 2, seed=0)
    net.params["W1"] = backend.asarray([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    net.params["b1"] = backend.asarray([0.0, 0.5 * KINK_MARGIN, -2 * KINK_MARGIN])
    x = backend.asarray([[0.0, 5.0], [1.0, 5.0]])  # pre-activations: 0, 5e-4, -2e-3; 1, ...
    assert count_near_kink(net, x) == 2
    assert count_near_kink(make_net(backend, 2, 3, 2, activation="sigmoid"), x) == 0


def test_gradient_check_leaves_the_net_alone(backend):
    net = make_net(backend, 6, 4, 3, 0.5, seed=0)
    before = {key: backend.xp.asarray(value, copy=True) for key, value in net.params.items()}
    x = backend.asarray(np.random.default_rng(0).random((2, 6)))
    xpnet.gradient_check(net, x, backend.asarray([0, 2]))
    for key in KEYS:
        assert_close(net.params[key], before[key], rtol=0)


# -- bad input: the errors the rest of the API gives ---------------------------------------------


def test_gradient_check_names_a_net_without_the_books_methods():
    x, t = np.ones((2, 4)), np.array([0, 1])
    with pytest.raises(TypeError, match=r"net must have a method loss\(x, t\).*NoneType has none"):
        xpnet.gradient_check(None, x, t)


def test_gradient_check_names_a_list_for_x_or_t():
    net = xpnet.TwoLayerNet(4, 3, 2, seed=0)
    x, t = np.ones((2, 4)), np.array([0, 1])
    with pytest.raises(TypeError, match=r"x must be a numpy array; got list.*net.backend.asarray"):
        xpnet.gradient_check(net, x.tolist(), t)
    with pytest.raises(TypeError, match=r"t must be a numpy array; got list"):
        xpnet.gradient_check(net, x, t.tolist())


def test_gradient_check_names_x_of_another_library():
    torch = pytest.importorskip("torch")
    net = xpnet.TwoLayerNet(4, 3, 2, xp=torch, seed=0)
    with pytest.raises(
        TypeError, match=r"x is a numpy array but the network's parameters are torch tensors"
    ):
        xpnet.gradient_check(net, np.ones((2, 4)), torch.asarray([0, 1]))
