"""What would make the host wait for a GPU, recorded op by op with PyTorch on the CPU: nothing
in the training step, one copy each way in a numerical gradient.

On CUDA two kinds of operation make the host wait: turning a Python number (or list) into a
device tensor, which is a blocking copy from the host (and is illegal while a CUDA graph is being
captured), and reading values back (``.item()``, ``nonzero``, ``unique``, a copy to the host).
PyTorch shows both as aten ops on the CPU too, so a TorchDispatchMode records them here without a
GPU; the methods that bring tensors to NumPy are watched as well, since on the CPU they run no op.
"""

from __future__ import annotations

import collections

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402

import xpnet  # noqa: E402
from xpnet.datasets import load_mnist_sample  # noqa: E402
from xpnet.train import Trainer  # noqa: E402

FROM_PYTHON = {  # a tensor made from Python data: on CUDA, a blocking copy from the host
    "aten.lift_fresh",
    "aten.lift_fresh_copy",
    "aten.lift",
    "aten.scalar_tensor",
}
HOST_READS = {  # the host waits for the value (or for a data-dependent size)
    "aten._local_scalar_dense",
    "aten.item",
    "aten.is_nonzero",
    "aten.equal",
    "aten.nonzero",
    "aten.masked_select",
    "aten._unique",
    "aten._unique2",
    "aten.unique_dim",
    "aten.unique_consecutive",
    "aten.unique_dim_consecutive",
}
TO_NUMPY = ("numpy", "tolist", "__array__", "cpu")  # torch.Tensor methods that leave torch


class Recorder(TorchDispatchMode):
    """Every aten op run inside, and the ops that would make the host wait on a GPU."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: collections.Counter = collections.Counter()
        self.waits: list[str] = []
        self.recording = False

    def __enter__(self):
        self.recording = True
        return super().__enter__()

    def __exit__(self, *exc):
        self.recording = False
        return super().__exit__(*exc)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = str(func.overloadpacket)
        self.ops[name] += 1
        tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)]
        devices = {a.device for a in tensors}
        if "device" in kwargs and kwargs["device"] is not None:
            devices.add(torch.device(kwargs["device"]))
        if name in FROM_PYTHON or name in HOST_READS:
            self.waits.append(str(func))
        elif len(devices) > 1:  # a copy between devices (to or from the host)
            self.waits.append(f"{func} across {sorted(map(str, devices))}")
        return func(*args, **kwargs)


@pytest.fixture
def recorder(monkeypatch):
    """A Recorder that also notes every tensor brought to NumPy or to the CPU by a method."""
    return watching(monkeypatch)


def watching(monkeypatch) -> Recorder:
    """The recorder fixture's Recorder, for a test elsewhere (tests/fast): torch.Tensor's
    methods of TO_NUMPY patched through monkeypatch for the test's duration."""
    recorder = Recorder()
    for method in TO_NUMPY:
        real = getattr(torch.Tensor, method)

        def noted(self, *args, _real=real, _name=method, **kwargs):
            if recorder.recording:
                recorder.waits.append(f"Tensor.{_name}")
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, method, noted)
    return recorder


@pytest.fixture(scope="module")
def sample():
    (x_train, t_train), (x_test, t_test) = load_mnist_sample()
    return (x_train[:600], t_train[:600]), (x_test[:200], t_test[:200])


def torch_trainer(sample, activation: str) -> Trainer:
    cpu = torch.device("cpu")
    net = xpnet.TwoLayerNet(784, 20, 10, activation=activation, device=cpu, dtype="float32", seed=0)
    return Trainer(net, *sample, batch_size=50, seed=0, log_every=50)  # 12 steps an epoch


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_training_step_makes_no_tensor_from_python_and_reads_nothing(sample, activation, recorder):
    """Steps 1-5 of an epoch (no log point among them: the step is all the loop does) make no
    tensor from a Python number and read nothing to the host; the same steps as run()'s."""
    trainer = torch_trainer(sample, activation)
    trainer.run(1)  # step 0: draws the epoch's batch indices and evaluates (a log point)
    steps = range(1, 6)
    for i in steps:
        assert i % trainer.iters_per_epoch and (i + 1) % trainer.iters_per_epoch
        assert (i + 1) % trainer.log_every
    with recorder:
        for i in steps:
            trainer.step(i)
            trainer.iteration = i + 1
    assert recorder.ops["aten.mm"] == 5 * len(steps)  # the recorder saw the steps' work
    assert recorder.waits == []

    reference = torch_trainer(sample, activation)  # run() makes the very same steps
    reference.run(steps[-1] + 1)
    trainer.run(steps[-1] + 1)  # only flushes: every step is made
    np.testing.assert_array_equal(trainer.history.train_loss, reference.history.train_loss)
    for key, value in reference.net.params.items():
        assert torch.equal(trainer.net.params[key], value)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_forward_and_labels_make_no_tensor_from_python(sample, activation, recorder):
    """The forward of evaluation (predict; accuracy's one host read is its result), and loss and
    gradient with labels (one_hot's classes are made on the device) make no tensor from a
    Python number either."""
    trainer = torch_trainer(sample, activation)
    labels = trainer.net.backend.asarray(sample[1][1])
    with recorder:
        trainer.net.predict(trainer.x_test)
        trainer.net.loss(trainer.x_test, labels)
        trainer.net.gradient(trainer.x_test, labels)
    assert recorder.ops["aten.mm"] == 2 + 2 + 5
    assert recorder.waits == []


def numerical_gradient_waits(sample, monkeypatch, recorder, block_pairs: int) -> tuple:
    """One batched numerical gradient of 30 MNIST samples, in blocks of at most block_pairs
    nonzero inputs: (what would make the host wait on a GPU, calls of to_numpy, the gradients)."""
    from xpnet import numgrad

    monkeypatch.setattr(numgrad, "BLOCK_PAIRS", block_pairs)
    copies = []

    def to_numpy(a, real=numgrad.to_numpy):
        copies.append(a.shape)
        return real(a)

    monkeypatch.setattr(numgrad, "to_numpy", to_numpy)
    (x, t), _ = sample
    net = xpnet.TwoLayerNet(784, 20, 10, device=torch.device("cpu"), seed=0)
    x, t = net.backend.asarray(x[:30]), net.backend.asarray(t[:30])
    recorder.waits.clear()
    with recorder:
        grads = net.numerical_gradient(x, t)
    return list(recorder.waits), len(copies), grads


def test_numerical_gradient_waits_once_however_many_blocks(sample, monkeypatch, recorder):
    """The batched numerical gradient copies x to the host once and sends its index work back
    in one transfer, in one block of columns or in many: no nonzero, unique or item on the
    device, whose data-dependent sizes would each make the host wait on a GPU."""
    pairs = int(np.count_nonzero(sample[0][0][:30])) + 30  # + the bias's column of ones
    assert pairs < 2**15 and pairs > 10 * 300  # so: one block, then more than ten
    one_block, one_copy, reference = numerical_gradient_waits(sample, monkeypatch, recorder, 2**15)
    many_blocks, copies, grads = numerical_gradient_waits(sample, monkeypatch, recorder, 300)
    assert one_copy == copies == 1  # x, to the host
    assert many_blocks == one_block
    assert sorted(many_blocks) == ["Tensor.cpu", "Tensor.numpy", "aten.lift_fresh.default"]
    for key, value in reference.items():  # other blocks, other rounding of the column sums
        np.testing.assert_allclose(grads[key], value, rtol=0, atol=1e-12)
