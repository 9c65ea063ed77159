"""How the command line reads: the parser of every command and its flags; flag values checked
without argparse's type names; --help that names every default; an unknown flag reported with
its own command's usage; notices shown as one line; and the one place where advice written for
Python callers (``device="cpu"``) becomes flags (``--device cpu``).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import math
import sys
import warnings
from typing import ClassVar

from ..backends import (
    BACKENDS,
    DTYPES,
    DeviceFallbackWarning,
    DeviceUnavailableError,
    Float64Notice,
)
from ..errors import PYTHON, Explained, Words

__all__ = [
    "CLI",
    "CommandParser",
    "Help",
    "build_parser",
    "example_parser",
    "for_the_command_line",
    "notices",
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


class CommandLineWords(Words):
    """How the command line spells the settings and actions that xpnet's messages name
    (:mod:`xpnet.errors`): ``learning_rate=0.1`` is ``--lr 0.1``. A setting with no flag keeps
    its Python spelling."""

    flags: ClassVar[dict[str, str]] = {
        "device": "--device",
        "backend": "--backend",
        "xp": "--backend",
        "learning_rate": "--lr",
        "batch_size": "--batch-size",
        "hidden_size": "--hidden-size",
        "weight_init_std": "--weight-init-std",
        "activation": "--activation",
        "dtype": "--dtype",
        "seed": "--seed",
        "grad": "--grad",
        "iters_num": "--iters",
        "threads": "--threads",
    }
    actions: ClassVar[dict[str, str]] = {
        "use_sample_data": "--dataset sample",
        "keep_going": "--keep-going",
        "evaluate_on_dask": "xpnet evaluate CHECKPOINT --backend dask",
    }

    def arg(self, name: str) -> str:
        return self.flags.get(name, name)

    def use(self, name: str, value) -> str:
        flag = self.flags.get(name)
        return PYTHON.use(name, value) if flag is None else f"{flag} {self.value(value)}"


CLI = CommandLineWords()


def for_the_command_line(error: BaseException | str) -> str:
    """An error's (or warning's) message in the command line's words: its template rendered
    with :data:`CLI` where it is :class:`~xpnet.errors.Explained`, else its text as it is."""
    if isinstance(error, Explained):
        return error.render(CLI)
    return str(error)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xpnet",
        description="Deep Learning from Scratch, chapters 4-5, on NumPy, CuPy or PyTorch.",
        formatter_class=Help,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=CommandParser
    )

    train = commands.add_parser(
        "train",
        help="train the two-layer network on MNIST",
        description="Train the book's two-layer network by mini-batch SGD. " + RESUME_RULE,
    )
    _train_flags(train)

    check = commands.add_parser("gradcheck", help="compare backprop with the numerical gradient")
    _device_flags(check)
    _data_flags(check)
    check.add_argument(
        "--activation", choices=("relu", "sigmoid"), default="relu", help="the network's"
    )
    check.add_argument("--hidden-size", type=positive_int, default=50, metavar="N", help="units")
    check.add_argument("--samples", type=positive_int, default=3, metavar="N", help="images")
    check.add_argument("--seed", type=seed, default=0, metavar="N", help="seed of the weights")
    _threads_flag(check)

    learner = commands.add_parser(
        "check",
        help="check your own network's backprop (FILE.py[:CLASS]) against the numerical one",
        description="Import FILE.py (its __main__ block does not run), build its network class"
        " as the book does (784, 50, 10) and compare its gradient with the numerical gradient"
        " on 3 images of the bundled MNIST sample. Exit 0 passed, 1 failed, 2 unusable.",
    )
    learner.add_argument(
        "file",
        metavar="FILE.py[:CLASS]",
        help="your network's file; CLASS defaults to its one class with loss and gradient",
    )

    evaluate = commands.add_parser(
        "evaluate", help="loss and accuracy of a checkpoint on a data set (Dask: larger than RAM)"
    )
    _device_flags(evaluate)
    from .evaluate import add_arguments

    add_arguments(evaluate)

    download = commands.add_parser("download", help="download and verify MNIST")
    download.add_argument("dataset", choices=("mnist",))
    download.add_argument(
        "--data-dir", default=None, metavar="DIR", help="where to keep it (default: xpnet's cache)"
    )

    commands.add_parser("info", help="versions, backends, GPUs and data found here")
    return parser


RESUME_RULE = (
    "--resume continues a run from its checkpoint: the network, --dtype, --dataset, --seed, "
    "--grad and --batch-size come from the checkpoint, and a flag that contradicts it is "
    "refused; a new --lr or --keep-going applies from there on, with one line saying so; "
    "--iters/--epochs set the new total (without them the run keeps its own). A run owns its "
    "--out folder: a second run into it is refused while it runs, and a folder holding another "
    "run is refused unless resumed or --overwrite is given."
)


def _train_flags(train: argparse.ArgumentParser) -> None:
    """The train command's flags. Settings have no argparse default (None: not given), so the
    run can merge defaults, a checkpoint and the command line by one rule (xpnet.cli.settings);
    their help names the default."""
    from .settings import DEFAULT_ITERS, DEFAULTS

    def setting(flag: str, help: str, **kw) -> None:
        key = flag[2:].replace("-", "_")
        train.add_argument(flag, default=None, help=f"{help} (default: {DEFAULTS[key]})", **kw)

    _device_flags(train)
    setting("--dtype", "floating-point type of the network and data", choices=DTYPES)
    _data_flags(train, default=None)
    _threads_flag(train)
    length = train.add_mutually_exclusive_group()
    length.add_argument(
        "--iters",
        type=positive_int,
        metavar="N",
        help=f"total SGD steps (default: {DEFAULT_ITERS}, the book's iters_num)",
    )
    length.add_argument(
        "--epochs",
        type=positive_int,
        metavar="N",
        help="total steps as N epochs of train_size/batch_size steps (default: --iters)",
    )
    setting("--batch-size", "images per step", type=positive_int, metavar="N")
    setting("--lr", "learning rate", type=positive_float, metavar="LR")
    setting("--hidden-size", "hidden units", type=positive_int, metavar="N")
    setting("--weight-init-std", "std of the initial weights", type=positive_float, metavar="S")
    setting(
        "--activation", "relu: the chapter-5 net; sigmoid: chapter 4's", choices=("relu", "sigmoid")
    )
    setting(
        "--grad", "backpropagation or the numerical gradient", choices=("backprop", "numerical")
    )
    setting("--seed", "seed of the weights and batches", type=seed, metavar="N")
    train.add_argument(
        "--out",
        metavar="DIR",
        help="the run's folder (default: a new folder under runs/; with "
        "--resume, the checkpoint's folder)",
    )
    train.add_argument(
        "--resume",
        metavar="CHECKPOINT",
        help="continue the run of this checkpoint.npz (or "
        "run folder) up to --iters/--epochs (default: start a new run)",
    )
    train.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the run already in --out (default: refuse)",
    )
    setting(
        "--keep-going",
        "do not stop when the loss becomes NaN or infinite",
        action=argparse.BooleanOptionalAction,
    )
    train.add_argument(
        "--no-plot", action="store_true", help="do not draw accuracy/loss PNGs (default: draw)"
    )
    train.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when stderr is a terminal)",
    )


def _device_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        default="auto",
        metavar="{cpu,cuda,cuda:N,auto}",
        help="where to compute (default: auto, a GPU when one is usable, else the CPU)",
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="array library (default: numpy on cpu, cupy on cuda)",
    )


def _data_flags(parser: argparse.ArgumentParser, default: str | None = "auto") -> None:
    parser.add_argument(
        "--dataset",
        choices=("auto", "mnist", "sample"),
        default=default,
        help="auto: full MNIST when cached or downloadable, else the bundled 5,000-image sample"
        " (default: auto)",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        metavar="DIR",
        help="where MNIST is kept (default: $XPNET_DATA_DIR, else ~/.cache/xpnet)",
    )


def _threads_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=None,
        metavar="N",
        help=(
            "BLAS/OpenMP/PyTorch threads (default: 1, fastest at these sizes and safe on a busy "
            "machine; OPENBLAS_, OMP_ or MKL_NUM_THREADS, when set, is respected instead)"
        ),
    )


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


def version() -> str:
    from .. import __version__

    return __version__


@contextlib.contextmanager
def notices():
    """Show a DeviceFallbackWarning (--device auto found a GPU it cannot use), a Float64Notice
    (JAX's float64 turned on) or a DataDirNotice (no home folder: a temporary data folder) as
    one line, ``notice: ...`` on stderr, not as a warning with a file name and line number."""
    from ..datasets.common import DataDirNotice

    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, (DeviceFallbackWarning, Float64Notice, DataDirNotice)):
            print(f"notice: {for_the_command_line(message)}", file=sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield
