import math

import numpy as np
import pytest
from conftest import assert_close, assert_on
from helpers import on_host, strict

import xpnet
from xpnet import cross_entropy_error, one_hot, softmax
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


@pytest.mark.parametrize("t_dtype", ["int64", "bool", "float64"])
@pytest.mark.parametrize("y_dtype", ["float64", "float32"])
def test_sum_squared_error_takes_the_books_integer_t_and_keeps_ys_dtype(xp, y_dtype, t_dtype):
    # the book's t is integers: array-api-strict refused y - t (no int/float promotion), and a
    # float32 y with float64 t gave a float64 loss; the oracle is NumPy in float64
    y = xp.asarray(BOOK_Y_GOOD, dtype=getattr(xp, y_dtype))
    t = xp.asarray(np.asarray(BOOK_T, dtype=t_dtype))
    loss = F.sum_squared_error(y, t)
    assert loss.dtype == y.dtype
    expected = 0.5 * np.sum((np.asarray(BOOK_Y_GOOD, dtype=y_dtype) - np.asarray(BOOK_T)) ** 2)
    assert_close(loss, float(expected), rtol=1e-6)


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


# -- bad input: labels out of range, no classes, arrays of two libraries or devices --------------


Y = [[0.1, 0.6, 0.3], [0.8, 0.1, 0.1], [0.2, 0.2, 0.6]]


@pytest.mark.parametrize("labels", [[-1, 0, 1], [0, 1, 3], [0, 12, 2]])
def test_labels_out_of_range_raise_on_the_host_and_give_nan_on_other_libraries(xp, labels):
    y, t = xp.asarray(Y, dtype=xp.float64), xp.asarray(labels)
    if on_host(xp):
        bad = next(i for i, label in enumerate(labels) if not 0 <= label < 3)
        with pytest.raises(
            ValueError,
            match=rf"cross_entropy_error: labels t must lie in 0..2 for 3 classes; got"
            rf" {labels[bad]} at index {bad} \(1 out of range\)",
        ):
            cross_entropy_error(y, t)
    else:
        assert math.isnan(float(cross_entropy_error(y, t)))


def test_labels_in_range_give_numpys_loss(xp):
    expected = cross_entropy_error(np.asarray(Y), np.asarray([1, 0, 2]))
    got = cross_entropy_error(xp.asarray(Y, dtype=xp.float64), xp.asarray([1, 0, 2]))
    assert float(got) == pytest.approx(float(expected), rel=1e-12)


def test_one_hot_out_of_range(xp):
    t = xp.asarray([0, 5, 12])
    if on_host(xp):
        with pytest.raises(ValueError, match="one_hot: labels t must lie in 0..9 .* got 12 at"):
            one_hot(t, 10)
        return
    rows = np.asarray(xpnet.backends.to_numpy(one_hot(t, 10)))
    assert rows[0, 0] == 1 and rows[1, 5] == 1 and np.isnan(rows[2]).all()
    assert np.asarray(xpnet.backends.to_numpy(one_hot(t, 10, dtype=xp.int64)))[2].sum() == 0


@pytest.mark.parametrize("labels", [[0.5, 1.7], [0.0, 2.0]])
def test_one_hot_refuses_float_labels_like_cross_entropy_error(xp, labels):
    with pytest.raises(
        TypeError, match="one_hot: labels t must have an integer dtype; got .*float"
    ):
        one_hot(xp.asarray(labels), 3)


def test_one_hot_names_num_classes():
    with pytest.raises(ValueError, match="one_hot: num_classes must be a positive integer; got 0"):
        one_hot(np.asarray([0]), 0)


@pytest.mark.parametrize("shape", [(0,), (3, 0), ()])
def test_softmax_without_classes_is_one_error_on_every_backend(xp, shape):
    x = xp.zeros(shape, dtype=xp.float64)
    with pytest.raises(ValueError) as error:
        softmax(x)
    assert str(error.value) == (
        f"softmax needs at least one class along x's last axis; got x of shape {shape}."
        " Pass scores of shape (C,) or (N, C) with C >= 1"
    )


def test_softmax_of_an_empty_batch_is_empty(xp):
    assert softmax(xp.zeros((0, 3), dtype=xp.float64)).shape == (0, 3)


def test_cross_entropy_of_an_empty_batch_is_an_error_not_nan(backend):
    y, t = backend.asarray(np.zeros((0, 10))), backend.asarray(np.zeros(0, dtype=np.int64))
    with pytest.raises(ValueError, match=r"y is an empty batch of shape \(0, 10\)"):
        xpnet.cross_entropy_error(y, t)


def test_functions_name_arrays_of_two_libraries():
    torch = pytest.importorskip("torch")
    y_np, t_np = np.full((2, 3), 1 / 3), np.array([0, 2])
    y_torch, t_torch = torch.asarray(y_np), torch.asarray(t_np)
    with pytest.raises(
        TypeError,
        match=r"cross_entropy_error needs y and t from one array library; got y from numpy and"
        r" t from torch. Convert t first: t = xp.asarray\(t\)",
    ):
        xpnet.cross_entropy_error(y_np, t_torch)
    with pytest.raises(TypeError, match="got y from torch and t from numpy"):
        xpnet.cross_entropy_error(y_torch, t_np)
    with pytest.raises(TypeError, match="sum_squared_error needs y and t from one array library"):
        xpnet.sum_squared_error(y_np, torch.asarray(y_np))
    with pytest.raises(
        TypeError, match=r"cross_entropy_error: t must be an array; got a list.*numpy.asarray"
    ):
        xpnet.cross_entropy_error(y_np, [0, 2])


def test_functions_name_arrays_on_two_devices():
    cpu, other = strict("cpu"), strict("device1")
    y, t = cpu.asarray(np.full((2, 3), 1 / 3)), other.asarray(np.array([0, 2]))
    with pytest.raises(
        ValueError,
        match=r"cross_entropy_error: y is on device .*CPU_DEVICE.* but t is on .*device1.*;"
        r" move t first: t = array_api_compat.to_device",
    ):
        xpnet.cross_entropy_error(y, t)


@pytest.mark.parametrize("name", ["float32", "float64", "int64", "bool"])
def test_one_hot_takes_a_dtype_by_name_on_every_library(backend, xp, name):
    # NumPy's astype takes "float32"; PyTorch's raised "to() received an invalid combination"
    rows = one_hot(backend.asarray([2, 0]), 3, dtype=name)
    assert_on(rows, backend, getattr(xp, name))
    assert_close(xp.astype(rows, xp.float64), [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], rtol=0)


def test_one_hot_names_a_dtype_name_it_does_not_know():
    with pytest.raises(ValueError, match=r"one_hot: dtype must be .* got 'float'"):
        one_hot(np.array([1]), 2, dtype="float")


@pytest.mark.parametrize(
    "y_shape, t_shape", [((), ()), ((2, 2, 3), (2, 2))], ids=["0-d y", "3-d y, labels"]
)
def test_cross_entropy_error_names_a_y_of_no_class_axis_or_too_many(xp, y_shape, t_shape):
    # they raised IndexError "tuple index out of range" and take_along_axis's own errors
    y = xp.asarray(np.full(y_shape, 1 / 3))
    t = xp.asarray(np.zeros(t_shape, dtype=np.int64))
    with pytest.raises(ValueError, match=r"y must be probabilities of shape \(C,\) or \(N, C\)"):
        cross_entropy_error(y, t)


def test_cross_entropy_error_of_one_sample_names_the_shapes_it_was_given(xp):
    # y (3,) with t (1,) said "t must be labels of shape (1,) ... for y of shape (1, 3); got
    # (1, 1)": the shapes of the batch of one it made, calling the t it was given the right one
    y = xp.asarray([0.2, 0.3, 0.5])
    with pytest.raises(ValueError) as raised:
        cross_entropy_error(y, xp.asarray([2]))
    assert str(raised.value) == (
        "t must be labels of shape () or one-hot of shape (3,) for y of shape (3,); got (1,)"
    )
