"""What every fast path is and raises: the FastPath protocol, FastPathUnavailable, FastPathWarning.

Apart from :mod:`.choice`, which imports the paths, so that a path's module imports these
without importing the module that imports it.
"""

from __future__ import annotations

from typing import Protocol

from ..backends import DeviceUnavailableError
from ..errors import Explained, Use

__all__ = ["FastPath", "FastPathUnavailable", "FastPathWarning"]


class FastPathUnavailable(DeviceUnavailableError):
    """A fast path cannot be built for this net, backend or machine. ``path`` is its name and
    ``reason`` says why, in one line (the message: ``step="torch-graph" cannot run here: ...``).
    A DeviceUnavailableError: what was asked for exists, but not here."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__("{step} cannot run here: {reason}", step=Use("step", path), reason=reason)
        self.path, self.reason = path, reason


class FastPathWarning(Explained, UserWarning):
    """step="auto": a fast path that should have been built failed unexpectedly; training goes on
    with the next one (or the eager step)."""


class FastPath(Protocol):
    """What a Trainer asks of a fast path.

    A protocol, never built itself (``FastPath()`` raises TypeError): each path is a class of
    its library's module (``ScanPath``, ``GraphPath``, ``FusedPath``), built from a trainer by
    :func:`~xpnet.fast.build`, and anything with these members is one.

    Parameters
    ----------
    *args, **kwargs
        None taken: they are the placeholder signature typing gives every Protocol.

    Attributes
    ----------
    name : str
        The path's name, one of :data:`~xpnet.fast.PATHS` ("jax-scan", ...).

    Examples
    --------
    >>> class Counting:  # a FastPath: a name and run(i0, i1)
    ...     name = "counting"
    ...     def run(self, i0, i1):
    ...         return i1  # every step done: the iteration reached is i1
    >>> path: FastPath = Counting()
    >>> path.name, path.run(0, 5)
    ('counting', 5)
    """

    name: str

    def run(self, i0: int, i1: int) -> int:
        """Steps i0..i1-1 (inside one epoch); returns the iteration reached.

        Parameters
        ----------
        i0 : int
            The trainer's iteration before the first of these steps.
        i1 : int
            The iteration to stop at: a log point, or the epoch's end, at most.

        Returns
        -------
        int
            The iteration reached: i1, or an earlier one when Ctrl-C asked the run to stop.
        """
        ...
