"""Trainer(step=...): which step runs, and why, in one line; run_steps' contract."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import TRAINING

import xpnet
from xpnet.fast import FastPathUnavailable, FastPathWarning, auto_paths, choice
from xpnet.optim import SGD
from xpnet.train import Trainer


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x, t = rng.random((60, 6)), rng.integers(0, 3, 60)
    return (x, t), (x[:10], t[:10])


def trainer_on(backend, data, **options) -> Trainer:
    net = xpnet.TwoLayerNet(6, 4, 3, xp=backend.xp, device=backend.device, seed=0)
    return Trainer(net, *data, batch_size=10, seed=0, **options)


@pytest.mark.skip_lazy(reason=TRAINING)
def test_auto_takes_the_fast_path_of_the_backend_or_says_why_not(backend, data):
    trainer = trainer_on(backend, data)
    names, _ = auto_paths(backend)
    if backend.name == "jax":
        assert (trainer.step_path, trainer.step_reason) == ("jax-scan", "")
    elif not names:  # NumPy, array-api-strict, torch on the CPU
        assert trainer.step_path == "eager" and trainer._fast is None
        assert "no faster step than its eager one" in trainer.step_reason
    else:  # a GPU: the first path that builds
        assert trainer.step_path in names
    eager = trainer_on(backend, data, step="eager")
    assert (eager.step_path, eager._fast) == ("eager", None)


def test_a_named_path_that_cannot_run_here_says_why_in_one_line(data):
    numpy = xpnet.get_backend("cpu")
    with pytest.raises(FastPathUnavailable) as raised:
        trainer_on(numpy, data, step="torch-graph")
    message = str(raised.value)
    assert message.startswith('step="torch-graph" cannot run here: ') and "\n" not in message
    assert "CUDA" in raised.value.reason and raised.value.path == "torch-graph"
    for name in ("jax-scan", "cupy-fused", "cupy-graph"):
        with pytest.raises(FastPathUnavailable, match=f'step="{name}" cannot run here'):
            trainer_on(numpy, data, step=name)


def test_what_no_fast_path_takes_runs_the_eager_step_and_says_why(data):
    numpy = xpnet.get_backend("cpu")
    reasons = {
        "numerical": trainer_on(numpy, data, grad="numerical").step_reason,
        "optimizer": trainer_on(
            numpy, data, optimizer=type("Momentum", (SGD,), {})(0.1)
        ).step_reason,
    }
    assert "the numerical gradient runs eagerly" in reasons["numerical"]
    assert "only SGD's update is fused, not Momentum's" in reasons["optimizer"]
    with pytest.raises(FastPathUnavailable, match="the numerical gradient runs eagerly"):
        trainer_on(numpy, data, grad="numerical", step="jax-scan")


def test_an_unknown_step_names_the_ones_there_are(data):
    with pytest.raises(ValueError, match="step must be one of auto, eager, jax-scan, torch-graph"):
        trainer_on(xpnet.get_backend("cpu"), data, step="fast")


def test_auto_warns_and_goes_on_when_a_path_fails_unexpectedly(data, monkeypatch):
    """A library refusing what the path asked (a capture, say) is named once; the next
    candidate, or the eager step, runs."""
    monkeypatch.setattr(choice, "auto_paths", lambda backend: (("cupy-graph", "cupy-fused"), ""))
    real = choice.build

    def build(name, trainer):
        if name == "cupy-graph":
            raise NotImplementedError("calling cuBLAS API during stream capture")
        return real(name, trainer)

    monkeypatch.setattr(choice, "build", build)
    with pytest.warns(FastPathWarning, match='step="cupy-graph" failed to build'):
        trainer = trainer_on(xpnet.get_backend("cpu"), data)
    assert trainer.step_path == "eager"
    assert "cupy-graph failed: NotImplementedError" in trainer.step_reason
    assert "cupy-fused: it needs a CuPy network" in trainer.step_reason


def test_a_path_failing_with_a_long_error_is_named_in_one_line(data, monkeypatch, capsys):
    """A library's error of several lines (NVRTC's compile log, say) is cut to its first in
    the warning and in step_reason, so the CLI's header and its warning stay one line each."""
    monkeypatch.setattr(choice, "auto_paths", lambda backend: (("cupy-fused",), ""))

    def build(name, trainer):
        raise RuntimeError("\nnvrtc: error: failed to compile\nkernel.cu(3): error: ...\n")

    monkeypatch.setattr(choice, "build", build)
    with pytest.warns(FastPathWarning) as warned:
        trainer = trainer_on(xpnet.get_backend("cpu"), data)
    (warning,) = warned
    assert str(warning.message) == (
        'step="cupy-fused" failed to build (RuntimeError: nvrtc: error: failed to compile ...);'
        " trying the next step"
    )
    assert trainer.step_reason == (
        "cupy-fused failed: RuntimeError: nvrtc: error: failed to compile ..."
    )


def test_run_steps_makes_the_steps_of_one_epoch_and_says_where_it_got(data):
    trainer = trainer_on(xpnet.get_backend("cpu"), data, step="eager")  # 6 steps an epoch
    assert trainer.run_steps(0, 4) == 4 == trainer.iteration
    reference = trainer_on(xpnet.get_backend("cpu"), data, step="eager")
    for i in range(4):
        reference.step(i)
    for key, value in reference.net.params.items():
        np.testing.assert_array_equal(trainer.net.params[key], value)
    for i0, i1 in ((4, 7), (3, 3), (-1, 2)):
        with pytest.raises(ValueError, match="inside one epoch of 6 steps"):
            trainer.run_steps(i0, i1)


def test_train_takes_step(data):
    net = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    history = xpnet.train(net, *data, iters_num=7, batch_size=10, seed=0, step="eager")
    assert len(history.train_loss) == 7
