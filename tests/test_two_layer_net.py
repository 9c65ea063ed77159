import json
import math
import warnings

import numpy as np
import pytest
from conftest import assert_close, assert_on
from helpers import KEYS, batch, make_net, on_host, strict

import xpnet
from xpnet import TwoLayerNet
from xpnet.backends import get_backend, to_numpy
from xpnet.errors import XpnetValueError

# -- gradients -----------------------------------------------------------------------------------


@pytest.mark.parametrize("targets", ["labels", "one-hot"])
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_gradient_matches_torch_autograd(backend, activation, targets):
    torch = pytest.importorskip("torch")
    net = make_net(backend, 7, 5, 4, 0.5, activation=activation, seed=0)
    net.params["b1"] = backend.asarray(np.linspace(-0.5, 0.5, 5))  # nonzero biases
    net.params["b2"] = backend.asarray(np.linspace(0.3, -0.3, 4))
    x, labels = batch(backend)
    t = labels if targets == "labels" else xpnet.one_hot(labels, 4)
    grads = net.gradient(x, t)

    p = {
        k: torch.tensor(to_numpy(v), dtype=torch.float64, requires_grad=True)
        for k, v in net.params.items()
    }
    hidden = torch.tensor(to_numpy(x)) @ p["W1"] + p["b1"]
    hidden = torch.relu(hidden) if activation == "relu" else torch.sigmoid(hidden)
    loss = torch.nn.functional.cross_entropy(
        hidden @ p["W2"] + p["b2"], torch.tensor(to_numpy(labels))
    )
    loss.backward()
    assert_close(net.loss(x, t), loss.item(), rtol=1e-14)
    for key in KEYS:
        assert_on(grads[key], backend, backend.xp.float64)
        assert_close(grads[key], p[key].grad.numpy(), rtol=0, atol=1e-10)


def test_loss_and_gradient_is_one_forward_with_the_same_result(backend):
    net = make_net(backend, 7, 5, 4, 0.5, seed=0)
    x, t = batch(backend)
    loss, grads = net.loss_and_gradient(x, t)
    assert loss.shape == ()
    assert_close(loss, to_numpy(net.loss(x, t)), rtol=0)
    for key, grad in net.gradient(x, t).items():
        assert_close(grads[key], to_numpy(grad), rtol=0)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_numerical_gradient_agrees_and_returns_the_nets_dtype(backend, xp, activation):
    net = make_net(backend, 7, 5, 4, 0.5, activation=activation, seed=2, dtype="float32")
    x, t = batch(backend)
    numerical = net.numerical_gradient(x, t)  # on a float64 copy: no float32 warning
    backprop = net.copy(dtype="float64").gradient(x, t)
    assert list(numerical) == KEYS
    for key in KEYS:
        assert_on(numerical[key], backend, xp.float32)
        assert_close(numerical[key], to_numpy(backprop[key]), rtol=1e-4, atol=1e-6)


def test_float32_net_stays_float32(backend, xp):
    net = make_net(backend, 7, 5, 4, seed=0, dtype="float32")
    x, t = batch(backend)
    x = xp.astype(x, xp.float32)
    assert net.dtype == xp.float32 and net.config["dtype"] == "float32"
    assert_on(net.predict(x), backend, xp.float32)
    loss, grads = net.loss_and_gradient(x, t)
    assert_on(loss, backend, xp.float32)
    for grad in grads.values():
        assert_on(grad, backend, xp.float32)


# -- one seed, one run, on every backend ---------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_same_seed_gives_numpys_params_losses_and_sgd_step(backend, activation):
    reference = xpnet.TwoLayerNet(7, 5, 4, 0.5, activation=activation, seed=3)
    net = make_net(backend, 7, 5, 4, 0.5, activation=activation, seed=3)
    x, t = batch(backend)
    x_host, t_host = batch(get_backend("cpu"))
    learning_rate = 0.1
    for _ in range(2):
        for key in KEYS:
            assert_close(net.params[key], to_numpy(reference.params[key]), rtol=1e-12, atol=1e-15)
        loss, grads = net.loss_and_gradient(x, t)
        loss_host, grads_host = reference.loss_and_gradient(x_host, t_host)
        assert_close(loss, float(loss_host), rtol=1e-12)
        for key in KEYS:
            net.params[key] -= learning_rate * grads[key]
            reference.params[key] -= learning_rate * grads_host[key]
    assert float(reference.loss(x_host, t_host)) < float(loss_host)  # the step helped
    assert not np.allclose(to_numpy(xpnet.TwoLayerNet(7, 5, 4, seed=4).params["W1"]), 0)


def test_initial_weights_follow_the_book(backend):
    net = make_net(backend, 784, 50, 10, seed=0)
    rng = np.random.default_rng(0)
    assert_close(net.params["W1"], 0.01 * rng.standard_normal((784, 50)), rtol=0)
    assert_close(net.params["W2"], 0.01 * rng.standard_normal((50, 10)), rtol=0)
    assert_close(net.params["b1"], np.zeros(50), rtol=0)
    assert_close(net.params["b2"], np.zeros(10), rtol=0)
    for key, shape in zip(KEYS, [(784, 50), (50,), (50, 10), (10,)], strict=True):
        assert_on(net.params[key], backend, backend.xp.float64)
        assert net.params[key].shape == shape


# -- targets, accuracy, inputs -------------------------------------------------------------------


def test_labels_and_one_hot_give_the_same_loss_and_accuracy(backend):
    net = make_net(backend, 7, 5, 4, 1.0, seed=0)
    x, labels = batch(backend, N=20)
    one_hot = xpnet.one_hot(labels, 4)
    assert_close(net.loss(x, one_hot), to_numpy(net.loss(x, labels)), rtol=1e-15)
    accuracy = net.accuracy(x, labels)
    assert isinstance(accuracy, float) and accuracy == net.accuracy(x, one_hot)
    predicted = np.argmax(to_numpy(net.predict(x)), axis=1)
    assert accuracy == np.mean(predicted == to_numpy(labels))


def test_image_batches_are_flattened(backend):
    net = make_net(backend, 12, 5, 4, 0.5, seed=0)
    x, t = batch(backend, D=12)
    images = backend.xp.reshape(x, (6, 1, 3, 4))
    assert_close(net.predict(images), to_numpy(net.predict(x)), rtol=0)
    assert_close(net.gradient(images, t)["W1"], to_numpy(net.gradient(x, t)["W1"]), rtol=0)


def test_methods_do_not_change_their_inputs(backend):
    net = make_net(backend, 7, 5, 4, 0.5, seed=0)
    x, t = batch(backend)
    x_host, t_host = to_numpy(x).copy(), to_numpy(t).copy()
    params = {key: to_numpy(value).copy() for key, value in net.params.items()}
    net.predict(x), net.loss(x, t), net.accuracy(x, t), net.gradient(x, t)
    net.numerical_gradient(x, t)
    assert_close(x, x_host, rtol=0)
    assert_close(t, t_host, rtol=0)
    for key in KEYS:
        assert_close(net.params[key], params[key], rtol=0)


# -- params: the one owner -----------------------------------------------------------------------


def test_assigning_a_parameter_takes_effect(backend):
    net = make_net(backend, 7, 5, 4, 0.5, seed=0)
    x, _ = batch(backend)
    before = to_numpy(net.predict(x))
    net.params["b2"] = backend.asarray([1.0, 2.0, 3.0, 4.0])
    assert_close(net.predict(x), before + np.array([1.0, 2.0, 3.0, 4.0]), rtol=1e-12)
    net.params["W1"] = backend.xp.zeros_like(net.params["W1"])
    assert_close(net.predict(x), np.tile([1.0, 2.0, 3.0, 4.0], (6, 1)), rtol=0)


def test_in_place_update_takes_effect(backend):
    net = make_net(backend, 7, 5, 4, 0.5, seed=0)
    x, t = batch(backend)
    loss = float(net.loss(x, t))
    grads = net.gradient(x, t)
    for key in KEYS:
        net.params[key] -= 0.5 * grads[key]
    assert float(net.loss(x, t)) < loss


def test_copy_is_deep_and_can_cast(backend, xp):
    net = make_net(backend, 7, 5, 4, 0.5, seed=0)
    x, t = batch(backend)
    twin = net.copy(dtype="float32")
    assert twin.dtype == xp.float32 and twin.config["dtype"] == "float32"
    assert_on(twin.params["W1"], backend, xp.float32)
    twin.params["W1"] -= 1.0
    assert_close(net.params["W1"], to_numpy(net.copy().params["W1"]), rtol=0)
    assert float(net.copy().loss(x, t)) == float(net.loss(x, t))
    assert net.config["dtype"] == "float64"


def test_config_is_json_and_rebuilds_the_net(backend):
    net = make_net(backend, 7, 5, 4, 0.5, activation="sigmoid", seed=0, dtype="float32")
    config = json.loads(json.dumps(net.config))
    assert config == {
        "input_size": 7,
        "hidden_size": 5,
        "output_size": 4,
        "weight_init_std": 0.5,
        "activation": "sigmoid",
        "dtype": "float32",
    }
    twin = make_net(backend, **config, seed=0)
    assert_close(twin.params["W2"], to_numpy(net.params["W2"]), rtol=0)
    assert "Sigmoid1" in twin.layers


# -- clear errors at the public boundary ---------------------------------------------------------


@pytest.mark.parametrize(("net_dtype", "x_dtype"), [("float64", "float32"), ("float32", "float64")])
def test_x_of_another_float_dtype_takes_the_nets_dtype(backend, xp, net_dtype, x_dtype):
    net = make_net(backend, 7, 5, 4, seed=0, dtype=net_dtype)
    x, t = batch(backend)
    same = net.loss(xp.astype(x, getattr(xp, net_dtype)), t)
    loss, grads = net.loss_and_gradient(xp.astype(x, getattr(xp, x_dtype)), t)
    assert_on(loss, backend, getattr(xp, net_dtype))
    assert_on(net.predict(xp.astype(x, getattr(xp, x_dtype))), backend, getattr(xp, net_dtype))
    assert_close(loss, to_numpy(same), rtol=1e-6)
    for grad in grads.values():
        assert_on(grad, backend, getattr(xp, net_dtype))


def test_bad_x_shapes_are_named(backend, xp):
    net = make_net(backend, 7, 5, 4, seed=0)
    x, t = batch(backend)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 7\).*got \(6, 8\)") as raised:
        net.predict(backend.asarray(np.zeros((6, 8))))
    assert str(raised.value).endswith(  # the fix, both ways: the data's or the net's size
        ": pass 7 values a sample, the data this net was made for, or make a net for yours,"
        " TwoLayerNet(input_size=8, ...)"
    )
    with pytest.raises(ValueError, match=r"got \(3, 2, 5\): .*TwoLayerNet\(input_size=10, "):
        net.predict(backend.asarray(np.zeros((3, 2, 5))))  # images: values a sample, not a row
    with pytest.raises(ValueError, match=r"got \(7,\). For one sample, use xp.reshape"):
        net.loss(x[0, :], t[:1])
    with pytest.raises(ValueError, match=r"empty batch \(N=0\)"):
        net.gradient(x[:0, :], t[:0])
    with pytest.raises(TypeError, match="x must be floating-point; got dtype"):
        net.predict(xp.astype(x, xp.int64))


def test_bad_targets_are_named(backend, xp):
    net = make_net(backend, 7, 5, 4, seed=0)
    x, t = batch(backend)
    with pytest.raises(ValueError, match=r"x has N=6, t has shape \(5,\)"):
        net.loss(x, t[:5])
    with pytest.raises(ValueError, match=r"labels of shape \(6,\) or one-hot of shape \(6, 4\)"):
        net.accuracy(x, xpnet.one_hot(t % 3, 3))
    with pytest.raises(ValueError, match=r"got \(6, 1\)"):
        net.gradient(x, xp.reshape(t, (6, 1)))
    with pytest.raises(TypeError, match="labels t must have an integer dtype"):
        net.loss(x, xp.astype(t, xp.float64))


def test_arrays_from_another_library_are_named(backend):
    net = make_net(backend, 7, 5, 4, seed=0)
    if backend.name == "numpy":
        torch = pytest.importorskip("torch")
        foreign_x, foreign_t = torch.zeros((2, 7), dtype=torch.float64), torch.tensor([0, 1])
        kind = "a torch tensor"
    else:
        foreign_x, foreign_t, kind = np.zeros((2, 7)), np.array([0, 1]), "a numpy array"
    ours = "torch tensors" if backend.name == "torch" else f"{backend.name} arrays"
    message = f"x is {kind} but the network's parameters are {ours}; create"
    with pytest.raises(TypeError, match=message + ".*net.backend.asarray"):
        net.predict(foreign_x)
    x, _ = batch(backend, N=2)
    with pytest.raises(TypeError, match=f"t is {kind} but"):
        net.loss(x, foreign_t)
    with pytest.raises(
        TypeError, match="x must be an? .*; got list. Move it with x = net.backend.asarray"
    ):
        net.predict(np.zeros((2, 7)).tolist())


def test_x_on_another_device_is_named():
    pytest.importorskip("array_api_strict")
    net = xpnet.TwoLayerNet(
        7, 5, 4, device="device1", xp=get_backend(backend="array_api_strict").xp
    )
    x = get_backend("cpu", backend="array_api_strict").asarray(np.zeros((2, 7)))
    with pytest.raises(
        ValueError, match=r"x is on device .*CPU_DEVICE.* parameters are on .*device1"
    ):
        net.predict(x)


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="activation must be 'relu' or 'sigmoid'; got 'tanh'"):
        xpnet.TwoLayerNet(7, 5, 4, activation="tanh")


# -- arguments, and data of the wrong library, device or range -----------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((0, 50, 10), {}, ValueError, "input_size must be a positive integer; got 0"),
        ((784, -3, 10), {}, ValueError, "hidden_size must be a positive integer; got -3"),
        ((784, 50, 10.0), {}, TypeError, "output_size must be a positive integer; got 10.0"),
        ((784, True, 10), {}, TypeError, "hidden_size must be a positive integer; got True"),
        ((784, 50, 10, math.nan), {}, ValueError, "weight_init_std must be a finite number > 0"),
        ((784, 50, 10, -0.01), {}, ValueError, "weight_init_std must be a finite number > 0"),
        ((784, 50, 10, "0.01"), {}, TypeError, "weight_init_std must be a positive number; got"),
        ((784, 50, 10), {"seed": -1}, ValueError, "seed must be an integer >= 0; got -1"),
        ((784, 50, 10), {"seed": "0"}, TypeError, "seed must be an integer >= 0; got '0'"),
    ],
)
def test_two_layer_net_arguments_are_checked_where_given(args, kwargs, error, message):
    with pytest.raises(error, match=f"^TwoLayerNet: {message}"):
        TwoLayerNet(*args, **kwargs)


def test_a_hidden_size_whose_parameters_cannot_be_allocated_is_refused_naming_it(monkeypatch):
    """The bound that --hidden-size and a checkpoint's meta.net share: 2**31 - 1, and what this
    process can allocate (1 GiB here), each weight counted as drawn (float64) and copied."""
    monkeypatch.setattr("xpnet.arguments.memory_available", lambda: 2**30)
    most = 2**30 // ((784 + 1 + 10) * (8 + 4))
    with pytest.raises(ValueError, match=r"^TwoLayerNet: hidden_size must be .* up to 2147483647"):
        TwoLayerNet(784, 2**31, 10)
    with pytest.raises(XpnetValueError) as refused:
        TwoLayerNet(784, 10**8, 10, dtype="float32")  # 888 GiB: numpy's MemoryError, before
    assert str(refused.value) == (
        "TwoLayerNet: hidden_size=100000000 needs 888 GiB for the parameters of a"
        " 784-100000000-10 network (drawn in float64 on the host, then copied as float32);"
        f" hidden_size can be at most {most} here, the most whose 784-N-10 network in float32"
        " fits in the 1 GiB this process can allocate (the book's is hidden_size=50)"
    )
    assert TwoLayerNet(784, 50, 10).config["hidden_size"] == 50


@pytest.mark.parametrize(("std", "dtype"), [(1e300, "float32"), (1e308, "float64")])
def test_weights_the_dtype_cannot_hold_are_refused_naming_weight_init_std(xp, backend, std, dtype):
    """1e300 standard normals are inf in float32 (NumPy warned "overflow encountered in cast"
    and a run blamed --lr); 1e308 ones overflow float64 itself. Refused, with no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(XpnetValueError) as refused:
            TwoLayerNet(784, 50, 10, std, xp=xp, device=backend.device, dtype=dtype, seed=0)
    limit = f"{float(np.finfo(dtype).max):.3g}"
    said, _, rest = str(refused.value).partition(" draws weights up to ")
    assert said == f"TwoLayerNet: weight_init_std={std:g}"
    assert rest.split(", which ", 1)[1] == (
        f'dtype="{dtype}" cannot hold (its largest number is {limit}, so they would be inf);'
        " give a smaller weight_init_std (the book uses weight_init_std=0.01)"
    )
    net = TwoLayerNet(784, 50, 10, 1e30, xp=xp, device=backend.device, dtype="float32", seed=0)
    assert np.isfinite(to_numpy(net.params["W1"])).all()


def test_two_layer_net_takes_numpy_integers_and_the_books_std():
    net = TwoLayerNet(np.int64(4), 3, np.int32(2), weight_init_std=1, seed=np.int64(0))
    assert net.params["W1"].shape == (4, 3) and net.config["weight_init_std"] == 1.0
    assert net.config["input_size"] == 4 and type(net.config["input_size"]) is int


def test_two_layer_net_loss_with_labels_out_of_range(xp, backend):
    net = TwoLayerNet(4, 3, 2, xp=xp, device=backend.device, seed=0)
    x, t = net.backend.asarray(np.ones((2, 4))), net.backend.asarray([0, 2])
    if on_host(xp):
        said = "SoftmaxWithLoss: labels t must lie in 0..1 for 2 classes; got 2"  # not one_hot's
        for method in (net.loss, net.gradient):
            with pytest.raises(ValueError, match=f"^{said}"):
                method(x, t)
    else:
        assert math.isnan(float(net.loss(x, t)))


@pytest.mark.parametrize("bad", [2, -1])
def test_accuracy_with_labels_out_of_range_is_no_plausible_number(xp, backend, bad):
    # a label out of range matches no logit: accuracy counted it as a miss (0.5 here, silently);
    # now it says so as loss does (NumPy labels raise, others give NaN)
    net = TwoLayerNet(4, 3, 2, xp=xp, device=backend.device, seed=0)
    x, t = net.backend.asarray(np.ones((2, 4))), net.backend.asarray([0, bad])
    assert net.accuracy(x, net.backend.asarray([0, 1])) == 0.5
    if on_host(xp):
        with pytest.raises(ValueError, match=rf"accuracy: labels t must lie in 0..1 .* got {bad}"):
            net.accuracy(x, t)
    else:
        assert math.isnan(net.accuracy(x, t))


def test_a_numpy_net_refuses_torch_arrays_and_a_torch_net_numpy_arrays():
    torch = pytest.importorskip("torch")
    numpy_net = xpnet.TwoLayerNet(7, 5, 4, seed=0)
    torch_net = xpnet.TwoLayerNet(7, 5, 4, xp=get_backend("cpu", backend="torch").xp, seed=0)
    x_np, t_np = np.zeros((2, 7)), np.array([0, 1])
    x_torch, t_torch = torch.zeros((2, 7), dtype=torch.float64), torch.tensor([0, 1])
    with pytest.raises(
        TypeError,
        match="x is a torch tensor but the network's parameters are numpy arrays; create the net"
        r" with xp=\.\.\. / device=\.\.\. or move x with net.backend.asarray",
    ):
        numpy_net.gradient(x_torch, t_np)
    with pytest.raises(TypeError, match="t is a torch tensor but .* numpy arrays"):
        numpy_net.loss(x_np, t_torch)
    with pytest.raises(TypeError, match="x is a numpy array but .* torch tensors"):
        torch_net.loss(x_np, t_torch)
    with pytest.raises(TypeError, match="t is a numpy array but .* torch tensors"):
        torch_net.accuracy(x_torch, t_np)


def test_targets_on_another_device_are_named():
    here, there = strict("device1"), strict("cpu")
    net = xpnet.TwoLayerNet(7, 5, 4, xp=here.xp, device=here.device, seed=0)
    x = here.asarray(np.zeros((2, 7)))
    with pytest.raises(ValueError, match=r"t is on device .*CPU_DEVICE.* parameters are on .*dev"):
        net.loss(x, there.asarray(np.array([0, 1])))
