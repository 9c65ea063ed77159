import math

import numpy as np
import pytest
from array_api_compat import array_namespace
from conftest import IN_PLACE, assert_close, assert_on

import xpnet
from xpnet.backend import to_numpy, writes_in_place

pytestmark = pytest.mark.skip_lazy(reason=IN_PLACE)


def square_sum(x):
    xp = array_namespace(x)
    return xp.sum(x**2)


def test_numerical_diff_book_examples():
    def f(x):
        return 0.01 * x**2 + 0.1 * x

    assert math.isclose(xpnet.numerical_diff(f, 5.0), 0.2, rel_tol=1e-9)
    assert math.isclose(xpnet.numerical_diff(f, 10.0), 0.3, rel_tol=1e-9)


@pytest.mark.parametrize(
    ("point", "expected"),
    [((3.0, 4.0), (6.0, 8.0)), ((0.0, 2.0), (0.0, 4.0)), ((3.0, 0.0), (6.0, 0.0))],
)
def test_numerical_gradient_book_points(backend, xp, point, expected):
    x = backend.asarray(point, dtype="float64")
    grad = xpnet.numerical_gradient(square_sum, x)
    assert_on(grad, backend, xp.float64)
    assert_close(grad, expected, atol=1e-7)
    assert_close(x, point)  # restored


def test_numerical_gradient_matches_exact_gradient_of_any_shape(backend):
    rng = np.random.default_rng(0)
    A = rng.normal(size=(2, 3, 4))
    x = backend.asarray(rng.normal(size=(2, 3, 4)))
    a = backend.asarray(A)

    def f(v):
        xp = array_namespace(v)
        return xp.sum(a * v**3)

    grad = xpnet.numerical_gradient(f, x)
    assert_close(grad, 3 * A * to_numpy(x) ** 2, rtol=1e-6, atol=1e-8)


def test_numerical_gradient_restores_x_when_f_raises(backend):
    x = backend.asarray([1.0, 2.0, 3.0])
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == 4:  # fails mid-way, while x[1] is perturbed
            raise RuntimeError("boom")
        return square_sum(v)

    with pytest.raises(RuntimeError, match="boom"):
        xpnet.numerical_gradient(f, x)
    np.testing.assert_array_equal(to_numpy(x), [1.0, 2.0, 3.0])


def test_numerical_gradient_perturbs_x_in_place_for_book_closures(backend):
    W = backend.asarray([[1.0, 2.0], [3.0, 4.0]])
    if not writes_in_place(W):
        pytest.skip(f"{backend.name} arrays are immutable: see test_a_closure_that_ignores_x...")
    seen = []

    def loss(_):  # like lambda W: net.loss(x, t): reads W from outside
        seen.append(float(W[0, 1]))
        return square_sum(W)

    grad = xpnet.numerical_gradient(loss, W)
    assert_close(grad, [[2.0, 4.0], [6.0, 8.0]], rtol=1e-7)
    assert 2.0 + 1e-4 in [round(v, 12) for v in seen]


def test_a_closure_that_ignores_x_is_an_error_on_immutable_arrays(backend):
    W = backend.asarray([[1.0, 2.0], [3.0, 4.0]])
    if writes_in_place(W):
        pytest.skip(f"{backend.name} writes in place: the book's closure works there")
    with pytest.raises(ValueError, match="f ignores its argument.*net.params"):
        xpnet.numerical_gradient(lambda _: square_sum(W), W)
    np.testing.assert_array_equal(to_numpy(W), [[1.0, 2.0], [3.0, 4.0]])


def test_a_closure_that_stores_its_argument_works_and_ends_holding_x(backend):
    owner = {"W": backend.asarray([[1.0, 2.0], [3.0, 4.0]])}
    W = owner["W"]

    def loss(value):  # the networks' way: the perturbed value goes where the model reads it
        owner["W"] = value
        return square_sum(owner["W"])

    grad = xpnet.numerical_gradient(loss, W)
    assert_on(grad, backend)
    assert_close(grad, [[2.0, 4.0], [6.0, 8.0]], rtol=1e-7)
    assert_close(owner["W"], [[1.0, 2.0], [3.0, 4.0]], rtol=0)  # x itself, not a perturbed one


def test_a_true_zero_gradient_is_no_error(backend, xp):
    x = backend.asarray([-1.0, -2.0])  # relu is flat there: every difference is exactly 0

    grad = xpnet.numerical_gradient(lambda v: xp.sum(xpnet.relu(v)), x)
    assert_close(grad, [0.0, 0.0])


def test_numerical_gradient_refuses_integer_input(backend):
    # the book's version returns [5000, 15000] here
    x = backend.asarray([1, 2])
    with pytest.raises(TypeError, match="floating-point.*xp.astype"):
        xpnet.numerical_gradient(square_sum, x)
    with pytest.raises(TypeError, match="floating-point"):
        xpnet.numerical_gradient(square_sum, backend.asarray([True, False]))


def test_numerical_gradient_warns_for_float32(backend, xp):
    x = backend.asarray([3.0, 4.0], dtype="float32")
    with pytest.warns(UserWarning, match="float32"):
        grad = xpnet.numerical_gradient(square_sum, x)
    assert grad.dtype == xp.float32
    assert_close(grad, [6.0, 8.0], rtol=1e-2)


def test_numerical_gradient_rows_treats_each_row_as_a_point(backend):
    X = backend.asarray([[3.0, 4.0], [0.0, 2.0], [3.0, 0.0]])
    grad = xpnet.numerical_gradient_rows(square_sum, X)
    assert_on(grad, backend)
    assert_close(grad, [[6.0, 8.0], [0.0, 4.0], [6.0, 0.0]], atol=1e-7)
    assert_close(X, [[3.0, 4.0], [0.0, 2.0], [3.0, 0.0]])


def test_gradient_descent_converges_from_book_start(backend, xp):
    init = backend.asarray([-3.0, 4.0])
    x = xpnet.gradient_descent(square_sum, init, lr=0.1, step_num=100)
    assert_on(x, backend, xp.float64)
    assert float(xp.max(xp.abs(x))) < 1e-8
    assert_close(init, [-3.0, 4.0])  # untouched


def test_gradient_descent_diverges_with_large_lr(backend, xp):
    x = xpnet.gradient_descent(square_sum, backend.asarray([-3.0, 4.0]), lr=10.0, step_num=100)
    assert float(xp.max(xp.abs(x))) > 1e10


def test_gradient_descent_barely_moves_with_tiny_lr(backend):
    x = xpnet.gradient_descent(square_sum, backend.asarray([-3.0, 4.0]), lr=1e-10, step_num=100)
    assert_close(x, [-3.0, 4.0], atol=1e-6)
    assert float(x[0]) != -3.0  # it did move


def test_gradient_descent_history_and_integer_start(backend, xp):
    x, history = xpnet.gradient_descent(
        square_sum, backend.asarray([-3, 4]), lr=0.1, step_num=20, return_history=True
    )
    assert history.shape == (21, 2)
    assert_close(history[0, :], [-3.0, 4.0])
    assert_close(history[-1, :], to_numpy(x))
    assert_close(history[1, :], [-3.0 * 0.8, 4.0 * 0.8], rtol=1e-8)  # x - 0.1 * 2x
