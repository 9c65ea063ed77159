"""What ``xpnet check`` finds in a learner's file: the class (:class:`Learner`), and the error
that says why a file or class cannot be used (:class:`LearnerError`). Each step of the check
(loading, building, checking) takes the one and may raise the other."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Learner", "LearnerError"]


class LearnerError(Exception):
    """The file or class cannot be used; the message says what was found, what is missing and
    the fix, in the learner's terms."""


@dataclass
class Learner:
    """The class found in a learner's file, the file, and the notes of its import."""

    cls: type
    path: Path
    notes: list[str] = field(default_factory=list)

    @property
    def method(self) -> str:
        """The method that check_network checks: backprop's gradient, where the class has it."""
        return "gradient" if callable(getattr(self.cls, "gradient", None)) else "numerical_gradient"

    def describe(self) -> str:
        return f"{self.cls.__name__} of {self.path}"
