"""How the command line reads: flag values checked without argparse's type names, --help that
names every default, an unknown flag reported with its own command's usage, and the one place
where advice written for Python callers (``device="cpu"``) becomes flags (``--device cpu``).
"""

from __future__ import annotations

import argparse
import difflib
import math
import re

__all__ = [
    "CommandParser",
    "Help",
    "for_the_command_line",
    "positive_float",
    "positive_int",
    "seed",
]


class Help(argparse.HelpFormatter):
    """--help names every default: a flag whose help does not yet say it gets "(default: X)"."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (
            "default" in text
            or action.default in (None, argparse.SUPPRESS)
            or not action.option_strings
        ):
            return text
        return f"{text} (default: %(default)s)" if text else "(default: %(default)s)"


class CommandParser(argparse.ArgumentParser):
    """A command's parser: an unknown flag after the command is reported with that command's
    usage (and the nearest flag), not the top level's."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", Help)
        super().__init__(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            flags = [o for action in self._actions for o in action.option_strings]
            near = difflib.get_close_matches(extras[0].split("=")[0], flags, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            self.error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        return namespace, extras


def _number(text: str, kind, expected: str):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}") from None


def positive_int(text: str) -> int:
    value = _number(text, int, "a positive integer")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text}")
    return value


def seed(text: str) -> int:
    value = _number(text, int, "an integer from 0 up")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer from 0 up; got {text}")
    return value


def positive_float(text: str) -> float:
    value = _number(text, float, "a positive number")
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive, finite number; got {text}")
    return value


PYTHON_TO_FLAGS = [  # what an error raised to Python says -> what the command line says
    (r'\bdevice="([^"]+)"', r"--device \1"),
    (r'\bbackend="([^"]+)"', r"--backend \1"),
    (r"\blearning_rate=([0-9.e+-]+)", r"--lr \1"),
    (r"on_divergence='continue'", "--keep-going"),
    (r"xpnet\.load_mnist_sample\(\)", "--dataset sample"),
    (r"\(xp=numpy\)", "(--backend numpy)"),
    (r"xpnet\.evaluate\(net, x, t\)", "xpnet evaluate CHECKPOINT --backend dask"),
]


def for_the_command_line(message: str) -> str:
    """An error message written for Python callers (``device="cpu"``), in flags
    (``--device cpu``): the one place where the library's advice becomes the command line's."""
    for python, flags in PYTHON_TO_FLAGS:
        message = re.sub(python, flags, message)
    return message
