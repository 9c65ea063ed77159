import math
import os
import signal
import sys
import warnings

import numpy as np
import pytest
from conftest import TRAINING, assert_close
from helpers import pressing_ctrl_c_in_step

import xpnet
from xpnet.backends import get_backend, to_numpy
from xpnet.checkpoint import load_checkpoint, load_params, save_checkpoint
from xpnet.datasets import load_mnist_sample
from xpnet.train import (
    DivergenceError,
    History,
    Trainer,
    TrainingInterrupted,
    TrainingWarning,
)

pytestmark = pytest.mark.skip_lazy(reason=TRAINING)


@pytest.fixture(scope="module")
def sample():
    (x_train, t_train), (x_test, t_test) = load_mnist_sample()
    return (x_train[:600], t_train[:600]), (x_test[:200], t_test[:200])


@pytest.fixture(scope="module")
def sample_data():
    return xpnet.load_mnist_sample()


@pytest.fixture(scope="module")
def small(sample_data):
    (x, t), (x_test, t_test) = sample_data
    return (x[:300], t[:300]), (x_test[:100], t_test[:100])


def make_net(backend, dtype="float64", activation="relu", seed=0, hidden=20):
    return xpnet.TwoLayerNet(
        784,
        hidden,
        10,
        activation=activation,
        xp=backend.xp,
        device=backend.device,
        dtype=dtype,
        seed=seed,
    )


def test_training_learns_the_sample(backend, sample):
    net = make_net(backend, dtype="float32")
    history = xpnet.train(net, *sample, iters_num=120, batch_size=50, learning_rate=0.5, seed=0)
    assert len(history.train_loss) == 120
    # evaluated after steps 1, 13, 25, ..., 109 (600 / 50 = 12), then the final model at 120
    assert [r.iteration for r in history.epochs] == [*range(1, 120, 12), 120]
    assert np.mean(history.train_loss[-12:]) < 0.6 * np.mean(history.train_loss[:12])
    assert history.test_acc[-1] > 0.6
    assert all(isinstance(value, float) for value in history.train_loss)


def test_same_seed_same_run_as_numpy(backend, sample):
    reference = xpnet.train(
        make_net(xpnet.get_backend("cpu")), *sample, iters_num=30, batch_size=40, seed=3
    )
    net = make_net(backend)
    history = xpnet.train(net, *sample, iters_num=30, batch_size=40, seed=3)
    np.testing.assert_allclose(history.train_loss, reference.train_loss, rtol=1e-12)
    assert history.test_acc == reference.test_acc


def test_resumed_run_equals_uninterrupted_run(backend, sample, tmp_path):
    whole = Trainer(make_net(backend), *sample, batch_size=50, seed=5)
    whole.run(40)  # 12 steps an epoch: resume mid-epoch
    first = Trainer(make_net(backend), *sample, batch_size=50, seed=5)
    first.run(17)
    path = save_checkpoint(
        tmp_path / "c.npz", first.net, state=first.state_dict(), arrays=first.history.arrays()
    )
    checkpoint = load_checkpoint(path)
    net = make_net(backend, seed=99)  # other weights: the checkpoint must replace them
    second = Trainer(net, *sample, batch_size=50, seed=5)
    load_params(net, checkpoint)
    second.load_state_dict(checkpoint.state, History.from_arrays(checkpoint.arrays))
    second.run(40)
    np.testing.assert_allclose(second.history.train_loss, whole.history.train_loss, rtol=1e-12)
    assert second.history.test_acc == whole.history.test_acc
    for key in net.params:
        assert_close(net.params[key], to_numpy(whole.net.params[key]), rtol=1e-12, atol=1e-15)


def test_numerical_gradient_training_follows_backprop(backend, sample):
    (x, t), test = sample
    small = ((x[:40, :], t[:40]), test)
    net_a = xpnet.TwoLayerNet(784, 3, 10, xp=backend.xp, device=backend.device, seed=1)
    net_b = xpnet.TwoLayerNet(784, 3, 10, xp=backend.xp, device=backend.device, seed=1)
    a = xpnet.train(net_a, *small, iters_num=1, batch_size=4, seed=0, grad="backprop")
    b = xpnet.train(net_b, *small, iters_num=1, batch_size=4, seed=0, grad="numerical")
    for key in net_a.params:  # one SGD step with either gradient moves the weights alike
        assert_close(net_b.params[key], to_numpy(net_a.params[key]), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(b.train_loss, a.train_loss, rtol=1e-7)


def test_divergence_names_the_iteration_and_learning_rate(backend, sample):
    net = make_net(backend, dtype="float32")
    trainer = Trainer(net, *sample, batch_size=100, learning_rate=1e10, seed=0, log_every=5)
    with pytest.raises(DivergenceError, match=r"at iteration \d+ with learning_rate=1e\+10"):
        trainer.run(50)


@pytest.mark.filterwarnings("ignore::xpnet.train.TrainingWarning")
def test_divergence_can_be_ignored(backend, sample):
    net = make_net(backend, dtype="float32")
    history = xpnet.train(
        net, *sample, iters_num=12, learning_rate=1e10, seed=0, on_divergence="continue"
    )
    assert not all(math.isfinite(v) for v in history.train_loss)


def test_loss_stuck_above_chance_warns_once(backend, sample):
    net = make_net(backend, dtype="float32")
    with pytest.warns(TrainingWarning, match="learning_rate=1000"):
        xpnet.train(net, *sample, iters_num=40, batch_size=100, learning_rate=1000.0, seed=0)


def test_healthy_run_does_not_warn(sample):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xpnet.train(make_net(xpnet.get_backend("cpu")), *sample, iters_num=40, seed=0)


def test_ctrl_c_stops_between_steps_and_can_resume(sample):
    backend = xpnet.get_backend("cpu")
    trainer = Trainer(make_net(backend), *sample, batch_size=50, seed=2)

    def interrupt(record):
        if record.epoch == 2:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(TrainingInterrupted):
        trainer.run(100, callback=interrupt)
    assert trainer.iteration == 13  # the step that was running finished, no other began
    assert len(trainer.history.train_loss) == 13
    trainer.run(30)
    whole = Trainer(make_net(backend), *sample, batch_size=50, seed=2)
    whole.run(30)
    np.testing.assert_allclose(trainer.history.train_loss, whole.history.train_loss, rtol=1e-12)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda x, t: (x[:10], t), "x has 10 samples but t has 600"),
        (lambda x, t: (x[:, :100], t), "100 features per sample"),
        (lambda x, t: (x, t + 5), r"labels t must lie in 0..9 .* from 5 to 14"),
        (lambda x, t: (np.where(x > 0.5, np.nan, x), t), "NaN or infinity"),
        (lambda x, t: (x, t.astype(np.float32)), "labels t must be integers"),
        (lambda x, t: (x, np.zeros((600, 3))), r"one-hot of shape \(600, 10\)"),
        (lambda x, t: (x[:0], t[:0]), "N > 0"),
    ],
)
def test_bad_training_data_is_named(sample, change, message):
    (x, t), test = sample
    with pytest.raises((ValueError, TypeError), match=message):
        Trainer(make_net(xpnet.get_backend("cpu")), change(x, t), test)


def test_batch_size_larger_than_the_data_set(sample):
    with pytest.raises(ValueError, match="batch_size must be an integer from 1 to .* 600"):
        Trainer(make_net(xpnet.get_backend("cpu")), *sample, batch_size=1000)


@pytest.mark.parametrize("learning_rate", [-1, 0, float("nan"), float("inf")])
def test_a_learning_rate_that_is_not_positive_is_named_as_train_names_it(sample, learning_rate):
    fix = ": pass one such as the book's learning_rate=0.1"
    with pytest.raises(
        ValueError,
        match=rf"^learning_rate must be a finite number > 0; got {learning_rate!r}{fix}$",
    ):
        Trainer(make_net(xpnet.get_backend("cpu")), *sample, learning_rate=learning_rate)
    with pytest.raises(
        ValueError, match=rf"^learning_rate must be a finite number > 0; got -1{fix}$"
    ):
        xpnet.train(make_net(xpnet.get_backend("cpu")), *sample, learning_rate=-1, progress=False)


def test_a_learning_rates_fix_is_said_in_flags_on_the_command_line(sample):
    from xpnet.cli.words import for_the_command_line

    with pytest.raises(ValueError) as raised:
        Trainer(make_net(xpnet.get_backend("cpu")), *sample, learning_rate=float("inf"))
    assert for_the_command_line(raised.value) == (
        "--lr must be a finite number > 0; got inf: pass one such as the book's --lr 0.1"
    )


@pytest.mark.parametrize("learning_rate", ["0.1", True, None])
def test_a_learning_rate_that_is_no_number_is_a_type_error_naming_it(sample, learning_rate):
    with pytest.raises(
        TypeError,
        match=r"^learning_rate must be a finite number > 0; got .*"
        r": pass a number, such as the book's learning_rate=0.1$",
    ):
        Trainer(make_net(xpnet.get_backend("cpu")), *sample, learning_rate=learning_rate)


@pytest.mark.parametrize("lr", [float("inf"), float("nan"), 0, -1])
def test_sgd_refuses_a_learning_rate_that_is_not_finite_and_positive_with_the_fix(lr):
    with pytest.raises(
        ValueError,
        match=r"^SGD: lr must be a finite number > 0; got .*"
        r"; pass one such as the book's SGD\(lr=0\.01\)$",
    ):
        xpnet.SGD(lr=lr)


@pytest.mark.parametrize(
    ("keyword", "value", "error"),
    [
        ("seed", -1, ValueError),
        ("seed", 1.5, TypeError),
        ("seed", "0", TypeError),
        ("seed", True, TypeError),
        ("log_every", 0, ValueError),
        ("log_every", 2.5, TypeError),
        ("eval_chunk", -5, ValueError),  # was accepted: accuracies of 0.0 from no rows
        ("eval_chunk", 0, ValueError),
        ("eval_chunk", 1.5, TypeError),
    ],
)
def test_trainer_names_a_seed_log_every_or_eval_chunk_that_is_no_count(
    sample, keyword, value, error
):
    with pytest.raises(error, match=rf"^Trainer: {keyword} must be an? .*integer.*; got "):
        Trainer(make_net(xpnet.get_backend("cpu")), *sample, **{keyword: value})


def test_train_names_a_bad_seed_before_numpy_does(sample):
    with pytest.raises(ValueError, match=r"^Trainer: seed must be an integer >= 0; got -1"):
        xpnet.train(make_net(xpnet.get_backend("cpu")), *sample, seed=-1, progress=False)


@pytest.mark.parametrize("batch_size", [True, 1.5])
def test_a_batch_size_that_is_no_integer_is_named(sample, batch_size):
    with pytest.raises(ValueError, match=rf"^batch_size must be an integer .*; got {batch_size}"):
        Trainer(make_net(xpnet.get_backend("cpu")), *sample, batch_size=batch_size)


@pytest.mark.parametrize(
    ("iters_num", "error"),
    [(1.5, TypeError), (float("nan"), TypeError), (True, TypeError), ("10", TypeError)],
)
def test_iters_num_that_is_no_integer_is_named_before_any_step(sample, iters_num, error):
    net = make_net(xpnet.get_backend("cpu"))
    before = {name: to_numpy(value).copy() for name, value in net.params.items()}
    with pytest.raises(error, match=r"iters_num must be an integer >= 0; got "):
        xpnet.train(net, *sample, iters_num=iters_num, progress=False)
    for name, value in before.items():  # nan was taken as 0 steps, 1.5 failed in range()
        np.testing.assert_array_equal(to_numpy(net.params[name]), value)


def test_a_callback_that_cannot_be_called_is_named_before_any_step(sample):
    trainer = Trainer(make_net(xpnet.get_backend("cpu")), *sample)
    with pytest.raises(TypeError, match=r"^callback must be callable or None; got int 3"):
        trainer.run(5, callback=3)
    assert trainer.iteration == 0  # it failed at the first evaluation, after a step


def test_an_optimizer_without_update_is_named(sample):
    with pytest.raises(TypeError, match=r"^Trainer: optimizer must have lr and update"):
        Trainer(make_net(xpnet.get_backend("cpu")), *sample, optimizer=0.1)


def test_set_up_copies_device_data_to_the_host_once(backend, sample, monkeypatch):
    """The checks read values on the host: one copy of each device array, which the Trainer then
    moves to the net's device (a 60000x784 float32 x is 188 MB per copy)."""
    if backend.name == "numpy":
        pytest.skip("NumPy arrays are on the host already: there is no copy to count")
    import importlib

    (x, t), (x_test, t_test) = sample
    data = [backend.asarray(a) for a in (x, t, x_test, t_test)]
    net = make_net(backend)
    copies = {}

    def counting_to_numpy(a):
        if any(a is d for d in data):
            copies[id(a)] = copies.get(id(a), 0) + 1
        return to_numpy(a)

    # where to_numpy is looked up: Backend.asarray's module, validate, trainer (import_module:
    # xpnet.train is also the function train())
    for name in ("backends._backend", "validate", "training.trainer"):
        monkeypatch.setattr(importlib.import_module(f"xpnet.{name}"), "to_numpy", counting_to_numpy)
    trainer = Trainer(net, data[:2], data[2:], batch_size=50, seed=0)
    assert copies == {id(a): 1 for a in data}
    monkeypatch.undo()
    assert_close(trainer.x_train, x)
    assert_close(trainer.t_train, np.eye(10)[t])


# -- divergence and warnings, on the whole sample ------------------------------------------------


@pytest.mark.parametrize("log_every", [1, 50])
def test_divergence_names_the_first_non_finite_iteration(backend, sample_data, log_every):
    """lr=1e10 on the sample gives NaN by the 4th step; the error names that step, not the
    log point that found it, with the learning rate and what to do."""
    net = make_net(backend, hidden=50, dtype="float32")
    trainer = Trainer(net, *sample_data, learning_rate=1e10, seed=0, log_every=log_every)
    with pytest.raises(DivergenceError) as raised:
        trainer.run(200)
    error = raised.value
    assert 1 < error.iteration <= 4
    losses = error.history.train_loss
    assert all(math.isfinite(v) for v in losses[: error.iteration - 1])
    assert not math.isfinite(losses[error.iteration - 1])
    assert f"at iteration {error.iteration} with learning_rate=1e+10; try learning_rate=0.1" in str(
        error
    )
    assert "on_divergence='continue'" in str(error) and "--" not in str(error)  # Python words


def test_learning_rate_1000_stays_finite_at_chance_and_warns(backend, sample_data):
    net = make_net(backend, hidden=50, dtype="float32")
    with pytest.warns(TrainingWarning, match=r"learning_rate=1000: it is probably too large"):
        history = Trainer(net, *sample_data, learning_rate=1000.0, seed=0).run(41)  # 2 epochs
    assert all(math.isfinite(v) for v in history.train_loss)  # no DivergenceError: finite
    assert min(history.train_loss[1:]) > 2 * math.log(10)  # worse than guessing
    assert max(history.test_acc) < 0.2  # chance is 0.1


def test_healthy_run_never_warns_on_any_backend(backend, small):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = xpnet.train(make_net(backend), *small, iters_num=30, batch_size=50, seed=0)
    assert all(math.isfinite(v) for v in history.train_loss)


def test_no_extra_evaluation_when_the_last_step_was_evaluated(sample_data):
    net = xpnet.TwoLayerNet(784, 10, 10, seed=0)
    history = xpnet.train(net, *sample_data, iters_num=81, seed=0, progress=False)
    assert [r.iteration for r in history.epochs] == [1, 41, 81]


def test_python_train_shows_progress_in_a_terminal_and_can_be_silenced(sample_data, monkeypatch):
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for progress, shown in ((None, True), (False, False)):
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        net = xpnet.TwoLayerNet(784, 10, 10, seed=0)
        xpnet.train(net, *sample_data, iters_num=50, seed=0, progress=progress)
        assert ("it/s" in terminal.getvalue()) is shown


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_during_the_final_evaluation_is_not_swallowed(small, monkeypatch, signum):
    """A Ctrl-C or SIGTERM while the final model is evaluated (the loop's last work) raised
    nothing: the run went on to its plots and exited 0, as if no one had asked it to stop."""
    trainer = Trainer(make_net(get_backend("cpu")), *small, batch_size=50, seed=2)
    evaluate = trainer._evaluate

    def stopped_while_evaluating(seconds, *, final=False):
        if final:
            os.kill(os.getpid(), signum)
        return evaluate(seconds, final=final)

    monkeypatch.setattr(trainer, "_evaluate", stopped_while_evaluating)
    before = signal.getsignal(signum)
    with pytest.raises(TrainingInterrupted) as raised:
        trainer.run(9)  # 6 steps an epoch: the final model's evaluation after step 9
    assert raised.value.signal == signum
    assert trainer.iteration == 9 and trainer.history.epochs[-1].final  # its state is whole
    assert signal.getsignal(signum) == before  # the run's own handlers are gone


# -- a second Ctrl-C ------------------------------------------------------------------------------


@pytest.mark.parametrize("presses", [1, 2])
def test_a_second_ctrl_c_stops_the_step_at_once(small, monkeypatch, presses, sigint_before):
    """One Ctrl-C during step 5 lets that step finish, then TrainingInterrupted; a second one
    during the same step raises KeyboardInterrupt there and then: the step never ends, even
    where SIGINT was ignored before training began."""
    seen = []
    monkeypatch.setattr(
        xpnet.TwoLayerNet, "_loss_and_gradient", pressing_ctrl_c_in_step(5, presses, seen)
    )
    trainer = Trainer(make_net(get_backend("cpu")), *small, batch_size=50, seed=2)
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt) as raised:
        trainer.run(100)
    assert seen[-1] == "after press 1"  # the first press alone never stops a step mid-way
    if presses == 1:
        assert raised.type is TrainingInterrupted
        assert trainer.iteration == 5  # step 5 finished, no other began
    else:
        assert raised.type is KeyboardInterrupt  # the base class, not TrainingInterrupted
        assert trainer.iteration == 4  # step 5 was cut short
    assert signal.getsignal(signal.SIGINT) is before is sigint_before  # the trainer's is gone
