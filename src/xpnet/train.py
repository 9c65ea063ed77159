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

    Evaluates train and test accuracy every epoch (train_size / batch_size iterations), starting
    after step 1, and the final model; ``history.test_acc[-1]`` is the final model's.

    Parameters
    ----------
    net : TwoLayerNet
        The network, trained in place (or any net with the book's interface, see
        :class:`Trainer`).
    train_data, test_data : tuple of (x, t)
        Host arrays as load_mnist returns them: x (N, ...) floating-point (raw integer pixels
        are refused with the fix, ``normalize=True``), t labels (N,) or one-hot (N, C).
    iters_num : int, default 10000
        Steps in all, the book's ``iters_num``.
    batch_size : int, default 100
        Rows of each mini-batch, drawn with replacement.
    learning_rate : float, default 0.1
        SGD's step size, a finite number > 0.
    grad : {"backprop", "numerical"}, default "backprop"
        How each step's gradient is computed (numerical: the book's slow way).
    seed : int or None, default None
        Seeds the batch order (the same seed gives the same run on every backend).
    on_divergence : {"stop", "continue"}, default "stop"
        "stop" raises DivergenceError at the first log point after a non-finite loss.
    callback : callable or None, default None
        Called with each evaluation's :class:`~xpnet.history.EpochRecord` as it is made;
        ``callback=print`` prints one line per epoch (in a notebook, the record a saved notebook
        keeps), the final model's as ``final``.
    progress : bool or None, default None
        A tqdm bar; None shows it in a terminal or a notebook (as Keras's fit does; in a
        notebook it stays when the run ends); False silences it.
    threads : int or None, default None
        BLAS/OpenMP/PyTorch threads while training (:func:`xpnet.threads.use_threads`); None is
        xpnet's default, 1, except for the libraries that read an OPENBLAS_NUM_THREADS,
        OMP_NUM_THREADS or MKL_NUM_THREADS the environment sets.
    step : str, default "auto"
        "auto", "eager" or a fast path's name, as for :class:`Trainer`.
    **unexpected
        Any other keyword is refused with the name to pass (``lr=0.1``: pass
        ``learning_rate=0.1``).

    Returns
    -------
    History
        Every step's loss and every evaluation.

    Raises
    ------
    TypeError
        An unexpected keyword, or an argument of the wrong kind (named).
    ValueError
        Unusable data, batch_size or learning_rate (named, with the fix).
    DivergenceError
        A non-finite loss, with ``on_divergence="stop"``.
    TrainingInterrupted
        Ctrl-C or SIGTERM: the run stopped at the end of a step.
    FastPathUnavailable
        A fast path named by step that cannot be built here.

    Examples
    --------
    >>> import xpnet
    >>> (x, t), (x_test, t_test) = xpnet.load_mnist_sample()
    >>> net = xpnet.TwoLayerNet(784, 10, 10, seed=0)
    >>> history = xpnet.train(net, (x[:200], t[:200]), (x_test[:100], t_test[:100]),
    ...                       iters_num=3, batch_size=100, learning_rate=0.1, seed=0,
    ...                       progress=False)
    >>> len(history.train_loss), [record.iteration for record in history.epochs]
    (3, [1, 3])
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
