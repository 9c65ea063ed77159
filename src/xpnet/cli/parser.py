"""The command line as it reads: every command, its flags, and the function that runs it.

:func:`build_parser` holds it all, command by command; each command's parser has its function
as the ``execute`` default (``args.execute(args)``: :func:`xpnet.cli.main.main`). Each
command's flags are added in :mod:`xpnet.cli.flags`; how a flag's value is checked:
:mod:`xpnet.cli.argparsing`.
"""

from __future__ import annotations

import argparse

from .. import __version__
from ..backends import BACKENDS
from ..check.importing import TIME_LIMIT
from ..check.timelimit import CHECK_TIME_LIMIT
from . import check, evaluate, info, train
from .argparsing import CommandParser, Help, path_text, positive_float
from .flags import evaluate_flags, gradcheck_flags, train_flags
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

    train_flags(
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
    gradcheck_flags(
        command(
            "gradcheck",
            check.gradcheck_command,
            help="compare backprop with the numerical gradient",
            description="Build the book's two-layer network and compare its backprop gradient"
            " with the numerical gradient on the first --samples images, parameter by"
            " parameter. Exit 0 passed, 1 failed.",
        )
    )
    learner = command(
        "check",
        check.check_command,
        help="check your own network's backprop (FILE.py[:CLASS]) against the numerical one",
        description="Import FILE.py (its __main__ block does not run) or run the code cells of"
        " a notebook FILE.ipynb in order (its magics and shell lines do not run), build its"
        " network class"
        " as the book does (784, 50, 10) and compare its gradient with the numerical gradient"
        " on 3 images of the bundled MNIST sample. Exit 0 passed, 1 failed, 2 unusable.",
    )
    learner.add_argument(
        "file",
        metavar="FILE.py[:CLASS]",
        help="your network's file (.py, or a Jupyter notebook .ipynb); CLASS defaults to its one"
        " class with loss and gradient",
    )
    learner.add_argument(  # issue 23: a learner's file that trains at import is stopped
        "--time-limit",
        type=positive_float,
        default=None,
        metavar="S",
        help=f"seconds the file's top-level code may run when imported (default: {TIME_LIMIT:g}),"
        f" and CPU seconds each check of its code may take (default: {CHECK_TIME_LIMIT:g})",
    )
    evaluate_flags(
        command(
            "evaluate",
            evaluate.evaluate_command,
            help="loss and accuracy of a checkpoint on a data set (Dask: larger than RAM)",
            description="Load the network of CHECKPOINT (a run folder or its checkpoint.npz) and"
            " print its loss and accuracy on --dataset's test images or on --data X --labels T"
            " files, in one pass, --chunk-rows at a time or, with --backend dask, in chunks"
            " read by the workers.",
        )
    )
    download = command(
        "download",
        info.download_command,
        help="download and verify MNIST",
        description="Download MNIST's four files, check each against its SHA-256 and cache"
        " them, so that --dataset mnist runs offline.",
    )
    download.add_argument("dataset", choices=("mnist",))
    download.add_argument(
        "--data-dir",
        type=path_text,
        default=None,
        metavar="DIR",
        help="where to keep it (default: xpnet's cache)",
    )
    command(
        "info",
        info.info_command,
        help="versions, backends, GPUs and data found here",
        description="Print xpnet's and Python's versions, each backend with its GPUs, and"
        " where the data is kept.",
    )
    return parser


ROWS = (
    "Each row printed is one evaluation: the epoch, the steps made, the mean training loss of the"
    " steps since the previous evaluation (shown or not: a long run shows every Nth epoch, and"
    " metrics.csv has them all), the accuracy on the whole training and test set, and the"
    " seconds since the previous evaluation (training and evaluating)."
)
RESUME_RULE = (
    "--resume continues a run from its checkpoint: the network, --dtype, --dataset, --seed, "
    "--grad and --batch-size come from the checkpoint, and a flag that contradicts it is "
    "refused; a new --lr or --keep-going applies from there on, with one line saying so; "
    "--iters/--epochs set the new total (without them the run keeps its own). A run owns its "
    "--out folder: a second run into it is refused while it runs, and a folder holding another "
    "run is refused unless resumed or --overwrite is given."
)
