"""Each command's flags: :func:`train_flags`, :func:`gradcheck_flags` and
:func:`evaluate_flags` add them to the command's parser (:func:`xpnet.cli.build_parser` makes
the commands), with the flags they share (device and backend, data set, threads). The train
command's settings have no argparse default (None: not given), so that a run can merge the
defaults, a checkpoint and the command line by one rule (:mod:`xpnet.cli.settings`); their help
names the default.
"""

from __future__ import annotations

import argparse

from ..backends import BACKENDS, DTYPES
from ..check.importing import TIME_LIMIT
from ..fast import STEPS
from .argparsing import (
    byte_size,
    hidden_size,
    path_text,
    positive_float,
    positive_int,
    seed,
    thread_count,
)
from .settings import DEFAULT_ITERS, DEFAULTS

__all__ = ["evaluate_flags", "gradcheck_flags", "train_flags"]


def train_flags(train: argparse.ArgumentParser) -> None:
    """The train command's flags; a setting's flag has no argparse default (None: not given)."""

    def setting(flag: str, help: str, **kw) -> None:
        action = train.add_argument(flag, default=None, **kw)  # dest: the setting's key
        action.help = f"{help} (default: {DEFAULTS[action.dest]})"

    _device_flags(train, dask="; dask evaluates only: xpnet evaluate CHECKPOINT --backend dask")
    train.add_argument(  # issue 23: a learner's own network (xpnet.check.training)
        "--net",
        metavar="FILE.py[:CLASS]",
        type=path_text,
        help="train your own network class (a .py file or .ipynb notebook, checked as xpnet"
        " check does, first) instead of xpnet's TwoLayerNet; --hidden-size, --weight-init-std"
        " and --activation reach it where its __init__ takes them, and are refused where it"
        " does not (default: xpnet's)",
    )
    train.add_argument(
        "--time-limit",
        type=positive_float,
        default=None,
        metavar="S",
        help="with --net: seconds your file's top-level code may run when imported (default:"
        f" {TIME_LIMIT:g})",
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
    setting("--hidden-size", "hidden units", type=hidden_size, metavar="N")
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
        type=path_text,
        help="the run's folder (default: a new folder under runs/; with "
        "--resume, the checkpoint's folder)",
    )
    train.add_argument(
        "--resume",
        metavar="CHECKPOINT",
        type=path_text,
        help="continue the run of this checkpoint.npz (or "
        "run folder) up to --iters/--epochs (default: start a new run)",
    )
    train.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the run already in --out once this run has saved its first checkpoint;"
        " a run that ends before, or that diverges, puts the old one back (a diverged run's own"
        " files go to --out/diverged-run/) (default: refuse)",
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


def gradcheck_flags(gradcheck: argparse.ArgumentParser) -> None:
    _device_flags(gradcheck)
    _data_flags(gradcheck)
    gradcheck.add_argument(
        "--activation", choices=("relu", "sigmoid"), default="relu", help="the network's"
    )
    gradcheck.add_argument("--hidden-size", type=hidden_size, default=50, metavar="N", help="units")
    gradcheck.add_argument("--samples", type=positive_int, default=3, metavar="N", help="images")
    gradcheck.add_argument("--seed", type=seed, default=0, metavar="N", help="seed of the weights")
    _threads_flag(gradcheck)


def evaluate_flags(parser: argparse.ArgumentParser) -> None:
    _device_flags(parser)
    parser.add_argument(
        "checkpoint",
        metavar="CHECKPOINT",
        type=path_text,
        help="a checkpoint.npz of xpnet train, or its run's folder",
    )
    parser.add_argument(
        "--net",
        metavar="FILE.py[:CLASS]",
        type=path_text,
        help="the network class of a checkpoint of xpnet train --net (the one it records; a"
        " checkpoint names no code to run, so xpnet builds a learner's network only from this)"
        " (default: xpnet's TwoLayerNet)",
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
        type=path_text,
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
        type=path_text,
        help="images: an .npy file or a Zarr array (N, 784) (default: --dataset's test images)",
    )
    parser.add_argument(
        "--labels",
        metavar="T",
        type=path_text,
        help="labels (N,) or one-hot (N, 10), as --data; required with --data (default:"
        " --dataset's test labels)",
    )
    parser.add_argument(
        "--chunk-rows", type=positive_int, default=10_000, help="rows per chunk (default: 10000)"
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar of the chunks evaluated, except on dask (default: when stderr"
        " is a terminal)",
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
        type=byte_size,
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
        type=path_text,
        default=None,
        metavar="DIR",
        help="where MNIST is kept (default: $XPNET_DATA_DIR, else ~/.cache/xpnet)",
    )


def _threads_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threads",
        type=thread_count,
        default=None,
        metavar="N",
        help=(
            "BLAS/OpenMP/PyTorch threads, at most the CPUs xpnet may use (default: 1, fastest at"
            " these sizes and safe on a busy machine; OPENBLAS_, OMP_ or MKL_NUM_THREADS, when"
            " set, is respected instead by the libraries that read it)"
        ),
    )
