"""Every fast path (and each CPU stand-in) against the eager reference step on its backend:
600 steps equal within 1e-12 in float64, a run resumed mid-epoch equal to one never stopped,
and Ctrl-C/SIGTERM, divergence, the progress bar and the evaluation schedule as the eager
step has them."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from fast.conftest import make
from xpnet.backends import to_numpy
from xpnet.checkpoint import load_checkpoint, load_params, save_checkpoint
from xpnet.train import DivergenceError, History, TrainingInterrupted


def params_of(trainer) -> dict:
    return {key: to_numpy(value) for key, value in trainer.net.params.items()}


def assert_same_run(fast, eager, *, tolerance=1e-12) -> None:
    """Equal within tolerance: every step's loss (relative), the parameters (absolute); the
    evaluations at the same iterations with the same accuracies."""
    assert len(fast.history.train_loss) == len(eager.history.train_loss) == eager.iteration
    np.testing.assert_allclose(
        fast.history.train_loss, eager.history.train_loss, rtol=tolerance, atol=0
    )
    want = params_of(eager)
    for key, value in params_of(fast).items():
        np.testing.assert_allclose(value, want[key], rtol=0, atol=tolerance, err_msg=key)
    assert [r.iteration for r in fast.history.epochs] == [r.iteration for r in eager.history.epochs]
    assert fast.history.test_acc == eager.history.test_acc
    assert fast.history.train_acc == eager.history.train_acc


@pytest.mark.parametrize(("activation", "steps"), [("relu", 600), ("sigmoid", 120)])
def test_fast_path_equals_the_reference_step(case, sample, activation, steps):
    fast = make(case, sample, activation=activation)
    eager = make(case, sample, activation=activation, step_of="eager")
    assert fast._fast is not None and fast.step_path not in ("auto", "eager")
    assert eager.step_path == "eager" and eager._fast is None
    fast.run(steps)
    eager.run(steps)
    assert_same_run(fast, eager)


def test_a_new_learning_rate_takes_effect_at_once(case, sample):
    """Neither a compiled nor a captured step keeps the learning rate it was built with."""
    fast, eager = make(case, sample), make(case, sample, step_of="eager")
    for trainer in (fast, eager):
        trainer.run(40)
        trainer.optimizer.lr = 0.05
        trainer.run(70)
    assert_same_run(fast, eager)


def test_resumed_mid_epoch_equals_a_run_never_stopped(case, sample, tmp_path):
    whole = make(case, sample)
    whole.run(300)
    first = make(case, sample)
    first.run(157)  # 15 steps an epoch: mid-epoch, and off the log points of every 50
    path = save_checkpoint(
        tmp_path / "c.npz", first.net, state=first.state_dict(), arrays=first.history.arrays()
    )
    checkpoint = load_checkpoint(path)
    second = make(case, sample, seed=99)  # other weights: the checkpoint replaces them
    load_params(second.net, checkpoint)  # new arrays in the net's dict: a graph recaptures
    second.load_state_dict(checkpoint.state, History.from_arrays(checkpoint.arrays))
    second.run(300)
    assert_same_run(second, whole)


@pytest.mark.parametrize("first", ["fast", "eager"])
def test_a_run_resumed_on_the_other_step_equals_one_never_stopped(case, sample, tmp_path, first):
    """A step changes speed, not results (--step's help): stopped mid-epoch on the fast path
    and resumed on the eager step, or the reverse, the run equals one never stopped."""
    whole = make(case, sample)
    whole.run(300)
    steps = {"fast": None, "eager": "eager"}
    second_step = "eager" if first == "fast" else "fast"
    before = make(case, sample, step_of=steps[first])
    before.run(157)
    path = save_checkpoint(
        tmp_path / "c.npz", before.net, state=before.state_dict(), arrays=before.history.arrays()
    )
    checkpoint = load_checkpoint(path)
    after = make(case, sample, seed=99, step_of=steps[second_step])
    assert (after._fast is None) == (second_step == "eager")
    load_params(after.net, checkpoint)
    after.load_state_dict(checkpoint.state, History.from_arrays(checkpoint.arrays))
    after.run(300)
    assert_same_run(after, whole)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_ends_the_run_at_a_step_and_it_resumes_equal(case, sample, signum):
    """The signal comes while the path runs steps 16..49; the run stops at the end of a step
    (the graph paths at the end of the first, jax-scan at the end of its call), with every
    loss up to there flushed; continued, it equals a run never stopped."""
    whole = make(case, sample)
    whole.run(80)
    trainer = make(case, sample)
    trainer.run(16)
    real = trainer._fast.run if trainer._fast is not None else None
    assert real is not None

    def run_with_a_signal(i0, i1):
        os.kill(os.getpid(), signum)  # the handler runs at once: the stop flag is set
        return real(i0, i1)

    trainer._fast.run = run_with_a_signal
    with pytest.raises(TrainingInterrupted) as raised:
        trainer.run(80)
    assert raised.value.signal == signum
    assert 16 < trainer.iteration <= 50
    assert len(trainer.history.train_loss) == trainer.iteration
    trainer._fast.run = real
    trainer.run(80)
    assert_same_run(trainer, whole)


def test_divergence_is_caught_where_the_eager_step_catches_it(case, sample):
    kwargs = dict(dtype="float32", learning_rate=1e10, log_every=5)
    caught = []
    for trainer in (make(case, sample, **kwargs), make(case, sample, step_of="eager", **kwargs)):
        with pytest.raises(DivergenceError) as raised:
            trainer.run(100)
        caught.append((raised.value.iteration, str(raised.value), trainer.iteration))
    assert caught[0] == caught[1]


def test_progress_bar_and_evaluations_follow_the_eager_step(case, sample, monkeypatch):
    """The bar ends at the same count with the same loss shown; the callback sees the same
    evaluations (the book's after steps 1, 16, 31, ..., and the final model)."""
    import importlib

    train_module = importlib.import_module("xpnet.training.trainer")  # where Trainer.run looks
    shown = {}

    # what Trainer.run asks of its progress bar (xpnet.training.trainer.progress_bar), recorded
    class Bar:
        def __init__(self, *, total, initial, **options):
            self.total, self.n, self.postfixes = total, initial, []
            shown[len(shown)] = self

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, n):
            self.n += n

        def set_postfix(self, refresh=True, **values):
            self.postfixes.append(values)

    monkeypatch.setattr(train_module, "progress_bar", Bar)
    records = {}
    for name, trainer in (
        ("fast", make(case, sample)),
        ("eager", make(case, sample, step_of="eager")),
    ):
        seen = []
        trainer.run(107, callback=lambda r, seen=seen: seen.append((r.epoch, r.iteration)))
        records[name] = seen, shown[len(shown) - 1]
    (fast, fast_bar), (eager, eager_bar) = records["fast"], records["eager"]
    assert fast == eager and [i for _, i in eager] == [*range(1, 107, 15), 107]
    assert fast_bar.n == eager_bar.n == 107
    assert fast_bar.postfixes == eager_bar.postfixes and eager_bar.postfixes
