"""The command line as it reads: every command, its flags, and the function that runs it.

:func:`build_parser` holds it all, command by command; each command's parser has its function
as the ``execute`` default (``args.execute(args)``: :func:`xpnet.cli.main.main`). The train
command's settings have no argparse default (None: not given), so that a run can merge the
defaults, a checkpoint and the command line by one rule (:mod:`xpnet.cli.settings`); their
help names the default. How a flag's value is checked: :mod:`xpnet.cli.argparsing`.
"""

from __future__ import annotations

import argparse

from .. import __version__
from ..backends import BACKENDS, DTYPES
from ..fast import STEPS
from . import check, evaluate, info, train
from .argparsing import CommandParser, Help, positive_float, positive_int, seed
from .settings import DEFAULT_ITERS, DEFAULTS
from .words import CLI, for_the_command_line  # at home in words.py; named here too (LAYOUT.md)

__all__ = ["CLI", "build_parser", "for_the_command_line"]


def build_parser() -> argparse.ArgumentParser:
    """The parser of the ``xpnet`` command line: every command, its flags and its function.

    Returns
    -------
    argparse.ArgumentParser
        Its ``parse_args`` gives ``command`` (the command's name) and ``execute`` (the
        function that runs it on the parsed flags and returns an exit status).

    Examples
    --------
    >>> args = build_parser().parse_args(["train", "--lr", "0.05"])
    >>> args.command, args.lr, args.execute.__name__
    ('train', 0.05, 'train_command')
    """
    parser = argparse.ArgumentParser(
        prog="xpnet",
        description="Deep Learning from Scratch, chapters 4-5, on any Python Array API backend: "
        + ", ".join(BACKENDS)
        + " (dask: xpnet evaluate only).",
        formatter_class=Help,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=CommandParser
    )

    def command(name: str, execute, **kwargs) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, **kwargs)
        sub.set_defaults(execute=execute)
        return sub

    _train_flags(
        command(
            "train",
            train.train_command,
            help="train the two-layer network on MNIST",
            description="Train the book's two-layer network by mini-batch SGD. "
            + ROWS
            + " "
            + RESUME_RULE,
        )
    )
    _gradcheck_flags(
        command(
            "gradcheck",
            check.gradcheck_command,
            help="compare backprop with the numerical gradient",
        )
    )
    learner = command(
        "check",
        check.check_command,
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
    learner.add_argument(  # issue 23: a learner's file that trains at import is stopped
        "--time-limit",
        type=positive_float,
        default=20.0,
        metavar="S",
        help="seconds the file's top-level code may run when imported",
    )
    _evaluate_flags(
        command(
            "evaluate",
            evaluate.evaluate_command,
            help="loss and accuracy of a checkpoint on a data set (Dask: larger than RAM)",
        )
    )
    download = command("download", info.download_command, help="download and verify MNIST")
    download.add_argument("dataset", choices=("mnist",))
    download.add_argument(
        "--data-dir", default=None, metavar="DIR", help="where to keep it (default: xpnet's cache)"
    )
    command("info", info.info_command, help="versions, backends, GPUs and data found here")
    return parser


ROWS = (
    "Each row printed is one evaluation: the epoch, the steps made, the mean training loss of the"
    " steps since the previous row, the accuracy on the whole training and test set, and the"
    " seconds since the previous row (training and evaluating)."
)
RESUME_RULE = (
    "--resume continues a run from its checkpoint: the network, --dtype, --dataset, --seed, "
    "--grad and --batch-size come from the checkpoint, and a flag that contradicts it is "
    "refused; a new --lr or --keep-going applies from there on, with one line saying so; "
    "--iters/--epochs set the new total (without them the run keeps its own). A run owns its "
    "--out folder: a second run into it is refused while it runs, and a folder holding another "
    "run is refused unless resumed or --overwrite is given."
)


def _train_flags(train: argparse.ArgumentParser) -> None:
    """The train command's flags; a setting's flag has no argparse default (None: not given)."""

    def setting(flag: str, help: str, **kw) -> None:
        action = train.add_argument(flag, default=None, **kw)  # dest: the setting's key
        action.help = f"{help} (default: {DEFAULTS[action.dest]})"

    _device_flags(train, dask="; dask evaluates only: xpnet evaluate CHECKPOINT --backend dask")
    train.add_argument(  # issue 23: a learner's own network (xpnet.check.training)
        "--net",
        metavar="FILE.py[:CLASS]",
        help="train your own network class (checked as xpnet check does, first) instead of"
        " xpnet's TwoLayerNet (default: xpnet's)",
    )
    setting("--dtype", "floating-point type of the network and data", choices=DTYPES)
    _data_flags(train, default=None)
    _threads_flag(train)
    train.add_argument(
        "--step",
        choices=STEPS,
        default="auto",
        help="the training step: auto (the fastest correct one for the backend and device),"
        " eager (the Array API reference step, op by op) or a fast path by name (default: auto;"
        " a step changes speed, not results, so a resumed run may take another)",
    )
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


def _gradcheck_flags(gradcheck: argparse.ArgumentParser) -> None:
    _device_flags(gradcheck)
    _data_flags(gradcheck)
    gradcheck.add_argument(
        "--activation", choices=("relu", "sigmoid"), default="relu", help="the network's"
    )
    gradcheck.add_argument(
        "--hidden-size", type=positive_int, default=50, metavar="N", help="units"
    )
    gradcheck.add_argument("--samples", type=positive_int, default=3, metavar="N", help="images")
    gradcheck.add_argument("--seed", type=seed, default=0, metavar="N", help="seed of the weights")
    _threads_flag(gradcheck)


def _evaluate_flags(parser: argparse.ArgumentParser) -> None:
    _device_flags(parser)
    parser.add_argument(
        "checkpoint",
        metavar="CHECKPOINT",
        help="a checkpoint.npz of xpnet train, or its run's folder",
    )
    parser.add_argument(
        "--dataset",
        choices=("auto", "mnist", "sample"),
        default="auto",
        help="whose test images: auto is MNIST when cached (xpnet download mnist), else the"
        " bundled sample's 1000",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        help="where MNIST is kept (default: $XPNET_DATA_DIR, else ~/.cache/xpnet)",
    )
    parser.add_argument(
        "--tile",
        type=positive_int,
        default=1,
        metavar="K",
        help="repeat the --dataset's test images K times: a large set of real digits (default 1)",
    )
    parser.add_argument(
        "--data",
        metavar="X",
        help="images: an .npy file or a Zarr array (N, 784) (default: --dataset's test images)",
    )
    parser.add_argument(
        "--labels", metavar="T", help="labels (N,) or one-hot (N, 10), as --data (default: none)"
    )
    parser.add_argument(
        "--chunk-rows", type=positive_int, default=10_000, help="rows per chunk (default: 10000)"
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="dask: an existing cluster's scheduler (tcp://host:8786); default: a LocalCluster",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="dask: LocalCluster's worker processes (default: 2)",
    )
    parser.add_argument(
        "--memory-limit",
        metavar="BYTES",
        help="dask: LocalCluster memory limit per worker, e.g. 500MiB (default: dask's share)",
    )


def _device_flags(parser: argparse.ArgumentParser, *, dask: str = "") -> None:
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
        help=f"array library (default: numpy on cpu, cupy on cuda{dask})",
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
