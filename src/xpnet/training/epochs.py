"""The book's evaluation after an epoch's first step: the mean training loss since the
previous evaluation and the accuracy on the whole training and test sets, as one
:class:`~xpnet.history.EpochRecord` appended to the History. The accuracy is evaluated in
chunks of rows, so the memory it takes stays bounded however large the set.
"""

from __future__ import annotations

import numpy as np

from ..backends import Array
from ..history import EpochRecord, History

__all__ = ["accuracy", "record_epoch"]


def accuracy(net, x: Array, t: Array, chunk: int) -> float:
    """net's accuracy over the whole set (x, t), ``chunk`` rows at a time."""
    n, correct = int(x.shape[0]), 0.0
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        correct += net.accuracy(x[start:stop, ...], t[start:stop, ...]) * (stop - start)
    return correct / n


def record_epoch(
    history: History,
    iteration: int,
    *,
    train_acc: float,
    test_acc: float,
    seconds: float,
    final: bool = False,
) -> EpochRecord:
    """Append the evaluation of the model after ``iteration`` steps to history and return it;
    its loss is the mean of the losses recorded since the previous evaluation. final: the
    evaluation of the final model, off the book's schedule (it prints as ``final``)."""
    previous = history.epochs[-1].iteration if history.epochs else 0
    record = EpochRecord(
        epoch=len(history.epochs) + 1,
        iteration=iteration,
        loss=float(np.mean(history.train_loss[previous:iteration])),
        train_acc=train_acc,
        test_acc=test_acc,
        seconds=seconds,
        final=final,
    )
    history.epochs.append(record)
    return record
