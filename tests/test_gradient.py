import math

import numpy as np
import pytest
from array_api_compat import array_namespace
from conftest import IN_PLACE, assert_close, assert_on

import xpnet
from xpnet import gradient_descent, numerical_gradient
from xpnet.backends import to_numpy, writes_in_place


def square_sum(x):
    xp = array_namespace(x)
    return xp.sum(x**2)


def test_numerical_diff_book_examples():
    def f(x):
        return 0.01 * x**2 + 0.1 * x

    assert math.isclose(xpnet.numerical_diff(f, 5.0), 0.2, rel_tol=1e-9)
    assert math.isclose(xpnet.numerical_diff(f, 10.0), 0.3, rel_tol=1e-9)


@pytest.mark.skip_lazy(reason=IN_PLACE)
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


@pytest.mark.skip_lazy(reason=IN_PLACE)
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


@pytest.mark.skip_lazy(reason=IN_PLACE)
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


@pytest.mark.skip_lazy(reason=IN_PLACE)
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


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_a_closure_that_ignores_x_is_an_error_on_immutable_arrays(backend):
    W = backend.asarray([[1.0, 2.0], [3.0, 4.0]])
    if writes_in_place(W):
        pytest.skip(f"{backend.name} writes in place: the book's closure works there")
    with pytest.raises(ValueError, match="f ignores its argument.*net.params"):
        xpnet.numerical_gradient(lambda _: square_sum(W), W)
    np.testing.assert_array_equal(to_numpy(W), [[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.skip_lazy(reason=IN_PLACE)
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


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_a_true_zero_gradient_is_no_error(backend, xp):
    x = backend.asarray([-1.0, -2.0])  # relu is flat there: every difference is exactly 0

    grad = xpnet.numerical_gradient(lambda v: xp.sum(xpnet.relu(v)), x)
    assert_close(grad, [0.0, 0.0])


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_numerical_gradient_refuses_integer_input(backend):
    # the book's version returns [5000, 15000] here
    x = backend.asarray([1, 2])
    with pytest.raises(TypeError, match="floating-point.*xp.astype"):
        xpnet.numerical_gradient(square_sum, x)
    with pytest.raises(TypeError, match="floating-point"):
        xpnet.numerical_gradient(square_sum, backend.asarray([True, False]))


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_numerical_gradient_warns_for_float32(backend, xp):
    x = backend.asarray([3.0, 4.0], dtype="float32")
    with pytest.warns(UserWarning, match="float32"):
        grad = xpnet.numerical_gradient(square_sum, x)
    assert grad.dtype == xp.float32
    assert_close(grad, [6.0, 8.0], rtol=1e-2)


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_numerical_gradient_rows_treats_each_row_as_a_point(backend):
    X = backend.asarray([[3.0, 4.0], [0.0, 2.0], [3.0, 0.0]])
    grad = xpnet.numerical_gradient_rows(square_sum, X)
    assert_on(grad, backend)
    assert_close(grad, [[6.0, 8.0], [0.0, 4.0], [6.0, 0.0]], atol=1e-7)
    assert_close(X, [[3.0, 4.0], [0.0, 2.0], [3.0, 0.0]])


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_gradient_descent_converges_from_book_start(backend, xp):
    init = backend.asarray([-3.0, 4.0])
    x = xpnet.gradient_descent(square_sum, init, lr=0.1, step_num=100)
    assert_on(x, backend, xp.float64)
    assert float(xp.max(xp.abs(x))) < 1e-8
    assert_close(init, [-3.0, 4.0])  # untouched


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_gradient_descent_diverges_with_large_lr(backend, xp):
    x = xpnet.gradient_descent(square_sum, backend.asarray([-3.0, 4.0]), lr=10.0, step_num=100)
    assert float(xp.max(xp.abs(x))) > 1e10


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_gradient_descent_barely_moves_with_tiny_lr(backend):
    x = xpnet.gradient_descent(square_sum, backend.asarray([-3.0, 4.0]), lr=1e-10, step_num=100)
    assert_close(x, [-3.0, 4.0], atol=1e-6)
    assert float(x[0]) != -3.0  # it did move


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_gradient_descent_history_and_integer_start(backend, xp):
    x, history = xpnet.gradient_descent(
        square_sum, backend.asarray([-3, 4]), lr=0.1, step_num=20, return_history=True
    )
    assert history.shape == (21, 2)
    assert_close(history[0, :], [-3.0, 4.0])
    assert_close(history[-1, :], to_numpy(x))
    assert_close(history[1, :], [-3.0 * 0.8, 4.0 * 0.8], rtol=1e-8)  # x - 0.1 * 2x


# -- bad input and interruption ------------------------------------------------------------------


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_numerical_gradient_says_f_must_return_a_scalar(xp):
    x = xp.asarray([3.0, 4.0], dtype=xp.float64)
    with pytest.raises(ValueError, match=r"f must return a scalar .* array of shape \(2,\)"):
        numerical_gradient(lambda x: x**2, x)
    with pytest.raises(TypeError, match="f must return a scalar .* returned NoneType None"):
        numerical_gradient(lambda x: None, x)
    assert xp.all(x == xp.asarray([3.0, 4.0]))  # restored after the error


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_numerical_gradient_takes_a_one_element_result(xp):
    x = xp.asarray([3.0, 4.0], dtype=xp.float64)
    grad = numerical_gradient(lambda x: xp.reshape(xp.sum(x**2), (1,)), x)
    assert np.allclose(np.asarray(xpnet.backends.to_numpy(grad)), [6.0, 8.0])


def test_numerical_gradient_refuses_half_precision():
    """float16 (and torch's bfloat16) cannot hold x + 1e-4: the book's code returns zeros."""
    x = np.array([3.0, 4.0], dtype=np.float16)
    with pytest.raises(TypeError, match=r"too small for dtype float16 .*xp.astype\(x, xp.float64"):
        xpnet.numerical_gradient(lambda v: np.sum(v**2), x)
    assert x.tolist() == [3.0, 4.0]
    torch = pytest.importorskip("torch")
    for dtype in (torch.float16, torch.bfloat16):
        with pytest.raises(TypeError, match="too small for dtype torch"):
            xpnet.numerical_gradient(lambda v: (v**2).sum(), torch.tensor([3.0], dtype=dtype))


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_numerical_gradient_restores_x_after_ctrl_c(backend):
    x = backend.asarray([1.0, 2.0, 3.0])

    def f(v):
        if float(v[1]) != 2.0:  # interrupted while x[1] is perturbed
            raise KeyboardInterrupt
        return v[0] * 0.0

    with pytest.raises(KeyboardInterrupt):
        xpnet.numerical_gradient(f, x)
    assert_close(x, [1.0, 2.0, 3.0], rtol=0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lr": "0.1"}, TypeError, "lr must be a positive number; got str '0.1'"),
        ({"lr": math.nan}, ValueError, "lr must be a finite number > 0; got nan"),
        ({"lr": 0}, ValueError, "lr must be a finite number > 0; got 0"),
        ({"step_num": -1}, ValueError, "step_num must be an integer >= 0; got -1"),
        ({"step_num": 2.5}, TypeError, "step_num must be an integer >= 0; got 2.5"),
    ],
)
def test_gradient_descent_names_lr_and_step_num(xp, kwargs, error, message):
    with pytest.raises(error, match=f"^gradient_descent: {message}"):
        gradient_descent(lambda x: xp.sum(x**2), xp.asarray([1.0, 2.0], dtype=xp.float64), **kwargs)


def test_gradient_descent_with_no_steps_returns_the_start(xp):
    start = xp.asarray([1.0, 2.0], dtype=xp.float64)
    assert xp.all(gradient_descent(lambda x: xp.sum(x**2), start, step_num=0) == start)


@pytest.mark.parametrize(
    ("h", "error", "got"),
    [
        (0, ValueError, "got 0"),
        (math.nan, ValueError, "got nan"),
        (-1e-4, ValueError, "got -0"),
        ("a", TypeError, "got str 'a'"),
    ],
)
@pytest.mark.parametrize(
    ("caller", "call"),
    [
        ("numerical_gradient", lambda h: numerical_gradient(square_sum, np.ones(2), h=h)),
        (
            "numerical_gradient_rows",
            lambda h: xpnet.gradient.numerical_gradient_rows(square_sum, np.ones((1, 2)), h=h),
        ),
        ("numerical_diff", lambda h: xpnet.numerical_diff(lambda x: x * x, 3.0, h=h)),
    ],
)
def test_a_bad_step_h_is_named(caller, call, h, error, got):
    with pytest.raises(error, match=rf"{caller}: h must be .*{got}.*the book uses h=1e-4"):
        call(h)


def test_a_tensor_that_records_its_gradient_is_named_with_detach():
    torch = pytest.importorskip("torch")
    x = torch.ones(2, dtype=torch.float64, requires_grad=True)
    with pytest.raises(TypeError, match=r"x in place .*requires_grad=True.*pass x.detach\(\)"):
        numerical_gradient(square_sum, x)
    assert_close(numerical_gradient(square_sum, x.detach()), [2.0, 2.0])


@pytest.mark.parametrize(
    "read_only",
    [
        lambda: np.broadcast_to(np.array([1.0]), (2,)),
        lambda: np.frombuffer(np.array([1.0, 1.0]).tobytes()),  # over immutable bytes
    ],
    ids=["broadcast view", "frombuffer"],
)
def test_a_read_only_numpy_x_is_named_with_a_writable_copy(read_only):
    # it raised NumPy's own "assignment destination is read-only", naming neither x nor the fix
    x = read_only()
    with pytest.raises(TypeError, match=r"x in place .* x is read-only .* x = numpy.array\(x\)"):
        numerical_gradient(square_sum, x)
    assert_close(numerical_gradient(square_sum, np.array(x)), [2.0, 2.0])
    # the rows form and gradient descent perturb copies: a read-only start is fine there
    assert_close(
        xpnet.numerical_gradient_rows(square_sum, np.broadcast_to(x, (2, 2))), [[2.0] * 2] * 2
    )
    assert_close(xpnet.gradient_descent(square_sum, x, lr=0.5, step_num=1), [0.0, 0.0], atol=1e-9)


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_numerical_gradient_rows_of_no_points_is_empty(backend, xp):
    # X of shape (0, 2) raised xp.stack's "need at least one array to stack"
    X = backend.asarray(np.zeros((0, 2)))
    grads = xpnet.numerical_gradient_rows(square_sum, X)
    assert grads.shape == (0, 2)
    assert_on(grads, backend, xp.float64)


@pytest.mark.skip_lazy(reason=IN_PLACE)
def test_numerical_gradient_of_an_empty_x_is_empty(backend, xp):
    # on JAX it raised IgnoredArgumentError: an empty gradient is "all zero"
    x = backend.asarray(np.zeros((0, 3)))
    grad = numerical_gradient(square_sum, x)
    assert grad.shape == (0, 3)
    assert_on(grad, backend, xp.float64)
