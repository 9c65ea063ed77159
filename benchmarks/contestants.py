"""xpnet as a contestant, the data every contestant trains on, and how a contestant is timed.

Read it top down: the Trainer's step under the names of the new layout (the one shim for
today's Trainer is here, and only here); ``load_data`` and ``initial_weights`` (every contestant
starts from xpnet's seeded weights); ``Xpnet``, with the methods textbook.py describes;
``time_steps`` and ``time_full_run``, workloads 2 and 1 for any contestant;
``same_batches_check``, the book's network on xpnet's batches; ``profile_step``, cProfile of
xpnet's step.
"""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path

import numpy as np

import xpnet
from xpnet.backends import device_name, host_rng, synchronize, to_numpy

from . import measure, textbook
from .gpu import gpu_pool

STEP_ITERS = 599  # steps 1..599 of a run: the steps before the next evaluation (i = 600)

# -- the Trainer's step, as plan/LAYOUT.md names it ----------------------------------------------
# Trainer(..., step="auto"|"eager"|<a fast path's name>), trainer.step(i) (the eager reference
# step), trainer.run_steps(i0, i1) (steps inside one epoch as one call) and trainer.step_path.


def new_trainer(net, train_data, test_data, *, step: str = "auto", **options) -> xpnet.Trainer:
    """xpnet.Trainer(net, train_data, test_data, step=step, **options)."""
    return xpnet.Trainer(net, train_data, test_data, step=step, **options)


def step_path(trainer) -> str:
    """The name of the step the trainer runs ("eager", "jax-scan", ...)."""
    return trainer.step_path


def run_steps(trainer, start: int, stop: int) -> None:
    """Steps start..stop-1 as Trainer.run makes them: one trainer.run_steps call from one log
    point to the next (every log_every steps, and each epoch's end), so that a fast path runs
    the calls training runs (jax-scan: programs of 49 and 50 steps for the book's run)."""
    per_epoch, every = trainer.iters_per_epoch, trainer.log_every
    while start < stop:
        end = min(stop, (start // per_epoch + 1) * per_epoch, (start // every + 1) * every)
        trainer.run_steps(start, end)
        start = end


# -- data and weights -----------------------------------------------------------------------------


def load_data(source: str = "sample"):
    """((x_train, t_train), (x_test, t_test)) of MNIST's sizes, host float32 images, int64 labels,
    and a sentence saying where they come from."""
    if source == "mnist":
        (x_train, t_train), (x_test, t_test) = xpnet.load_mnist(download=False)
        return ((x_train, t_train), (x_test, t_test)), "MNIST (60000 train / 10000 test)"
    (x_train, t_train), (x_test, t_test) = xpnet.load_mnist_sample()
    data = (
        (np.tile(x_train, (15, 1)), np.tile(t_train, 15)),
        (np.tile(x_test, (10, 1)), np.tile(t_test, 10)),
    )
    text = "bundled 5000-digit sample (4000 train / 1000 test) tiled to 60000 / 10000"
    return data, text


def initial_weights(seed: int, sizes: tuple = textbook.SIZES) -> dict[str, np.ndarray]:
    """xpnet's seeded initial weights, float64 on the host: every contestant starts from them."""
    net = xpnet.TwoLayerNet(*sizes, seed=seed)
    return {key: to_numpy(value) for key, value in net.params.items()}


# -- xpnet ----------------------------------------------------------------------------------------


class Xpnet:
    """xpnet's TwoLayerNet and Trainer with the book's settings, as `xpnet.train` runs them.
    step: the Trainer's step= ("auto": what a user gets); sizes and batch_size: the book's
    unless given (suite gpu's size sweep)."""

    def __init__(
        self,
        data,
        backend,
        dtype: str = "float32",
        *,
        step: str = "auto",
        sizes: tuple = textbook.SIZES,
        batch_size: int = textbook.BATCH_SIZE,
    ) -> None:
        self.data, self.backend, self.dtype, self.step = data, backend, dtype, step
        self.sizes, self.batch_size = sizes, batch_size
        self.name = f"xpnet {backend.name} {dtype}" + ("" if step == "auto" else f" ({step})")
        self.device = device_name(backend)
        self.memory: dict = {}

    def fresh(self, init, seed) -> None:  # init: the same weights, drawn by xpnet from seed
        backend = self.backend
        net = xpnet.TwoLayerNet(
            *self.sizes, xp=backend.xp, device=backend.device, dtype=self.dtype, seed=seed
        )
        train_data, test_data = self.data
        self.trainer = new_trainer(
            net,
            train_data,
            test_data,
            step=self.step,
            batch_size=self.batch_size,
            learning_rate=textbook.LEARNING_RATE,
            seed=seed,
        )

    def train(self, iters_num: int, *, evaluate: bool = True) -> dict:
        """The book's loop, as xpnet.train runs it (Trainer.run). evaluate=False: the steps
        alone (run_steps), for timing: Trainer.run would evaluate the model it ends with, and
        the trainer is not advanced (a fresh() follows)."""
        trainer = self.trainer
        start, stop = trainer.iteration, trainer.iteration + iters_num
        if not evaluate:
            if any(i % trainer.iters_per_epoch == 0 for i in range(start, stop)):
                raise ValueError(f"steps {start}..{stop - 1} include an evaluation step")
            with self.backend.activate():
                run_steps(trainer, start, stop)
            return {}
        if iters_num >= 100:  # RSS after 1000 steps and at the end: no growth?
            mark = start + min(1000, iters_num // 10)
            trainer.run(mark)
            self.synchronize()
            rss_mark, pool_mark = measure.rss_bytes(), gpu_pool(self.backend)
            trainer.run(stop)
            self.synchronize()
            rss_end = measure.rss_bytes()
            self.memory = {
                "steps": [mark, stop],
                "rss": [rss_mark, rss_end],
                "growth": None if rss_end is None else rss_end - rss_mark,
                "gpu_pool": [pool_mark, gpu_pool(self.backend)],
            }
        else:
            trainer.run(stop)
        return self.last_evaluation()

    def last_evaluation(self) -> dict:
        epochs = self.trainer.history.epochs
        if not epochs:
            return {}
        record = epochs[-1]
        return {"train_acc": record.train_acc, "test_acc": record.test_acc, "loss": record.loss}

    def first_losses(self, n: int = 100) -> list[float]:
        return self.trainer.history.train_loss[:n]

    def synchronize(self) -> None:
        """Wait until the device has made every step queued. JAX has no device-wide barrier:
        wait for the arrays the last step wrote (the parameters and the loss buffer)."""
        trainer = getattr(self, "trainer", None)
        if self.backend.name == "jax" and trainer is not None:
            for value in (*trainer.net.params.values(), trainer._losses):
                synchronize(value)
            return
        self.backend.synchronize()


def describe(contestants: dict) -> dict:
    """What the JSON says of each contestant: label, dtype, device (and xpnet's step path)."""
    info = {}
    for name, c in contestants.items():
        info[name] = {"label": c.name, "dtype": c.dtype, "device": c.device}
        if getattr(c, "trainer", None) is not None:
            info[name]["step_path"] = step_path(c.trainer)
    return info


# -- the workloads, one contestant at a time ------------------------------------------------------


def time_steps(contestant, init, seed: int, steps: int = STEP_ITERS) -> float:
    """Seconds per step of steps 1..steps of a fresh run (step 0 and its evaluation untimed)."""
    contestant.fresh(init, seed)
    contestant.train(1)
    seconds, _ = measure.timed(
        lambda: contestant.train(steps, evaluate=False), contestant.synchronize
    )
    return seconds / steps


def time_full_run(contestant, init, seed: int, iters: int) -> dict:
    """The book's run of iters steps from set-up on, with its evaluations: seconds (set-up
    included), the last evaluation, peak RSS above the start, and xpnet's memory marks."""
    measure.reset_peak_rss()
    rss_before = measure.rss_bytes()
    setup, _ = measure.timed(lambda: contestant.fresh(init, seed), contestant.synchronize)
    loop, evaluation = measure.timed(lambda: contestant.train(iters), contestant.synchronize)
    peak = measure.peak_rss_bytes()
    return {
        "seed": seed,
        "seconds": setup + loop,
        "setup_s": setup,
        **evaluation,
        "peak_rss_above_start": None if rss_before is None else peak - rss_before,
        "memory": getattr(contestant, "memory", None) or None,
        "first_losses": contestant.first_losses() if isinstance(contestant, Xpnet) else None,
    }


def same_batches_check(data, init, seed: int, iters: int, xpnet_run: dict) -> dict:
    """Accuracy with the same seed: the book's network and loop (float64) trained on the very
    batches xpnet's Trainer draws for this seed, evaluated where xpnet last evaluated.

    The Trainer draws each epoch's batch indices at once, rng.integers(0, train_size,
    (iters_per_epoch, batch_size)), from xpnet's host generator (train.py); this replays that.
    The replay is verified: the losses of the first 100 steps must match xpnet's to ~1e-5
    (float32 against float64), where other batches would differ by ~0.1.
    """
    (x_train, t_train), (x_test, t_test) = data
    T_train, T_test = textbook.one_hot(t_train), textbook.one_hot(t_test)
    network = textbook.TwoLayerNet(*textbook.SIZES, init=init)
    train_size, batch_size = x_train.shape[0], textbook.BATCH_SIZE
    per_epoch = max(train_size // batch_size, 1)
    rng = host_rng(seed)
    last_evaluation = (iters - 1) // per_epoch * per_epoch
    losses = []
    for i in range(last_evaluation + 1):
        if i % per_epoch == 0:
            draws = rng.integers(0, train_size, size=(per_epoch, batch_size))
        batch_mask = draws[i % per_epoch]
        grad = network.gradient(x_train[batch_mask], T_train[batch_mask])
        losses.append(float(network.lastLayer.loss))  # the loss of the gradient's forward
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= textbook.LEARNING_RATE * grad[key]
    theirs = xpnet_run.get("first_losses") or []
    return {
        "seed": seed,
        "xpnet_train_acc": xpnet_run.get("train_acc"),
        "xpnet_test_acc": xpnet_run.get("test_acc"),
        "textbook_train_acc": float(network.accuracy(x_train, T_train)),
        "textbook_test_acc": float(network.accuracy(x_test, T_test)),
        "loss_max_diff": max(
            (abs(a - b) for a, b in zip(theirs, losses, strict=False)), default=None
        ),
    }


def profile_step(contestant: Xpnet, init, seed: int, steps: int, top: int = 15) -> dict:
    """cProfile over `steps` steps of xpnet's Trainer: the top functions by own time, per step."""
    contestant.fresh(init, seed)
    contestant.train(1)
    profiler = cProfile.Profile()
    profiler.enable()
    contestant.train(steps, evaluate=False)
    contestant.synchronize()
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():
        rows.append(
            {
                "function": f"{_short_path(filename)}:{line}({function})",
                "calls_per_step": calls / steps,
                "own_us_per_step": own / steps * 1e6,
                "cumulative_us_per_step": cumulative / steps * 1e6,
            }
        )
    rows.sort(key=lambda row: row["own_us_per_step"], reverse=True)
    return {"steps": steps, "total_us_per_step": stats.total_tt / steps * 1e6, "top": rows[:top]}


def _short_path(filename: str) -> str:
    for marker in ("site-packages/", "src/", "lib/python"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return Path(filename).name if "/" in filename else filename
