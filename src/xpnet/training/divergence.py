"""A run going badly, and what to try instead: the loss became NaN or infinite
(:class:`DivergenceError`), or it stayed worse than guessing for a whole epoch
(:class:`TrainingWarning`). Both name the learning rate that ran and a smaller one to try, as
fields of an :mod:`xpnet.errors` template, so Python and the command line each say it in their
own words. :class:`xpnet.Trainer` finds both; this module only words them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..errors import Do, Explained, Use

if TYPE_CHECKING:
    from ..history import History

__all__ = ["DivergenceError", "TrainingWarning", "diverged", "stuck"]


class DivergenceError(Explained, RuntimeError):
    """The training loss became NaN or infinite. ``history`` holds the run up to that point.
    The message is a template with fields (:mod:`xpnet.errors`)."""

    __module__ = "xpnet.train"  # tracebacks name it where it is imported from

    def __init__(self, message: str, /, *, iteration: int, history: History, **fields) -> None:
        super().__init__(message, **fields)
        self.iteration, self.history = iteration, history


class TrainingWarning(Explained, UserWarning):
    """A run that is going badly without failing (a loss stuck above chance level)."""

    __module__ = "xpnet.train"


def diverged(values: np.ndarray, start: int, lr: float, history: History) -> DivergenceError | None:
    """The error for the first non-finite loss among ``values`` (host float64, the losses of
    steps start+1, start+2, ...), or None when all are finite."""
    bad = np.flatnonzero(~np.isfinite(values))
    if not bad.size:
        return None
    first = start + int(bad[0]) + 1
    return DivergenceError(
        "training diverged: the loss became {loss} at iteration {at} with {lr};"
        f" try {_smaller(lr)}, or keep going with {{keep_going}}",
        iteration=first,
        history=history,
        loss=values[bad[0]],
        at=first,
        lr=Use("learning_rate", lr),
        smaller=_smaller_rate(lr),
        keep_going=Do("keep_going"),
    )


def stuck(window: list[float], num_classes: int, lr: float) -> TrainingWarning | None:
    """The warning for an epoch's losses (``window``) that all stayed above 2 ln(num_classes),
    worse than guessing, or None when one did not."""
    chance = 2 * math.log(num_classes)
    if min(window) <= chance:
        return None
    return TrainingWarning(
        f"the training loss has stayed above 2*ln({num_classes}) = {chance:.2f}"
        " (worse than guessing) for a whole epoch with {lr}: it is probably too"
        f" large; try {_smaller(lr)}",
        lr=Use("learning_rate", lr),
        smaller=_smaller_rate(lr),
    )


def _smaller(lr: float) -> str:
    """The learning rate to suggest after lr failed: the book's 0.1, or a tenth of a smaller lr
    (a template for :mod:`xpnet.errors`, whose field ``{smaller}`` is that setting)."""
    return "{smaller} (the book's)" if lr > 0.1 else "{smaller}"


def _smaller_rate(lr: float) -> Use:
    return Use("learning_rate", 0.1 if lr > 0.1 else lr / 10)
