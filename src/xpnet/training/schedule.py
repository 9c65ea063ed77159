"""The schedule of a training run, by iteration: which rows each step reads, and where the
loop stops to look.

:class:`Batches` draws the batch indices on the host with replacement, one epoch's
(iters_per_epoch, batch_size) at a time, and moves them to the device in one transfer; step i's
batch is row ``i % iters_per_epoch`` of its epoch's draws. Its :meth:`Batches.state` is the host
RNG's state at the start of the epoch under way, so a resumed run draws the same batches.
:func:`next_stop` is the next iteration where the loop must look: an evaluation (after the first
step of each epoch, as the book evaluates), a log point, or the run's end.
"""

from __future__ import annotations

import copy

from ..backends import Array, host_rng

__all__ = ["Batches", "next_stop"]


class Batches:
    """The batch indices of every step: rows of the training set, drawn one epoch at a time.

    backend: where the indices go (the net's Backend). train_size: rows to draw from.
    seed: the host RNG's seed (None: fresh entropy).
    """

    def __init__(self, backend, train_size: int, batch_size: int, iters_per_epoch: int, seed):
        self.backend, self.train_size, self.batch_size = backend, train_size, batch_size
        self.iters_per_epoch = iters_per_epoch
        self.rng = host_rng(seed)
        self._draws = self._draws_state = None  # the current epoch's indices, on device
        self._epoch = -1

    def epoch(self, i: int) -> tuple[Array, int]:
        """(batches, j): the batch indices of step i's epoch, (iters_per_epoch, batch_size) on
        the device, drawn when the epoch begins; step i's batch is row j of them."""
        k, j = divmod(i, self.iters_per_epoch)
        if k != self._epoch:
            self._draws_state = copy.deepcopy(self.rng.bit_generator.state)
            draws = self.rng.integers(
                0, self.train_size, size=(self.iters_per_epoch, self.batch_size)
            )
            self._draws, self._epoch = self.backend.asarray(draws), k
        return self._draws, j

    def state(self, iteration: int) -> dict:
        """The host RNG's state that draws the batches from step ``iteration`` on (JSON-able)."""
        in_epoch = iteration // self.iters_per_epoch == self._epoch
        return self._draws_state if in_epoch else self.rng.bit_generator.state

    def load(self, state: dict) -> None:
        """Continue from a :meth:`state`: the next epoch's draws come from it."""
        self.rng.bit_generator.state = state
        self._epoch = -1


def next_stop(i: int, iters_num: int, iters_per_epoch: int, log_every: int) -> int:
    """The iteration after step i where the loop must look: an evaluation (after the first
    step of an epoch), a log point (every log_every steps, and each epoch's end), or the
    run's end; the steps up to it lie inside one epoch."""
    E, every = iters_per_epoch, log_every
    if i % E == 0:
        return i + 1
    epoch_end = (i // E + 1) * E
    return min(epoch_end, (i // every + 1) * every, iters_num)
