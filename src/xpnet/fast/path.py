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
    """What a Trainer asks of a fast path."""

    name: str

    def run(self, i0: int, i1: int) -> int:
        """Steps i0..i1-1 (inside one epoch); returns the iteration reached."""
        ...
