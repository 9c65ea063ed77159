import numpy as np
import pytest
from array_api_compat import array_namespace
from conftest import IN_PLACE, assert_close, assert_on

import xpnet
from xpnet.backends import to_numpy
from xpnet.layers import AddLayer, Affine, MulLayer, Relu, Sigmoid, SoftmaxWithLoss


def random_shape(rng, ndim):
    return tuple(int(n) for n in rng.integers(1, 5, size=ndim))


def check_backward(backend, forward, backward, x, *, rtol=1e-6, atol=1e-9, seed=0):
    """backward(G) == numerical gradient of sum(forward(x) * G) at x, for a random G."""
    out = forward(x)
    G = backend.asarray(np.random.default_rng(seed).normal(size=out.shape))
    dx = backward(G)
    assert_on(dx, backend)
    assert dx.shape == x.shape

    def f(v):  # computes from its argument: on JAX, a perturbed copy of x
        xp = array_namespace(v)
        return xp.sum(forward(v) * G)

    numerical = xpnet.numerical_gradient(f, x)
    assert_close(dx, numerical, rtol=rtol, atol=atol)
    return dx


# -- the book's shopping examples ----------------------------------------------------------------


def buy_apples(apple, apple_num, tax):
    mul_apple_layer, mul_tax_layer = MulLayer(), MulLayer()
    apple_price = mul_apple_layer.forward(apple, apple_num)
    price = mul_tax_layer.forward(apple_price, tax)
    dapple_price, dtax = mul_tax_layer.backward(1)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    return price, dapple, dapple_num, dtax


def buy_apples_and_oranges(apple, apple_num, orange, orange_num, tax):
    mul_apple_layer, mul_orange_layer = MulLayer(), MulLayer()
    add_apple_orange_layer, mul_tax_layer = AddLayer(), MulLayer()
    apple_price = mul_apple_layer.forward(apple, apple_num)
    orange_price = mul_orange_layer.forward(orange, orange_num)
    all_price = add_apple_orange_layer.forward(apple_price, orange_price)
    price = mul_tax_layer.forward(all_price, tax)
    dall_price, dtax = mul_tax_layer.backward(1)
    dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
    dorange, dorange_num = mul_orange_layer.backward(dorange_price)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    return price, (dapple_num, dapple, dorange, dorange_num, dtax)


def test_buy_apples_with_python_numbers_gives_the_books_figures():
    price, dapple, dapple_num, dtax = buy_apples(100, 2, 1.1)
    assert price == pytest.approx(220)
    assert (dapple, dapple_num, dtax) == pytest.approx((2.2, 110, 200))


def test_buy_apples_and_oranges_with_python_numbers_gives_the_books_figures():
    price, grads = buy_apples_and_oranges(100, 2, 150, 3, 1.1)
    assert price == pytest.approx(715)
    assert grads == pytest.approx((110, 2.2, 3.3, 165, 650))


def test_shopping_examples_on_arrays(backend):
    # (1,)-arrays: Backend.asarray turns a host scalar into a (1,) tensor on torch
    price, dapple, dapple_num, dtax = buy_apples(*(backend.asarray([v]) for v in (100.0, 2.0, 1.1)))
    assert_on(price, backend)
    assert_close(
        [to_numpy(v) for v in (price, dapple, dapple_num, dtax)], [[220], [2.2], [110], [200]]
    )
    values = (100.0, 2.0, 150.0, 3.0, 1.1)
    price, grads = buy_apples_and_oranges(*(backend.asarray([v]) for v in values))
    assert_close(price, [715])
    assert_close([to_numpy(g) for g in grads], [[110], [2.2], [3.3], [165], [650]])


# -- every layer's backward against the numerical gradient ---------------------------------------


@pytest.mark.skip_lazy(reason=IN_PLACE)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mul_and_add_layers_backward(backend, seed):
    rng = np.random.default_rng(seed)
    shape = random_shape(rng, int(rng.integers(1, 4)))
    x, y = (backend.asarray(rng.normal(size=shape)) for _ in range(2))
    for layer in (MulLayer(), AddLayer()):
        check_backward(
            backend, lambda v, L=layer: L.forward(v, y), lambda d, L=layer: L.backward(d)[0], x
        )
        check_backward(
            backend, lambda v, L=layer: L.forward(x, v), lambda d, L=layer: L.backward(d)[1], y
        )


@pytest.mark.skip_lazy(reason=IN_PLACE)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relu_backward_matches_numerical_gradient(backend, seed):
    rng = np.random.default_rng(seed)
    shape = random_shape(rng, int(rng.integers(1, 4)))
    # keep |x| > 0.1: at the kink the central difference is not the derivative
    values = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.1, 2.0, size=shape)
    layer = Relu()
    check_backward(backend, layer.forward, layer.backward, backend.asarray(values))


@pytest.mark.skip_lazy(reason=IN_PLACE)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_backward_matches_numerical_gradient(backend, seed):
    rng = np.random.default_rng(seed)
    shape = random_shape(rng, int(rng.integers(1, 4)))
    layer = Sigmoid()
    check_backward(
        backend, layer.forward, layer.backward, backend.asarray(rng.normal(size=shape) * 3)
    )


@pytest.mark.skip_lazy(reason=IN_PLACE)
@pytest.mark.parametrize("x_shape", [(4, 3), (2, 3, 2, 2), (1, 5)])
def test_affine_backward_matches_numerical_gradient(backend, x_shape):
    rng = np.random.default_rng(len(x_shape))
    D_in, D_out = int(np.prod(x_shape[1:])), 3
    params = {
        "W": backend.asarray(rng.normal(size=(D_in, D_out))),
        "b": backend.asarray(rng.normal(size=D_out)),
    }
    layer = Affine(params, "W", "b")
    x = backend.asarray(rng.normal(size=x_shape))
    dx = check_backward(backend, layer.forward, layer.backward, x)
    assert dx.shape == x_shape
    G = backend.asarray(
        np.random.default_rng(0).normal(size=(x_shape[0], D_out))
    )  # check_backward's
    for key, grad in (("W", layer.dW), ("b", layer.db)):

        def f(value, key=key):  # the layer reads params[key]: put the perturbed value there
            params[key] = value
            return array_namespace(x).sum(layer.forward(x) * G)

        expected = xpnet.numerical_gradient(f, params[key])
        assert_close(grad, expected, rtol=1e-6, atol=1e-9)


def test_affine_backward_can_skip_dx(backend):
    rng = np.random.default_rng(0)
    params = {"W": backend.asarray(rng.normal(size=(6, 2))), "b": backend.asarray(np.zeros(2))}
    layer = Affine(params, "W", "b")
    layer.forward(backend.asarray(rng.normal(size=(3, 2, 3))))
    dout = backend.asarray(rng.normal(size=(3, 2)))
    assert layer.backward(dout).shape == (3, 2, 3)
    dW, db = layer.dW, layer.db
    assert layer.backward(dout, need_dx=False) is None
    assert_close(layer.dW, dW)
    assert_close(layer.db, db)


def test_affine_takes_an_empty_batch_of_images(backend):
    # x of shape (0, 2, 3): reshape(x, (0, -1)) is ambiguous, and NumPy and PyTorch raised
    rng = np.random.default_rng(0)
    W = rng.normal(size=(6, 2))
    layer = Affine({"W": backend.asarray(W), "b": backend.asarray(np.ones(2))}, "W", "b")
    x = backend.asarray(np.zeros((0, 2, 3)))
    y = layer.forward(x)
    assert y.shape == (0, 2)
    dx = layer.backward(backend.asarray(np.zeros((0, 2))))
    assert dx.shape == (0, 2, 3)
    assert_close(layer.dW, np.zeros((6, 2)))  # the sum over no samples
    assert_close(layer.db, np.zeros(2))


def test_affine_reads_its_parameters_by_name(backend):
    params = {"W": backend.asarray([[1.0], [1.0]]), "b": backend.asarray([0.0])}
    layer = Affine(params, "W", "b")
    x = backend.asarray([[1.0, 2.0]])
    assert_close(layer.forward(x), [[3.0]])
    params["W"] = backend.asarray([[2.0], [0.0]])
    assert_close(layer.forward(x), [[2.0]])


@pytest.mark.skip_lazy(reason=IN_PLACE)
@pytest.mark.parametrize("targets", ["labels", "one-hot"])
@pytest.mark.parametrize("dout", [1.0, 2.5])
def test_softmax_with_loss_backward_matches_numerical_gradient(backend, xp, targets, dout):
    rng = np.random.default_rng(3)
    N, C = 4, 5
    x = backend.asarray(rng.normal(size=(N, C)) * 3)
    labels = backend.asarray(rng.integers(0, C, size=N))
    t = labels if targets == "labels" else xpnet.one_hot(labels, C)
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    assert_on(loss, backend, xp.float64)
    assert loss.shape == ()
    dx = layer.backward(dout)
    assert_on(dx, backend, xp.float64)
    numerical = xpnet.numerical_gradient(lambda v: dout * layer.forward(v, t), x)
    assert_close(dx, numerical, rtol=1e-6, atol=1e-10)


def test_softmax_with_loss_matches_the_books_loss_and_stays_exact_for_large_logits(backend):
    rng = np.random.default_rng(0)
    x = backend.asarray(rng.normal(size=(3, 4)))
    t = backend.asarray([0, 3, 1])
    book = xpnet.cross_entropy_error(xpnet.softmax(x), t)  # log(y + 1e-7): off by about 1e-7 / y
    assert_close(SoftmaxWithLoss().forward(x, t), to_numpy(book), rtol=1e-6)
    # softmax rounds the true class to 0 here: the book's loss saturates at -log(1e-7) = 16.1
    x = backend.asarray([[1000.0, 0.0], [0.0, 0.0]])
    assert_close(SoftmaxWithLoss().forward(x, backend.asarray([1, 0])), (1000 + np.log(2)) / 2)


def test_backward_before_forward_raises(backend):
    dout = backend.asarray([[1.0]])
    layers = [MulLayer(), AddLayer(), Relu(), Sigmoid(), Affine({}, "W", "b"), SoftmaxWithLoss()]
    for layer in layers:
        with pytest.raises(
            RuntimeError, match=f"{type(layer).__name__}.backward was called before"
        ):
            layer.backward(dout)


def test_layers_do_not_write_into_their_inputs(backend):
    rng = np.random.default_rng(0)
    x_host, dout_host = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    x, dout = backend.asarray(x_host.copy()), backend.asarray(dout_host.copy())  # numpy: no copy
    params = {"W": backend.asarray(rng.normal(size=(4, 4))), "b": backend.asarray(np.zeros(4))}
    for layer in (Relu(), Sigmoid(), Affine(params, "W", "b")):
        layer.forward(x)
        layer.backward(dout)
    layer = SoftmaxWithLoss()
    t = backend.asarray([0, 1, 2])
    layer.forward(x, t)
    layer.backward(dout[0, 0])
    assert_close(x, x_host, rtol=0)
    assert_close(dout, dout_host, rtol=0)
    assert_close(t, [0, 1, 2], rtol=0)


def test_the_books_affine_of_arrays_is_told_how_xpnet_writes_it():
    with pytest.raises(
        TypeError,
        match=r'Affine reads W and b by name from the network\'s params: Affine\(params, "W1",'
        r' "b1"\); got Affine\(ndarray, ndarray\)\. The book\'s Affine\(W, b\)',
    ):
        Affine(np.ones((3, 2)), np.zeros(2))
    with pytest.raises(TypeError, match=r"got Affine\(dict, str\)"):
        Affine({"W1": np.ones((3, 2))}, "W1")


@pytest.mark.skip_lazy(reason=IN_PLACE)
@pytest.mark.parametrize("targets", ["label", "one-hot"])
def test_softmax_with_loss_of_one_sample_is_its_batch_of_one(backend, xp, targets):
    # x of shape (C,) is one sample: its loss and gradient are those of the batch (1, C), not
    # divided by C (x.shape[0]); the oracles are the batch of one and the numerical gradient
    x = backend.asarray([0.5, -1.0, 2.0, 0.0])
    label = backend.asarray(2)
    t = label if targets == "label" else xpnet.one_hot(label, 4)
    batch, one = SoftmaxWithLoss(), SoftmaxWithLoss()
    expected = batch.forward(xp.reshape(x, (1, 4)), xp.reshape(t, (1, *t.shape)))
    assert_close(one.forward(x, t), to_numpy(expected), rtol=1e-12)
    dx = one.backward(2.5)
    assert dx.shape == (4,)
    assert_close(dx, to_numpy(batch.backward(2.5))[0], rtol=1e-12)
    numerical = xpnet.numerical_gradient(lambda v: 2.5 * SoftmaxWithLoss().forward(v, t), x)
    assert_close(dx, numerical, rtol=1e-6, atol=1e-10)
