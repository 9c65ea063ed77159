import math
import re
import time

import numpy as np
import pytest
from conftest import assert_close

import xpnet
from xpnet import layers
from xpnet.backends import get_backend
from xpnet.check.gradcheck import KINK_MARGIN, count_near_kink, straddling_entries
from xpnet.numgrad import batched_numerical_gradient

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


@pytest.mark.parametrize("check", ["gradient_check", "check_network"])
@pytest.mark.parametrize(
    "tolerance, error, message",
    [
        (-1e-7, ValueError, "must be a finite number >= 0; got -1e-07"),
        (math.nan, ValueError, "must be a finite number >= 0; got nan"),
        ("1e-7", TypeError, "must be a number >= 0; got str '1e-7'"),
    ],
)
def test_a_tolerance_no_network_could_pass_is_named(check, tolerance, error, message):
    # a negative or NaN tolerance made a correct net FAILED ("backprop and the numerical
    # gradient differ"); a string raised float()'s own error
    net = make_net(get_backend("cpu"), 6, 4, 3, 0.5, activation="sigmoid", seed=0)
    x, t = np.random.default_rng(0).normal(size=(2, 6)), np.array([0, 2])
    assert getattr(xpnet, check)(net, x, t).passed
    with pytest.raises(error, match=rf"{check}: tolerance {re.escape(message)}"):
        getattr(xpnet, check)(net, x, t, tolerance=tolerance)


def sample_batch(backend, N):
    """The first N images of the bundled sample, float64, on backend."""
    (x, t), _ = xpnet.load_mnist_sample()
    return backend.asarray(x[:N].astype(np.float64)), backend.asarray(t[:N])


@pytest.mark.parametrize("N", [3, 20, 50, 100])
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_a_correct_net_passes_on_batches_of_any_size(backend, activation, N):
    """From 20 images on, some entry of W1 or b1 moves a hidden ReLU input across the kink when
    it moves by h, and the book's central difference is wrong there: the check sees it again
    with a finer step, away from the kink, and passes, saying so."""
    x, t = sample_batch(backend, N)
    check = xpnet.gradient_check(
        make_net(backend, 784, 50, 10, activation=activation, seed=0), x, t
    )
    assert check.passed, str(check)
    assert all(p.mean_abs <= 1e-7 for p in check.parameters)
    if activation == "relu" and N >= 20:  # this batch has such entries (3 and sigmoid: none)
        assert "W1, b1 disagreed with h=0.0001" in str(check)
        assert "With h=1e-06 they agree (the figures above" in str(check)
        assert "backprop is right" in str(check)
    else:
        assert check.notes == ()


def no_relu_mask(self, dout):
    return dout  # forgot the mask: passes dout where x <= 0 too


def relu_half(self, dout):
    return 0.5 * (dout * self.mask)  # a wrong factor


def sigmoid_without_one_minus_y(self, dout):
    return dout * self.out  # d sigmoid is y (1 - y), not y


MISTAKES = [
    ("relu", layers.Relu, no_relu_mask),
    ("relu", layers.Relu, relu_half),
    ("sigmoid", layers.Sigmoid, sigmoid_without_one_minus_y),
]


@pytest.mark.parametrize("N", [3, 20, 50, 100])
@pytest.mark.parametrize(("activation", "layer", "backward"), MISTAKES)
def test_a_wrong_backward_fails_on_batches_of_any_size(
    backend, monkeypatch, activation, layer, backward, N
):
    monkeypatch.setattr(layer, "backward", backward)
    x, t = sample_batch(backend, N)
    check = xpnet.gradient_check(
        make_net(backend, 784, 50, 10, activation=activation, seed=0), x, t
    )
    assert not check.passed
    assert [p.name for p in check.parameters if not p.passed] == ["W1", "b1"]
    assert check["W1"].mean_abs > 1e-5  # the figures of the book's step, not the finer one
    assert "backprop is right" not in str(check)
    if activation == "relu" and N >= 20:
        assert "W1, b1 disagree with h=1e-06 too" in str(check)


def test_straddling_entries_are_where_the_central_difference_is_wrong():
    """Oracle: the numerical gradient. Where it disagrees with backprop (a correct backprop), the
    entry is one that straddles the kink; the entries that straddle are a small part."""
    net = xpnet.TwoLayerNet(784, 50, 10, seed=0)
    (x, t), _ = xpnet.load_mnist_sample()
    x, t = x[:50].astype(np.float64), t[:50]
    backprop = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)
    kink = straddling_entries(net, x)
    for key in ("W1", "b1"):
        wrong = np.abs(backprop[key] - numerical[key]) > 1e-9
        assert wrong.any() and np.all(kink[key][wrong]), key
        assert 0 < np.mean(kink[key]) < 0.2
        fine = batched_numerical_gradient(net.params, "relu", x, t, h=1e-6)[key]
        assert np.max(np.abs(backprop[key] - fine)[~straddling_entries(net, x, h=1e-6)[key]]) < 1e-9
    assert straddling_entries(xpnet.TwoLayerNet(784, 50, 10, activation="sigmoid"), x) == {}


def test_straddling_entries_follow_the_definition():
    """W1[i, j] straddles when |a[n, j]| < h |x[n, i]| for some n, b1[j] when |a[n, j]| < h."""
    net = xpnet.TwoLayerNet(3, 2, 2, seed=0)
    net.params["W1"] = np.array([[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    net.params["b1"] = np.array([-1.0, -0.5])
    x = np.array([[1.0 + 5e-5, 4.0, 0.0], [0.5 - 2e-4, 0.0, 3.0]])
    # a = x @ W1 + b1: [[5e-5, 0.50005], [-0.5002, -2e-4]]
    # h |x|: [[1e-4, 4e-4, 0], [5e-5, 0, 3e-4]]
    kink = straddling_entries(net, x, h=1e-4)
    assert kink["b1"].tolist() == [True, False]
    assert kink["W1"].tolist() == [[True, False], [True, False], [False, True]]


def test_a_parameter_whose_every_step_straddles_the_kink_is_not_passed(backend):
    net = make_net(backend, 6, 4, 3, 0.5, seed=0)  # b1 = 0: a zero image sits on the kink
    x = backend.asarray(np.vstack([np.zeros(6), np.random.default_rng(0).random(6)]))
    assert count_near_kink(net, x) >= 4
    check = xpnet.gradient_check(net, x, backend.asarray([0, 2]))
    assert not check.passed  # b1's central difference straddles the kink at any h: unchecked
    assert [p.name for p in check.parameters if not p.passed] == ["b1"]
    assert check.near_kink == count_near_kink(net, x)
    assert "b1: every entry's central difference straddles ReLU's kink, with h=1e-06" in str(check)
    assert "the numerical gradient cannot judge it on this x" in str(check)
    assert "look where" not in str(check)  # no bug to look for
    assert not check.judged and "check CANNOT JUDGE on a batch of 2" in str(check)


def test_an_all_zero_batch_cannot_judge_a_right_net_and_says_why(backend):
    """The audit's: np.zeros((3, 784)) put every hidden input on ReLU's kink, and the check
    FAILED xpnet's own right net (b1 WRONG, rel error 1.00), blaming backprop."""
    net = make_net(backend, 20, 8, 4, seed=0)
    x, t = backend.asarray(np.zeros((3, 20))), backend.asarray([0, 1, 2])
    checks = [xpnet.gradient_check(net, x, t)]
    if backend.name == "numpy":  # check_network reads the loss's corners in place
        checks.append(xpnet.check_network(net, x, t))
    for check in checks:
        text = str(check)
        assert not check.passed and not check.judged, text
        assert "CANNOT JUDGE on a batch of 3" in text and "FAILED" not in text
        assert "WRONG" not in text and "b1     (8,)" in text and "cannot judge" in text
        assert not check["b1"].judged
        assert "choose a batch with nonzero inputs" in check["b1"].reason
        assert "look where" not in text
        assert "CANNOT JUDGE" in repr(check)


def test_a_wrong_backward_still_fails_on_an_all_zero_batch(monkeypatch):
    def no_batch_mean(self, dout=1.0):
        return (self.y - self.t) * dout  # the batch size not divided by

    net = make_net(xpnet.get_backend("cpu"), 20, 8, 4, seed=0)
    x, t = np.zeros((3, 20)), np.array([0, 1, 2])
    assert not xpnet.check_network(net, x, t).judged  # right: b1 cannot be judged
    monkeypatch.setattr(layers.SoftmaxWithLoss, "backward", no_batch_mean)
    for check in (xpnet.gradient_check(net, x, t), xpnet.check_network(net, x, t)):
        assert check.judged and not check.passed
        assert "FAILED" in str(check) and "b2" in [p.name for p in check if not p.passed]


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


def test_a_correct_net_on_unscaled_pixels_passes_with_the_finer_step_and_says_why(backend):
    """On pixels 0..255 the gradient of W2 is ~100 times the book's, and so is the central
    difference's own error (h**2 times the third derivative): with h = 1e-4 a right W2
    differs by more than 1e-7. The finer step shrinks that error 10**4 times: a right net
    passes, with a note naming the unscaled pixels; the book's step's figures were WRONG."""
    x, t = sample_batch(backend, 3)
    net = make_net(backend, 784, 50, 10, seed=0)
    check = xpnet.gradient_check(net, x * 255, t)
    assert check.passed, str(check)
    said = " ".join(check.notes)
    assert "W2 disagreed with h=0.0001 (W2: mean abs 1.7e-06" in said
    assert "by the central difference's own error" in said
    assert "x's largest |value| is 255: pixels 0..255?" in said
    assert said.endswith("the backprop of W2 is right")
    assert check["W2"].mean_abs < 1e-9  # the finer step's figures
    assert not xpnet.gradient_check(net, x, t).notes  # scaled images: no second step


@pytest.mark.parametrize(("activation", "layer", "backward"), MISTAKES)
def test_a_wrong_backward_on_unscaled_pixels_still_fails(monkeypatch, activation, layer, backward):
    """The finer step does not pass a mistake: W1 and b1 stay WRONG; a right W2 is said so."""
    monkeypatch.setattr(layer, "backward", backward)
    backend = xpnet.get_backend("cpu")
    x, t = sample_batch(backend, 3)
    net = make_net(backend, 784, 50, 10, activation=activation, seed=0)
    check = xpnet.gradient_check(net, x * 255, t)
    assert not check.passed
    assert [p.name for p in check.parameters if not p.passed] == ["W1", "b1"]
    assert "backprop of W1" not in str(check) and "backprop of b1" not in str(check)


def test_gradient_check_refuses_integer_pixels_as_the_net_does():
    net = xpnet.TwoLayerNet(784, 50, 10, seed=0)
    (x, t), _ = xpnet.load_mnist_sample()
    pixels = (x[:3] * 255).astype(np.uint8)
    with pytest.raises(TypeError, match="x must be floating-point"):
        net.loss(pixels, t[:3])
    with pytest.raises(TypeError, match=r"got dtype uint8\. Pixels 0\.\.255\? .* / 255"):
        xpnet.gradient_check(net, pixels, t[:3])
