"""What a training run records: every step's loss and every epoch's evaluation, as Python floats.

A History also turns into host arrays and back, so that a checkpoint can hold it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["EpochRecord", "History"]


@dataclass
class EpochRecord:
    """One evaluation: after ``iteration`` steps, the book's per-epoch line."""

    epoch: int
    iteration: int
    loss: float  # mean training loss of the steps since the previous evaluation
    train_acc: float
    test_acc: float
    seconds: float  # wall time since the previous evaluation


@dataclass
class History:
    """What a run recorded, as Python floats: every step's loss and every epoch's accuracies."""

    train_loss: list[float] = field(default_factory=list)
    epochs: list[EpochRecord] = field(default_factory=list)

    @property
    def train_acc(self) -> list[float]:
        return [record.train_acc for record in self.epochs]

    @property
    def test_acc(self) -> list[float]:
        return [record.test_acc for record in self.epochs]

    def arrays(self) -> dict[str, np.ndarray]:
        """Host arrays for a checkpoint: ``train_loss`` and one ``epochs`` table."""
        table = [  # not dataclasses.asdict: its deep copies slowed each checkpoint of a long run
            [r.epoch, r.iteration, r.loss, r.train_acc, r.test_acc, r.seconds] for r in self.epochs
        ]
        return {
            "train_loss": np.asarray(self.train_loss, dtype=np.float64),
            "epochs": np.asarray(table, dtype=np.float64).reshape(-1, 6),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> History:
        epochs = [
            EpochRecord(int(e), int(i), float(lo), float(a), float(b), float(s))
            for e, i, lo, a, b, s in arrays["epochs"].tolist()
        ]
        return cls(train_loss=arrays["train_loss"].tolist(), epochs=epochs)
