import math

import numpy as np
import pytest
from conftest import assert_close, assert_on

from xpnet import functions as F
from xpnet.backends import to_numpy

BOOK_T = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
BOOK_Y_GOOD = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]
BOOK_Y_BAD = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0]


def test_softmax_rows_sum_to_one_and_keep_place(backend, xp):
    x = backend.asarray(np.random.default_rng(0).normal(size=(4, 5)) * 10, dtype="float64")
    y = F.softmax(x)
    assert_on(y, backend, xp.float64)
    assert_close(xp.sum(y, axis=1), np.ones(4), rtol=1e-12)


def test_softmax_is_stable_for_large_inputs(backend, xp):
    y = F.softmax(backend.asarray([1010.0, 1000.0, 990.0], dtype="float64"))
    assert bool(xp.all(xp.isfinite(y)))
    assert_close(y, [9.99954600e-01, 4.53978686e-05, 2.06106005e-09], rtol=1e-6)


def test_softmax_float32_stays_float32(backend, xp):
    y = F.softmax(backend.asarray([[1e4, -1e4, 0.0]], dtype="float32"))
    assert_on(y, backend, xp.float32)
    assert_close(y, [[1.0, 0.0, 0.0]])


def test_sigmoid_matches_closed_form_and_never_overflows(backend, xp):
    values = np.array([-1000.0, -30.0, -1.0, 0.0, 1.0, 30.0, 1000.0])
    y = F.sigmoid(backend.asarray(values, dtype="float64"))
    with np.errstate(over="ignore"):
        expected = 1 / (1 + np.exp(-values))
    assert_close(y, expected, rtol=1e-14)


def test_sigmoid_grad_is_derivative_of_sigmoid(backend):
    x = backend.asarray(np.linspace(-5, 5, 11), dtype="float64")
    h = 1e-5
    numeric = (F.sigmoid(x + h) - F.sigmoid(x - h)) / (2 * h)
    assert_close(F.sigmoid_grad(x), numeric, rtol=1e-8)


def test_relu_step_and_their_gradients(backend, xp):
    x = backend.asarray([-2.0, -0.0, 0.0, 0.5, 3.0])
    assert_close(F.relu(x), [0.0, 0.0, 0.0, 0.5, 3.0])
    assert_close(F.relu_grad(x), [0.0, 0.0, 0.0, 1.0, 1.0])
    assert_close(F.step_function(x), [0.0, 0.0, 0.0, 1.0, 1.0])
    assert F.identity_function(x) is x


def test_relu_is_max_of_zero_and_x_nan_included(backend):
    """relu and the Relu layer are exactly max(0, x), as the book's: NaN and +inf pass through,
    negative numbers and -inf give +0.0 (not the -0.0 of a product with a 0/1 mask)."""
    from xpnet.layers import Relu

    x = backend.asarray([np.nan, np.inf, -2.0, -np.inf, 0.0, 0.5], dtype="float64")
    for out in (F.relu(x), Relu().forward(x)):
        out = to_numpy(out)
        np.testing.assert_array_equal(out, [np.nan, np.inf, 0.0, 0.0, 0.0, 0.5])
        assert not np.signbit(out[2:5]).any()


def test_sum_squared_error_book_examples(backend):
    t = backend.asarray(BOOK_T, dtype="float64")
    assert math.isclose(float(F.sum_squared_error(backend.asarray(BOOK_Y_GOOD), t)), 0.0975)
    assert math.isclose(float(F.sum_squared_error(backend.asarray(BOOK_Y_BAD), t)), 0.5975)


def test_cross_entropy_error_book_examples(backend):
    t = backend.asarray(BOOK_T, dtype="float64")
    good = F.cross_entropy_error(backend.asarray(BOOK_Y_GOOD), t)
    bad = F.cross_entropy_error(backend.asarray(BOOK_Y_BAD), t)
    assert math.isclose(float(good), 0.510825457099338, rel_tol=1e-12)
    assert math.isclose(float(bad), 2.302584092994546, rel_tol=1e-12)
    assert good.ndim == 0


def test_cross_entropy_error_labels_equal_one_hot(backend, xp):
    rng = np.random.default_rng(1)
    y = F.softmax(backend.asarray(rng.normal(size=(6, 4))))
    labels = backend.asarray(rng.integers(0, 4, size=6))
    by_labels = F.cross_entropy_error(y, labels)
    by_one_hot = F.cross_entropy_error(y, F.one_hot(labels, 4))
    assert_close(by_labels, float(by_one_hot), rtol=1e-14)
    one = F.cross_entropy_error(y[0, :], labels[0])  # 1-D y with a 0-d label
    assert_close(one, -np.log(float(y[0, int(labels[0])]) + 1e-7), rtol=1e-12)


def test_cross_entropy_error_is_finite_with_exact_zeros(backend, xp):
    y = backend.asarray([[0.0, 1.0], [1.0, 0.0]])
    loss = F.cross_entropy_error(y, backend.asarray([0, 0]))
    assert math.isfinite(float(loss))
    assert math.isclose(float(loss), -math.log(1e-7) / 2 - math.log(1 + 1e-7) / 2, rel_tol=1e-12)


def test_cross_entropy_error_names_a_bad_target_shape(backend):
    y = backend.asarray(np.full((100, 10), 0.1))
    with pytest.raises(
        ValueError, match=r"t must be labels of shape \(100,\) or one-hot .* got \(100, 1\)"
    ):
        F.cross_entropy_error(y, backend.asarray(np.zeros((100, 1), dtype=np.int64)))


def test_cross_entropy_error_rejects_float_labels(backend):
    y = backend.asarray(np.full((3, 10), 0.1))
    with pytest.raises(TypeError, match="integer dtype"):
        F.cross_entropy_error(y, backend.asarray([1.0, 2.0, 3.0]))


def test_one_hot_places_ones_on_the_labels_device(backend, xp):
    t = backend.asarray([2, 0, 1])
    encoded = F.one_hot(t, 3)
    assert_on(encoded, backend, xp.float64)
    assert_close(encoded, np.eye(3)[[2, 0, 1]])
