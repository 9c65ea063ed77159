"""Training, the book's way: :func:`train` in one call, and the names a training script
imports (from here or from ``xpnet``).

:func:`train` makes a :class:`~xpnet.training.trainer.Trainer` (the mini-batch SGD loop,
resumable) and runs it; a run's record is a :class:`~xpnet.history.History` of
:class:`~xpnet.history.EpochRecord`; it stops with :class:`DivergenceError`
(:mod:`xpnet.training.divergence`) or :class:`TrainingInterrupted`
(:mod:`xpnet.training.stopsignals`). The loop's parts are the modules of :mod:`xpnet.training`.
"""

from __future__ import annotations

from typing import Any

from .arguments import check_keywords
from .history import EpochRecord, History
from .threads import use_threads
from .training.divergence import DivergenceError
from .training.divergence import TrainingWarning as TrainingWarning  # xpnet.train.TrainingWarning
from .training.stopsignals import TrainingInterrupted
from .training.trainer import Trainer

__all__ = ["DivergenceError", "EpochRecord", "History", "Trainer", "TrainingInterrupted", "train"]


def train(
    net,
    train_data,
    test_data,
    *,
    iters_num: int = 10_000,
    batch_size: int = 100,
    learning_rate: float = 0.1,
    grad: str = "backprop",
    seed: int | None = None,
    on_divergence: str = "stop",
    callback=None,
    progress: bool | None = None,
    threads: int | None = None,
    step: str = "auto",
    **unexpected: Any,
) -> History:
    """Train net by mini-batch SGD, the book's way; returns the History.

    train_data, test_data: (x, t) host arrays as load_mnist returns them (x floating-point: raw
    integer pixels are refused with the fix, normalize=True). Evaluates train and test accuracy
    every epoch (train_size / batch_size iterations), starting after step 1, and the final model;
    ``history.test_acc[-1]`` is the final model's. callback: called with each evaluation's
    EpochRecord as it is made; ``callback=print`` prints one line per epoch (in a notebook, the
    record a saved notebook keeps). progress: a tqdm bar, shown by default in a terminal or a
    notebook (as Keras's fit does; in a notebook it stays when the run ends); False silences it.
    threads: BLAS/OpenMP/PyTorch threads while training (xpnet.threads.use_threads); None is
    xpnet's default, 1, unless OPENBLAS_NUM_THREADS, OMP_NUM_THREADS or MKL_NUM_THREADS is set.
    step: "auto", "eager" or a fast path's name, as for Trainer.
    """
    check_keywords("train", unexpected, train)  # lr=0.1 -> "pass learning_rate=0.1"
    with use_threads(threads):
        trainer = Trainer(
            net,
            train_data,
            test_data,
            batch_size=batch_size,
            learning_rate=learning_rate,
            grad=grad,
            seed=seed,
            on_divergence=on_divergence,
            step=step,
        )
        return trainer.run(iters_num, callback=callback, progress=progress)
