"""argparse, as xpnet uses it: a flag's value checked without argparse's type names
(``expected a positive integer; got 0``), --help that names every default, an unknown flag
reported with its own command's usage and the nearest flag; and the small parser that the
scripts of examples/ share (:func:`example_parser`, :func:`parse_backend`).
"""

from __future__ import annotations

import argparse
import difflib
import math
import re
from pathlib import Path

from ..arguments import largest_hidden_size
from ..backends import BACKENDS, DeviceUnavailableError, get_backend
from ..threads import available_cpus
from .words import for_the_command_line, notices

__all__ = [
    "CommandParser",
    "Help",
    "byte_size",
    "example_parser",
    "hidden_size",
    "parse_backend",
    "path_text",
    "positive_float",
    "positive_int",
    "seed",
]


class Help(argparse.HelpFormatter):
    """--help names every default: a flag whose help does not yet say it gets "(default: X)".

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="demo", formatter_class=Help)
    >>> _ = parser.add_argument("--tile", type=int, default=1, help="repeats")
    >>> "repeats (default: 1)" in parser.format_help()
    True
    """

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
    usage and the nearest flag (``unrecognized arguments: --lrr 0.1 (did you mean --lr?)``),
    not with the top level's usage; its --help names every default (:class:`Help`)."""

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
    """A flag's value that must be a positive integer (an argparse ``type``).

    Parameters
    ----------
    text : str
        The value as given on the command line.

    Returns
    -------
    int

    Raises
    ------
    argparse.ArgumentTypeError
        Saying what was expected and what came: ``expected a positive integer; got 0``.

    Examples
    --------
    >>> positive_int("100")
    100
    """
    value = _number(text, int, "a positive integer")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text}")
    return value


def thread_count(text: str) -> int:
    """--threads: a positive integer, at most the CPUs this process may use (an argparse
    ``type``; raises as :func:`positive_int`).

    Examples
    --------
    >>> thread_count("1")
    1
    """
    value = positive_int(text)
    if value > available_cpus():
        raise argparse.ArgumentTypeError(
            f"expected at most the {available_cpus()} CPUs this machine gives xpnet (more threads"
            f" than CPUs only wait on each other); got {text}"
        )
    return value


MNIST_NET = (784, 10)  # the commands' network: MNIST's pixels in, its ten classes out


def hidden_size(text: str) -> int:
    """--hidden-size: a positive integer, at most the hidden units of a 784-N-10 network whose
    parameters this process could allocate in float64, the most a parameter takes (an argparse
    ``type``; raises as :func:`positive_int`): the bound that TwoLayerNet and a checkpoint's
    meta.net share (:func:`xpnet.arguments.largest_hidden_size`).

    Examples
    --------
    >>> hidden_size("50")
    50
    """
    value = positive_int(text)
    most, why = largest_hidden_size(*MNIST_NET, "float64")
    if value > most:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer up to {most} ({why}); got {text}"
        )
    return value


def seed(text: str) -> int:
    """A seed: an integer from 0 up (an argparse ``type``; raises as :func:`positive_int`).

    Examples
    --------
    >>> seed("0")
    0
    """
    value = _number(text, int, "an integer from 0 up")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer from 0 up; got {text}")
    return value


def positive_float(text: str) -> float:
    """A positive, finite number, such as ``--lr`` (an argparse ``type``; raises as
    :func:`positive_int`: ``expected a positive, finite number; got inf``).

    Examples
    --------
    >>> positive_float("1e-2")
    0.01
    """
    value = _number(text, float, "a positive number")
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive, finite number; got {text}")
    return value


def path_text(text: str) -> str:
    """A file or folder named on the command line: any text but an empty one, which a shell
    gives for an unset variable (``--resume "$RUN"``) and which would otherwise read as the
    flag not given (an argparse ``type``; raises as :func:`positive_int`).

    Examples
    --------
    >>> path_text("runs/a")
    'runs/a'
    """
    if not text:
        raise argparse.ArgumentTypeError("expected a path; got '' (an empty shell variable?)")
    return text


_SIZE = re.compile(r"^\s*(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*(b|[kmgtp]i?b?)?\s*$", re.IGNORECASE)


def byte_size(text: str) -> str:
    """A memory size as Dask reads it, checked without importing Dask (an argparse ``type``):
    ``250MiB``, ``2GB``, a number of bytes, a fraction of the machine's memory (``0.5``) or
    ``auto``; returned as given. Raises as :func:`positive_int`: ``expected a size such as
    250MiB or 2GB; got 'lots'``.

    Examples
    --------
    >>> byte_size("250MiB"), byte_size("auto")
    ('250MiB', 'auto')
    """
    if text.strip().lower() != "auto" and not _SIZE.match(text):
        raise argparse.ArgumentTypeError(f"expected a size such as 250MiB or 2GB; got {text!r}")
    return text


def example_parser(doc: str) -> argparse.ArgumentParser:
    """The flags every script in examples/ takes: --device (default cpu), --backend, --out.

    Parameters
    ----------
    doc : str
        The script's docstring; its first line is the parser's description.

    Returns
    -------
    argparse.ArgumentParser
        To add the script's own flags to, then to parse (:func:`parse_backend`).

    Examples
    --------
    >>> example_parser("Figure 4-10.").parse_args([]).device
    'cpu'
    """
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default: cpu)")
    parser.add_argument("--backend", choices=BACKENDS, help="default: numpy on cpu, cupy on cuda")
    parser.add_argument("--out", type=path_text, default="out/examples", help="folder for figures")
    return parser


def parse_backend(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse argv; ``args.backend`` becomes the Backend of --device and --backend.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        An :func:`example_parser` (with the script's own flags).
    argv : list of str or None
        The arguments; None: ``sys.argv[1:]``.

    Returns
    -------
    argparse.Namespace
        The parsed flags, ``backend`` an :class:`xpnet.Backend`.

    Raises
    ------
    SystemExit
        A device that cannot be used (no GPU, CuPy missing), or an --out that is a file (or
        inside one): one line on stderr, in the command line's words, and exit status 2.

    Examples
    --------
    >>> parse_backend(example_parser("Figure 4-10."), ["--device", "cpu"]).backend.name
    'numpy'
    """
    args = parser.parse_args(argv)
    _check_out_folder(parser, getattr(args, "out", None))
    try:
        with notices():
            args.backend = get_backend(args.device, backend=args.backend)
    except (ValueError, DeviceUnavailableError) as error:
        parser.error(for_the_command_line(error))
    return args


def _check_out_folder(parser: argparse.ArgumentParser, out: str | None) -> None:
    """--out names a folder for figures, made when the first is saved: a file there (or in
    its path) is said now, in one line, not as a traceback once the work is done."""
    if not out:
        return
    path = Path(out)
    for folder in (path, *path.parents):
        if folder.exists():
            if not folder.is_dir():
                where = f"--out {out}" + ("" if folder == path else f": {folder}")
                parser.error(f"{where} is a file, not a folder: give a folder for the figures")
            return
