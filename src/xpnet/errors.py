"""Errors and warnings that carry their fix as data, so each interface says it in its own words.

A message of xpnet names the argument, what was expected, what came, and the fix. The parts that
a Python caller and a command-line user spell differently are not written into the text but
given as fields of a template:

- :class:`Arg` -- an argument: ``learning_rate`` in Python, ``--lr`` on the command line;
- :class:`Use` -- a setting to use: ``device="cpu"`` / ``--device cpu``;
- :class:`Do` -- an action: ``xpnet.load_mnist_sample()`` / ``--dataset sample``.

``str(error)`` is the message in Python's words (:data:`PYTHON`); the command line renders the
same template with its own :class:`Words` (``xpnet.cli.words.CLI``). Nothing is ever rewritten
from another message's text, so editing a message cannot silently break the CLI's advice.

>>> class Diverged(Explained, RuntimeError): ...
>>> error = Diverged("diverged with {lr}; try {fix}", lr=Use("learning_rate", 10.0),
...                  fix=Use("learning_rate", 0.1))
>>> str(error)
'diverged with learning_rate=10; try learning_rate=0.1'
>>> class Flags(Words):
...     def use(self, name, value):
...         return f"--{name.replace('_', '-')} {self.value(value)}"
>>> error.render(Flags())
'diverged with --learning-rate 10; try --learning-rate 0.1'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "PYTHON",
    "Arg",
    "Do",
    "Explained",
    "Use",
    "Words",
    "XpnetTypeError",
    "XpnetValueError",
    "render",
]


@dataclass(frozen=True)
class Arg:
    """An argument, by its Python name (``"learning_rate"``)."""

    name: str


@dataclass(frozen=True)
class Use:
    """A setting to use: the argument's Python name and its value."""

    name: str
    value: Any


@dataclass(frozen=True)
class Do:
    """An action the reader can take, by a key that each interface spells in its words
    (:attr:`Words.actions`): ``Do("use_sample_data")``."""

    action: str


class Words:
    """How one interface spells arguments, settings and actions. This one is Python's."""

    actions: ClassVar[dict[str, str]] = {
        "use_sample_data": "xpnet.load_mnist_sample()",
        "use_sample_data_anew": "xpnet.load_mnist_sample() for a new run",
        "train_on_sample": "xpnet.load_mnist_sample()",
        "not_downloading": "download=False",
        "download_mnist": "call xpnet.load_mnist(download=True)",
        "keep_going": "on_divergence='continue'",
        "evaluate_on_dask": "xpnet.evaluate(net, x, t)",
        "remake_checkpoint": "save the network again with xpnet.save_checkpoint(path, net)",
    }

    def arg(self, name: str) -> str:
        return name

    def use(self, name: str, value: Any) -> str:
        if name == "xp":  # a namespace: xp=numpy, not a string
            return f"xp={value}"
        return f'{name}="{value}"' if isinstance(value, str) else f"{name}={self.value(value)}"

    def do(self, action: str) -> str:
        return self.actions[action]

    @staticmethod
    def value(value: Any) -> str:
        return f"{value:g}" if isinstance(value, float) else str(value)


PYTHON = Words()
_FIELD = re.compile(r"\{(\w+)(!r)?\}")


def render(template: str, fields: dict[str, Any], words: Words) -> str:
    """template with each ``{name}`` of fields in words (``{name!r}``: a plain value's repr);
    other braces are left as they are.

    A field may be an :class:`Arg`, :class:`Use` or :class:`Do`, another :class:`Explained`
    error (rendered in the same words), or any value (``str()``).
    """

    def field(match: re.Match) -> str:
        name = match.group(1)
        if name not in fields:
            return match.group(0)
        value = fields[name]
        if isinstance(value, Arg):
            return words.arg(value.name)
        if isinstance(value, Use):
            return words.use(value.name, value.value)
        if isinstance(value, Do):
            return words.do(value.action)
        if isinstance(value, Explained):
            return value.render(words)
        return repr(value) if match.group(2) else str(value)

    return _FIELD.sub(field, template)


class Explained:
    """Mixin for an exception or warning whose message is a template with fields.

    ``Explained(template, **fields)``; ``str()`` is the Python message, ``render(words)`` the
    message in another interface's words. Mixed into xpnet's own error classes::

        class DeviceUnavailableError(Explained, RuntimeError): ...
    """

    def __init__(self, template: str, /, **fields: Any) -> None:
        self.template, self.fields = template, fields
        super().__init__(render(template, fields, PYTHON))

    def render(self, words: Words) -> str:
        """The message in words (an interface's way of naming settings and actions)."""
        return render(self.template, self.fields, words)

    def __reduce__(self):  # pickled by Dask's workers: keep the template and fields
        return _rebuild, (type(self), self.template, self.fields, self.__dict__)


def _rebuild(kind: type, template: str, fields: dict, state: dict):
    error = kind.__new__(kind)
    Explained.__init__(error, template, **fields)
    error.__dict__.update(state)
    return error


class XpnetValueError(Explained, ValueError):
    """A ValueError whose message names its fix as data (a bad value of an argument)."""


class XpnetTypeError(Explained, TypeError):
    """A TypeError whose message names its fix as data (an argument of the wrong kind)."""
