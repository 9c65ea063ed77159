"""What JAX adds: float64 turned on with a notice, the compiled step, autodiff through xpnet.

These run in the jax session (XPNET_BACKEND=jax) and skip, with a reason, in the others; the
rest of the suite runs on JAX through the `backend` fixture like on every other library.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from conftest import assert_close

import xpnet
from xpnet.backends import to_numpy
from xpnet.datasets import load_mnist_sample
from xpnet.optim import SGD
from xpnet.train import Trainer


@pytest.fixture
def jax_backend(backend):
    if backend.name != "jax":
        pytest.skip("JAX's own behaviour: runs in the jax session")
    return backend


@pytest.fixture(scope="module")
def sample():
    (x_train, t_train), (x_test, t_test) = load_mnist_sample()
    return (x_train[:600], t_train[:600]), (x_test[:200], t_test[:200])


def make_trainer(backend, sample, *, compiled=True, dtype="float64", grad="backprop"):
    net = xpnet.TwoLayerNet(784, 20, 10, xp=backend.xp, device=backend.device, dtype=dtype, seed=0)
    step = "auto" if compiled else "eager"  # eager: the layers run op by op
    return Trainer(net, *sample, batch_size=40, learning_rate=0.2, grad=grad, seed=3, step=step)


def params_of(net) -> dict:
    return {key: to_numpy(value) for key, value in net.params.items()}


def test_the_trainer_compiles_its_step_on_jax(jax_backend, sample):
    assert make_trainer(jax_backend, sample).step_path == "jax-scan"
    assert make_trainer(jax_backend, sample, grad="numerical").step_path == "eager"
    net = make_trainer(jax_backend, sample).net

    def path(net, optimizer):
        return Trainer(net, *sample, batch_size=40, optimizer=optimizer, seed=3).step_path

    assert path(net, SGD(0.1)) == "jax-scan"
    assert path(net, type("Momentum", (SGD,), {})(0.1)) == "eager"  # stateful
    numpy_net = make_trainer(xpnet.get_backend("cpu"), sample).net
    assert path(numpy_net, SGD(0.1)) == "eager"  # NumPy runs eagerly


def test_programs_on_the_cpu_take_xpnets_matmuls(jax_backend):
    """backend.compile applies xpnet's CPU options (matmuls on Eigen, not YNNPACK) and still
    computes the function; a jaxlib without the option compiles with its defaults. A float32
    16x16 matmul is YNNPACK's by default."""
    from xpnet.backends._jax import CPU_OPTIONS

    if jax_backend.device.platform != "cpu":
        pytest.skip("the options are for XLA's CPU compiler")
    xp = jax_backend.xp
    x = xp.reshape(xp.arange(256.0, dtype=xp.float32, device=jax_backend.device), (16, 16))
    program = jax_backend.compile(lambda x, w: x @ w + 1.0, (x, x.T))
    assert_close(program(x, x.T), to_numpy(x) @ to_numpy(x).T + 1.0)
    jax = pytest.importorskip("jax")
    try:
        jax.jit(lambda x: x).lower(x).compile(compiler_options=CPU_OPTIONS)
    except RuntimeError:
        pytest.skip(f"jax {jax.__version__} lacks the option {CPU_OPTIONS}")
    text = program.as_text()
    assert " dot(" in text and "__ynn_fusion" not in text  # Eigen's dot, no YNNPACK call


def test_weight_gradients_are_computed_transposed_and_equal(jax_backend):
    """xpnet.fast's rewrite of jax-scan's body: x.T @ dout with x (k, m), m > n, becomes
    (dout.T @ x).T behind a barrier (a product laid out (n, m) in memory); a narrow y.T @ dout,
    dout @ W.T and the values (against NumPy, through a nested jit) are as before."""
    import jax

    from xpnet.fast._jax_dots import wide_dots_transposed

    rng = np.random.default_rng(0)
    shapes = ((30, 12), (30, 4), (12, 4), (30, 2))
    x, dout, W, y = (rng.standard_normal(shape) for shape in shapes)

    def gradients(x, dout, W, y):
        return {"dW": x.T @ dout, "narrow": y.T @ dout, "dx": jax.jit(jnp_matmul)(dout, W.T)}

    def jnp_matmul(a, b):
        return a @ b

    xp, device = jax_backend.xp, jax_backend.device
    arguments = tuple(xp.asarray(a, device=device) for a in (x, dout, W, y))
    jitted = jax.jit(wide_dots_transposed(gradients))
    got = jitted(*arguments)
    for key, expected in {"dW": x.T @ dout, "narrow": y.T @ dout, "dx": dout @ W.T}.items():
        assert_close(got[key], expected, rtol=1e-12, atol=1e-12)
    lowered = jitted.lower(*arguments)
    assert lowered.as_text().count("optimization_barrier") == 1
    text = lowered.compile().as_text()
    assert "f64[12,4]{1,0} dot(" not in text  # the product is (n, m) in memory, not (m, n)
    assert "f64[2,4]{1,0} dot(" in text  # y.T @ dout (m = 2 < n = 4): as XLA makes it
    plain = jax.jit(gradients).lower(*arguments)
    assert "optimization_barrier" not in plain.as_text()
    assert "f64[12,4]{1,0} dot(" in plain.compile().as_text()


def test_compiled_step_equals_the_eager_step(jax_backend, sample):
    compiled = make_trainer(jax_backend, sample)
    eager = make_trainer(jax_backend, sample, compiled=False)
    assert compiled.step_path == "jax-scan" and eager.step_path == "eager"
    compiled.run(45)
    eager.run(45)
    np.testing.assert_allclose(compiled.history.train_loss, eager.history.train_loss, rtol=1e-12)
    want = params_of(eager.net)
    for key, value in params_of(compiled.net).items():
        np.testing.assert_allclose(value, want[key], rtol=1e-12, atol=1e-15)


def test_same_seed_same_run_as_numpy_in_float64(jax_backend, sample):
    run = make_trainer(jax_backend, sample)
    reference = make_trainer(xpnet.get_backend("cpu"), sample)
    run.run(45)
    reference.run(45)
    np.testing.assert_allclose(run.history.train_loss, reference.history.train_loss, atol=1e-9)
    assert run.history.test_acc == reference.history.test_acc
    want = params_of(reference.net)
    for key, value in params_of(run.net).items():
        np.testing.assert_allclose(value, want[key], rtol=0, atol=1e-9)


def test_the_net_owns_the_compiled_steps_parameters(jax_backend, sample):
    trainer = make_trainer(jax_backend, sample)
    before = params_of(trainer.net)
    trainer.run(3)
    net = trainer.net
    assert net.layers["Affine1"].params is net.params  # the layers still read the net's dict
    assert not np.array_equal(to_numpy(net.params["W1"]), before["W1"])  # and it was updated
    x = jax_backend.asarray(sample[0][0][:5])
    forward = to_numpy(net.predict(x))
    host = to_numpy(x) @ to_numpy(net.params["W1"]) + to_numpy(net.params["b1"])
    expected = np.maximum(host, 0) @ to_numpy(net.params["W2"]) + to_numpy(net.params["b2"])
    np.testing.assert_allclose(forward, expected, rtol=1e-12)


def test_jax_grad_traces_xpnets_functions_and_layers(jax_backend, sample):
    import jax

    net = make_trainer(jax_backend, sample).net
    x, t = (jax_backend.asarray(a[:7]) for a in sample[0])

    def loss_of(params):  # the layers read params by name: here JAX's tracers
        twin = net.copy()
        twin.params.update(params)
        return twin.loss(x, t)

    autodiff = jax.grad(loss_of)(dict(net.params))
    backprop = net.gradient(x, t)
    for key in net.params:
        assert_close(autodiff[key], to_numpy(backprop[key]), rtol=1e-10, atol=1e-16)
    compiled_loss = jax.jit(loss_of)(dict(net.params))
    assert_close(compiled_loss, float(net.loss(x, t)), rtol=1e-12)


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", code], capture_output=True, text=True, check=True
    )


def test_float64_is_turned_on_once_with_a_notice(jax_backend):
    code = (
        "import jax, xpnet\n"
        "net = xpnet.TwoLayerNet(4, 3, 2, xp=jax.numpy, seed=0)\n"
        "xpnet.TwoLayerNet(4, 3, 2, xp=jax.numpy, seed=0)\n"
        "print(net.params['W1'].dtype, jax.config.jax_enable_x64)\n"
    )
    done = run_python(code)
    assert done.stdout.split() == ["float64", "True"]
    assert done.stderr.count("Float64Notice: xpnet turned on jax_enable_x64") == 1
    already_on = run_python("import jax; jax.config.update('jax_enable_x64', True)\n" + code)
    assert "Float64Notice" not in already_on.stderr


def test_labels_on_jaxs_own_32_bit_defaults_give_numpys_loss_without_a_warning(jax_backend):
    # JAX as it comes (jax_enable_x64 off): labels were cast to int64, which JAX warns about at
    # every call ("Explicitly requested dtype int64 ... truncated to int32")
    code = (
        "import jax.numpy as jnp, numpy as np, xpnet\n"
        "from xpnet.layers import SoftmaxWithLoss\n"
        "x, t = [[1.0, 2.0, 3.0], [0.5, 0.0, 1.0]], [2, 0]\n"
        "y = xpnet.softmax(jnp.asarray(x))\n"
        "print(float(xpnet.cross_entropy_error(y, jnp.asarray(t))))\n"
        "print(float(SoftmaxWithLoss().forward(jnp.asarray(x), jnp.asarray(t))))\n"
        "print(float(SoftmaxWithLoss().forward(np.asarray(x), np.asarray(t))))\n"
    )
    done = run_python(code)
    assert done.stderr == ""
    jax_entropy, jax_loss, numpy_loss = (float(v) for v in done.stdout.split())
    y = xpnet.softmax(np.asarray([[1.0, 2.0, 3.0], [0.5, 0.0, 1.0]]))
    assert_close(jax_entropy, float(xpnet.cross_entropy_error(y, np.asarray([2, 0]))), rtol=1e-6)
    assert_close(jax_loss, numpy_loss, rtol=1e-6)


def test_a_gpu_jax_cannot_see_is_named_with_the_fix():
    jax = pytest.importorskip("jax")
    try:
        gpus = jax.devices("gpu")
    except RuntimeError:
        gpus = []
    with pytest.raises(xpnet.backends.DeviceUnavailableError, match="CUDA build of JAX.*cpu"):
        xpnet.get_backend(f"cuda:{len(gpus)}", backend="jax")
