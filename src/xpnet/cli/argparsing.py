"""argparse, as xpnet uses it: a flag's value checked without argparse's type names
(``expected a positive integer; got 0``), --help that names every default, an unknown flag
reported with its own command's usage and the nearest flag; and the small parser that the
scripts of examples/ share (:func:`example_parser`, :func:`parse_backend`).
"""

from __future__ import annotations

import argparse
import difflib
import math

from ..backends import BACKENDS, DeviceUnavailableError
from .words import for_the_command_line, notices

__all__ = [
    "CommandParser",
    "Help",
    "example_parser",
    "parse_backend",
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


def example_parser(doc: str) -> argparse.ArgumentParser:
    """The flags every script in examples/ takes: --device (default cpu), --backend, --out."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default: cpu)")
    parser.add_argument("--backend", choices=BACKENDS, help="default: numpy on cpu, cupy on cuda")
    parser.add_argument("--out", default="out/examples", help="folder for figures")
    return parser


def parse_backend(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse argv; ``args.backend`` becomes the Backend of --device and --backend. A device that
    cannot be used (no GPU, CuPy missing) ends in one line on stderr and exit status 2."""
    from ..backends import get_backend

    args = parser.parse_args(argv)
    try:
        with notices():
            args.backend = get_backend(args.device, backend=args.backend)
    except (ValueError, DeviceUnavailableError) as error:
        parser.error(for_the_command_line(error))
    return args
