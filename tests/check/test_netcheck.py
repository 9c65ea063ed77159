"""check_network on a learner's network: the book's chapter-5 TwoLayerNet passes, and each typical
mistake fails with the right parameters flagged and the right diagnosis.

The learner's network is the book's own code (tests/learner: two_layer_net.py with its common/
layers and functions, NumPy, `+ 1e-7`); each faulty variant is a copy of that folder with one
line changed, loaded the way `xpnet check` loads it (xpnet.check.learner.load_class). The oracle is
the numerical gradient; where a diagnosis names a factor, the factor is the batch size.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import IN_PLACE

from xpnet import TwoLayerNet, check_network
from xpnet.backends import IMMUTABLE
from xpnet.check.learner import load_class

LEARNER = Path(__file__).resolve().parent.parent / "learner"
N = 3  # samples per check, as `xpnet check` uses


def book_net(path: Path = LEARNER / "two_layer_net.py", sizes=(12, 6, 4)):
    np.random.seed(0)  # noqa: NPY002 (the book's nets draw from the global generator)
    return load_class(str(path))(*sizes)


def batch(D=12, C=4, seed=1):
    rng = np.random.default_rng(seed)
    return rng.random((N, D)), np.array([0, C - 1, 1])


def variant(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the learner's folder with one change in file; the path of its network."""
    folder = tmp_path / "learner"
    shutil.copytree(LEARNER, folder, ignore=shutil.ignore_patterns("__pycache__"))
    changed = folder / file
    text = changed.read_text()
    assert text.count(old) == 1, f"{old!r} must occur once in {file}"
    changed.write_text(text.replace(old, new))
    return folder / "two_layer_net.py"


def check_variant(tmp_path, file, old, new):
    return check_network(book_net(variant(tmp_path, file, old, new)), *batch())


def text(check) -> str:
    """The report with its line wrapping undone."""
    return " ".join(str(check).split())


def wrong(check) -> list[str]:
    return [p.name for p in check if not p.passed]


def test_the_books_network_passes_with_its_1e_7():
    x, t = batch()
    check = check_network(book_net(), x, t)
    assert check.passed, str(check)
    for p in check:  # the 1e-7 guard moves the numerical gradient by ~1e-6 relative, no more
        assert 1e-8 < p.error < 1e-5 and p.factor is None and p.reason == ""
    assert "check PASSED" in text(check) and "WRONG" not in text(check)


def test_the_books_network_passes_with_one_hot_targets():
    x, t = batch()
    assert check_network(book_net(), x, np.eye(4)[t]).passed


def test_w2_gradient_from_the_first_affine_is_placed_in_w2(tmp_path):
    check = check_variant(
        tmp_path,
        "two_layer_net.py",
        'grads["W2"], grads["b2"] = self.layers["Affine2"].dW',
        'grads["W2"], grads["b2"] = self.layers["Affine1"].dW',
    )
    assert not check.passed and wrong(check) == ["W2"]
    assert check["W2"].gradient_shape == (12, 6) and check["W2"].error is None
    assert "the shape of W1: probably taken from W1's layer" in check["W2"].reason
    assert "it equals W1's gradient" in check["W2"].reason
    assert "right: W1, b1, b2; wrong: W2" in text(check)


def test_a_sum_where_the_loss_takes_the_mean_is_the_batch_size(tmp_path):
    check = check_variant(tmp_path, "common/layers.py", "dx = dx / batch_size", "dx = dx")
    assert wrong(check) == ["W1", "b1", "W2", "b2"]
    for p in check:
        assert p.factor == pytest.approx(N, rel=1e-4) and f"the batch size N={N}" in p.reason
        assert "sums over the batch where the loss takes the mean" in p.reason
    assert "every gradient is off by the same factor 3" in text(check)


def test_a_loss_that_sums_over_the_batch_is_one_over_the_batch_size(tmp_path):
    check = check_variant(tmp_path, "common/functions.py", "+ 1e-7)) / batch_size", "+ 1e-7))")
    assert wrong(check) == ["W1", "b1", "W2", "b2"]
    assert check["b2"].factor == pytest.approx(1 / N, rel=1e-4)
    assert f"1/N for the batch size N={N}" in check["b2"].reason


def test_layers_holding_copies_give_a_numerical_gradient_of_zero(tmp_path):
    check = check_variant(
        tmp_path,
        "two_layer_net.py",
        'Affine(self.params["W1"], self.params["b1"])',
        'Affine(self.params["W1"].copy(), self.params["b1"].copy())',
    )
    assert wrong(check) == ["W1", "b1"]
    assert check["W1"].numerical_max == 0 and check["W1"].backprop_max > 0
    assert "numerical gradient is exactly 0" in check["W1"].reason
    assert "hold copies" in check["b1"].reason
    assert "right: W2, b2; wrong: W1, b1" in text(check)


def test_a_bias_gradient_without_axis_0_is_a_sum_over_every_axis(tmp_path):
    check = check_variant(tmp_path, "common/layers.py", "np.sum(dout, axis=0)", "np.sum(dout)")
    assert wrong(check) == ["b1", "b2"]
    assert check["b1"].gradient_shape == () and check["b1"].shape == (6,)
    assert "sum(dout, axis=0)" in check["b2"].reason


def test_a_transposed_weight_gradient_is_named(tmp_path):
    check = check_variant(
        tmp_path, "common/layers.py", "np.dot(self.x.T, dout)", "np.dot(self.x.T, dout).T"
    )
    assert wrong(check) == ["W1", "W2"]
    assert "transposed" in check["W2"].reason and "x.T @ dout" in check["W2"].reason


def test_a_gradient_missing_a_key_names_it(tmp_path):
    check = check_variant(
        tmp_path,
        "two_layer_net.py",
        'grads["W2"], grads["b2"] = self.layers["Affine2"].dW, self.layers["Affine2"].db',
        'grads["W2"] = self.layers["Affine2"].dW',
    )
    assert wrong(check) == ["b2"] and check["b2"].gradient_shape is None
    assert "returns no 'b2'" in check["b2"].reason and "missing" in text(check)


def test_a_loss_that_is_not_a_scalar_is_a_problem(tmp_path):
    check = check_variant(
        tmp_path,
        "common/functions.py",
        "return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size",
        "return -np.log(y[np.arange(batch_size), t] + 1e-7)",
    )
    assert not check.passed and check.parameters == ()
    assert "loss(x, t) must return a scalar; got shape (3,)" in check.problems[0]


def test_a_loss_that_changes_x_in_place_is_a_problem(tmp_path):
    check = check_variant(
        tmp_path,
        "two_layer_net.py",
        "    def predict(self, x):\n",
        "    def predict(self, x):\n        x -= x.mean(axis=1, keepdims=True)\n",
    )
    assert not check.passed
    assert check.problems == (
        "loss(x, t) changes x in place: work on a copy (x = x - m, not x -= m), or every later"
        " call sees other data",
    )


def test_a_gradient_that_updates_the_parameters_is_a_problem_and_is_undone(tmp_path):
    path = variant(
        tmp_path,
        "two_layer_net.py",
        "        return grads\n",
        "        self.params['W2'] -= 0.1 * grads['W2']\n        return grads\n",
    )
    net = book_net(path)
    before = net.params["W2"].copy()
    check = check_network(net, *batch())
    assert "gradient(x, t) changes params['W2']" in check.problems[0]
    assert np.array_equal(net.params["W2"], before)


def test_parameters_are_restored_exactly_also_when_loss_raises():
    net = book_net()
    objects = dict(net.params)
    values = {name: p.copy() for name, p in net.params.items()}
    calls = 0
    loss = net.loss

    def failing_loss(x, t):  # fails in the middle of W1's numerical gradient
        nonlocal calls
        calls += 1
        if calls == 40:
            raise RuntimeError("the learner's bug")
        return loss(x, t)

    net.loss = failing_loss
    with pytest.raises(RuntimeError, match="the learner's bug"):
        check_network(net, *batch())
    assert calls == 40
    for name, p in net.params.items():
        assert p is objects[name] and np.array_equal(p, values[name])
        assert p.tobytes() == values[name].tobytes()  # bit for bit


def test_parameters_are_restored_exactly_after_a_check():
    net = book_net()
    values = {name: p.copy() for name, p in net.params.items()}
    check_network(net, *batch())
    assert all(net.params[k].tobytes() == v.tobytes() for k, v in values.items())


@pytest.mark.skip_lazy(reason=IN_PLACE + " (in check_network)")
def test_xpnets_own_network_passes_on_every_backend(xp):
    net = TwoLayerNet(5, 4, 3, weight_init_std=1.0, xp=xp, seed=2)
    x, t = batch(D=5, C=3)
    check = check_network(net, net.backend.asarray(x), net.backend.asarray(t))
    assert check.passed and check.dtype == "float64", str(check)
    assert max(p.error for p in check) < 1e-6


def test_an_object_without_the_books_interface_is_refused():
    with pytest.raises(TypeError, match=r"net must have a method gradient\(x, t\)"):
        check_network(type("Net", (), {"params": {}, "loss": lambda s, x, t: 0})(), *batch())
    with pytest.raises(TypeError, match="net.params must be a non-empty dict"):
        check_network(type("Net", (), {"loss": print, "gradient": print})(), *batch())


class TorchTwoLayerNet:
    """A learner's chapter-5 network written with PyTorch tensors, backward by hand."""

    def __init__(self, input_size, hidden_size, output_size, *, dtype, scale_by_batch=True):
        import torch

        self.torch, self.scale_by_batch = torch, scale_by_batch
        g = torch.Generator().manual_seed(0)
        self.params = {
            "W1": 0.5 * torch.randn(input_size, hidden_size, generator=g, dtype=dtype),
            "b1": 0.1 * torch.randn(hidden_size, generator=g, dtype=dtype),
            "W2": 0.5 * torch.randn(hidden_size, output_size, generator=g, dtype=dtype),
            "b2": torch.zeros(output_size, dtype=dtype),
        }

    def _forward(self, x):
        p = self.params
        a = x @ p["W1"] + p["b1"]
        z = self.torch.relu(a)
        return a, z, self.torch.softmax(z @ p["W2"] + p["b2"], dim=1)

    def loss(self, x, t):
        y = self._forward(x)[2]
        return -self.torch.log(y[self.torch.arange(x.shape[0]), t] + 1e-7).mean()

    def gradient(self, x, t):
        p = self.params
        a, z, y = self._forward(x)
        dy = y.clone()
        dy[self.torch.arange(x.shape[0]), t] -= 1
        if self.scale_by_batch:
            dy = dy / x.shape[0]
        da = (dy @ p["W2"].T) * (a > 0)
        return {"W1": x.T @ da, "b1": da.sum(0), "W2": z.T @ dy, "b2": dy.sum(0)}


def torch_batch(torch, dtype):
    x, t = batch(D=12, C=4)
    return torch.asarray(x, dtype=dtype), torch.asarray(t)


def test_a_pytorch_network_passes_in_float64():
    torch = pytest.importorskip("torch")
    net = TorchTwoLayerNet(12, 6, 4, dtype=torch.float64)
    check = check_network(net, *torch_batch(torch, torch.float32))  # x cast to float64
    assert check.passed and check.dtype == "float64" and not check.notes, str(check)
    assert max(p.error for p in check) < 1e-5


def test_a_pytorch_network_in_float32_passes_a_coarse_check_and_is_told_so():
    torch = pytest.importorskip("torch")
    net = TorchTwoLayerNet(12, 6, 4, dtype=torch.float32)
    check = check_network(net, *torch_batch(torch, torch.float32))
    assert check.passed and check.dtype == "float32", str(check)
    assert "float32" in check.notes[0] and "build the net in float64" in text(check)


def test_a_pytorch_network_that_sums_over_the_batch_fails_with_the_factor():
    torch = pytest.importorskip("torch")
    net = TorchTwoLayerNet(12, 6, 4, dtype=torch.float64, scale_by_batch=False)
    check = check_network(net, *torch_batch(torch, torch.float64))
    assert wrong(check) == ["W1", "b1", "W2", "b2"]
    assert all(p.factor == pytest.approx(N, rel=1e-4) for p in check)
    before = {k: v.clone() for k, v in net.params.items()}
    check_network(net, *torch_batch(torch, torch.float64))
    assert all(torch.equal(net.params[k], v) for k, v in before.items())


def test_immutable_parameters_are_checked_through_params(backend):
    """JAX arrays cannot be perturbed in place: each perturbed copy goes into net.params[name],
    which a net sees when its loss reads params; one whose layer holds the array sees nothing."""
    if backend.name not in IMMUTABLE:
        pytest.skip("immutable arrays (JAX): runs in the jax session")
    jnp = backend.xp

    class Net:
        def __init__(self):
            self.params = {"W": jnp.asarray([[1.0, 2.0], [3.0, 4.0]], dtype=jnp.float64)}
            self.held = self.params["W"]  # a layer that keeps its own reference

        def loss(self, x, t):
            return jnp.sum(x @ self.params["W"])

        def gradient(self, x, t):  # d sum(x @ W) / dW = x.T @ ones
            return {"W": x.T @ jnp.ones((x.shape[0], 2), dtype=x.dtype)}

    class HoldingNet(Net):
        def loss(self, x, t):
            return jnp.sum(x @ self.held)

    x, t = jnp.asarray([[0.5, -2.0]], dtype=jnp.float64), jnp.asarray([0])
    net = Net()
    original = net.params["W"]
    check = check_network(net, x, t)
    assert check.passed and check["W"].error < 1e-9, str(check)
    assert net.params["W"] is original
    check = check_network(HoldingNet(), x, t)
    assert not check.passed and check["W"].numerical_max == 0
    assert "the layers must use the arrays in net.params" in " ".join(str(check).split())


def test_a_gradient_that_changes_t_in_place_is_a_problem():
    net = book_net()
    gradient = net.gradient

    def gradient_that_shifts_labels(x, t):
        t += 1  # e.g. labels made 1-based in place
        return gradient(x, t % 4)

    net.gradient = gradient_that_shifts_labels
    x, t = batch()
    check = check_network(net, x, t)
    assert not check.passed and check.parameters == ()
    assert check.problems[0].startswith("gradient(x, t) changes t in place")


def test_a_nan_loss_is_a_failed_check_with_its_cause_never_a_pass(tmp_path):
    """The scores of predict() put into the cross-entropy without softmax: log of a negative
    score, the loss nan, every figure nan. It passed (nan > 0 is False, so the error read 0)."""
    check = check_variant(tmp_path, "common/layers.py", "self.y = softmax(x)", "self.y = x")
    assert not check.passed
    assert any(p.startswith("loss(x, t) is nan on the check's x and t") for p in check.problems)
    assert "without softmax" in text(check) and "check FAILED" in text(check)


def test_a_backprop_with_a_nan_entry_fails_that_parameter_and_says_so(tmp_path):
    """One nan in db2 (a division 0 / 0 in the learner's backward): b2 is wrong, the others
    right; a gradient of inf fails too. Both passed or said "a constant factor is wrong"."""
    for value in ("np.nan", "np.inf"):
        path = variant(
            tmp_path / value,
            "two_layer_net.py",
            'grads["W2"], grads["b2"] = self.layers["Affine2"].dW, self.layers["Affine2"].db',
            'grads["W2"], grads["b2"] = self.layers["Affine2"].dW, self.layers["Affine2"].db'
            f'.copy()\n        grads["b2"][0] = {value}',
        )
        check = check_network(book_net(path), *batch())
        assert wrong(check) == ["b2"]
        assert check["b2"].error == float("inf")
        assert "backprop has 1 of 4 entries nan or inf: backprop divides by 0" in text(check)
        assert "constant factor" not in text(check)
