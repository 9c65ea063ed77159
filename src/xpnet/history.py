"""What a training run records: every step's loss and every epoch's evaluation, as Python floats.

A History also turns into host arrays and back, so that a checkpoint can hold it. Its repr is
one short line (a notebook shows it whole), and an EpochRecord prints as the CLI's epoch row,
so ``xpnet.train(..., callback=print)`` prints one line per evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["EpochRecord", "History"]


@dataclass
class EpochRecord:
    """One evaluation: after ``iteration`` steps, the book's per-epoch line.

    Parameters
    ----------
    epoch : int
        1 for the evaluation after the first step, then one more each epoch.
    iteration : int
        Steps made when the network was evaluated.
    loss : float
        Mean training loss of the steps since the previous evaluation.
    train_acc, test_acc : float
        Accuracy on the whole training and test set, in [0, 1].
    seconds : float
        Wall-clock time since the previous evaluation (training and evaluating).
    final : bool, default False
        True for the evaluation of the final model, made off the book's schedule when the last
        step was not an epoch's first; it prints as ``final``, as the CLI's row does. Not kept
        in :meth:`History.arrays` and not compared (a checkpoint's schedule says it).

    Examples
    --------
    >>> print(EpochRecord(3, 81, 1.9078, 0.6532, 0.627, 0.041))
    epoch 3 (iteration 81): loss 1.908, train acc 0.6532, test acc 0.6270, 0.04 s
    >>> print(EpochRecord(4, 100, 1.5, 0.7, 0.68, 0.03, final=True))
    final (iteration 100): loss 1.500, train acc 0.7000, test acc 0.6800, 0.03 s
    """

    epoch: int
    iteration: int
    loss: float  # mean training loss of the steps since the previous evaluation
    train_acc: float
    test_acc: float
    seconds: float  # wall time since the previous evaluation
    final: bool = field(default=False, compare=False)  # the final model, off the schedule

    def __str__(self) -> str:
        label = "final" if self.final else f"epoch {self.epoch}"
        return (
            f"{label} (iteration {self.iteration}): loss {self.loss:.3f}, "
            f"train acc {self.train_acc:.4f}, test acc {self.test_acc:.4f}, {self.seconds:.2f} s"
        )


@dataclass(repr=False)
class History:
    """What a run recorded, as Python floats: every step's loss and every epoch's accuracies.

    Parameters
    ----------
    train_loss : list of float
        The loss of every step, in order (``len(train_loss)`` is the number of steps).
    epochs : list of EpochRecord
        Every evaluation: after step 1, after each further epoch, and of the final model.

    Attributes
    ----------
    train_acc, test_acc : list of float
        The accuracies of ``epochs``, in order; ``test_acc[-1]`` is the final model's.

    Examples
    --------
    >>> history = History([2.3, 1.9, 1.2], [EpochRecord(1, 1, 2.3, 0.1, 0.1, 0.01),
    ...                                     EpochRecord(2, 3, 1.55, 0.62, 0.6, 0.02)])
    >>> history
    History(3 steps, 2 evaluations; last: loss 1.550, train acc 0.6200, test acc 0.6000)
    >>> history.test_acc
    [0.1, 0.6]
    """

    train_loss: list[float] = field(default_factory=list)
    epochs: list[EpochRecord] = field(default_factory=list)

    @property
    def train_acc(self) -> list[float]:
        """The training accuracy of each evaluation, in order."""
        return [record.train_acc for record in self.epochs]

    @property
    def test_acc(self) -> list[float]:
        """The test accuracy of each evaluation, in order; ``[-1]`` is the final model's."""
        return [record.test_acc for record in self.epochs]

    def __repr__(self) -> str:
        """One line, however long the run: a notebook shows it whole (not 60,000 losses)."""
        text = f"History({len(self.train_loss)} steps, {len(self.epochs)} evaluations"
        if not self.epochs:
            return text + ")"
        last = self.epochs[-1]
        return (
            f"{text}; last: loss {last.loss:.3f}, train acc {last.train_acc:.4f}, "
            f"test acc {last.test_acc:.4f})"
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """Host arrays for a checkpoint.

        Returns
        -------
        dict of str to ndarray
            ``train_loss`` (steps,) and ``epochs`` (evaluations, 6): epoch, iteration, loss,
            train_acc, test_acc, seconds.
        """
        table = [  # not dataclasses.asdict: its deep copies slowed each checkpoint of a long run
            [r.epoch, r.iteration, r.loss, r.train_acc, r.test_acc, r.seconds] for r in self.epochs
        ]
        return {
            "train_loss": np.asarray(self.train_loss, dtype=np.float64),
            "epochs": np.asarray(table, dtype=np.float64).reshape(-1, 6),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> History:
        """The History that ``arrays()`` wrote.

        Parameters
        ----------
        arrays : dict of str to ndarray
            ``train_loss`` and ``epochs``, as arrays() returns them.

        Returns
        -------
        History

        Examples
        --------
        >>> history = History([2.3, 1.9], [EpochRecord(1, 1, 2.3, 0.1, 0.1, 0.01)])
        >>> History.from_arrays(history.arrays()) == history
        True
        """
        epochs = [
            EpochRecord(int(e), int(i), float(lo), float(a), float(b), float(s))
            for e, i, lo, a, b, s in arrays["epochs"].tolist()
        ]
        return cls(train_loss=arrays["train_loss"].tolist(), epochs=epochs)
