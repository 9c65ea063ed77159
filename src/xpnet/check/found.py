"""What ``xpnet check`` finds in a learner's file: the class (:class:`Learner`), and the error
that says why a file or class cannot be used (:class:`LearnerError`). Each step of the check
(loading, building, checking) takes the one and may raise the other."""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Learner", "LearnerError", "NoNetwork", "is_placeholder", "takes_self"]


class LearnerError(Exception):
    """The file or class cannot be used; the message says what was found, what is missing and
    the fix, in the learner's terms."""


class NoNetwork(LearnerError):
    """The file holds no network class (or the class named is simpleNet's kind, no gradient):
    ``namespace``, the learner's module's, for :func:`xpnet.check.chapter4.check_functions`;
    ``only``, the class named; ``notes``, those of the import."""

    def __init__(self, message: str, namespace: dict, *, only=None, notes=()) -> None:
        super().__init__(message)
        self.namespace, self.only, self.notes = namespace, only, list(notes)


@dataclass
class Learner:
    """The class found in a learner's file, the file, and the notes of its import."""

    cls: type
    path: Path
    notes: list[str] = field(default_factory=list)

    @property
    def method(self) -> str:
        """The method that check_network checks: backprop's gradient, where the class has it;
        numerical_gradient where it has none, or only a placeholder (:func:`is_placeholder`)
        beside a numerical_gradient."""
        gradient = getattr(self.cls, "gradient", None)
        if callable(gradient) and not (self.placeholder_gradient and self._has_numerical):
            return "gradient"
        return "numerical_gradient"

    @property
    def placeholder_gradient(self) -> bool:
        """Whether the class's gradient is a placeholder: its body only pass (or ...)."""
        return is_placeholder(getattr(self.cls, "gradient", None))

    @property
    def _has_numerical(self) -> bool:
        return callable(getattr(self.cls, "numerical_gradient", None))

    def describe(self) -> str:
        return f"{self.cls.__name__} of {self.path}"


def is_placeholder(function) -> bool:
    """Whether function's body does nothing: only ``pass``, ``...``, a docstring, ``return`` or
    ``raise NotImplementedError`` (a method the learner has yet to write)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (TypeError, OSError, SyntaxError):
        return False
    definition = tree.body[0] if tree.body else None
    if not isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    return all(_does_nothing(statement) for statement in definition.body)


def takes_self(function) -> bool:
    """Whether a function's first parameter is ``self``: at module level, a method that lost
    its indentation (``def numerical_gradient(self, x, t)`` below its class), no function to
    check."""
    code = getattr(function, "__code__", None)
    return bool(code and code.co_argcount and code.co_varnames[0] == "self")


def _does_nothing(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return True  # a docstring, or ...
    if isinstance(statement, ast.Return):
        return statement.value is None or (
            isinstance(statement.value, ast.Constant) and statement.value.value is None
        )
    if isinstance(statement, ast.Raise) and statement.exc is not None:
        raised = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
        return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"
    return False
