"""The command line: ``xpnet train | gradcheck | check | evaluate | download | info``
(also ``python -m xpnet``).

Each command is a small function; errors a user can fix (no GPU, CuPy missing, bad flags,
unreadable files, a full disk) end in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings

from .backend import (
    BACKENDS,
    DTYPES,
    DeviceFallbackWarning,
    DeviceUnavailableError,
    Float64Notice,
)
from .flags import CommandParser as _CommandParser
from .flags import Help as _Help
from .flags import for_the_command_line
from .flags import positive_float as _positive_float
from .flags import positive_int as _positive_int
from .flags import seed as _seed
from .threads import use_threads

EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 2, 130, 143


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xpnet",
        description="Deep Learning from Scratch, chapters 4-5, on NumPy, CuPy or PyTorch.",
        formatter_class=_Help,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_CommandParser
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
    check.add_argument("--hidden-size", type=_positive_int, default=50, metavar="N", help="units")
    check.add_argument("--samples", type=_positive_int, default=3, metavar="N", help="images")
    check.add_argument("--seed", type=_seed, default=0, metavar="N", help="seed of the weights")
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
    from .evaluate_command import add_arguments

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
    run can merge defaults, a checkpoint and the command line by one rule (xpnet.settings);
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
        type=_positive_int,
        metavar="N",
        help=f"total SGD steps (default: {DEFAULT_ITERS}, the book's iters_num)",
    )
    length.add_argument(
        "--epochs",
        type=_positive_int,
        metavar="N",
        help="total steps as N epochs of train_size/batch_size steps (default: --iters)",
    )
    setting("--batch-size", "images per step", type=_positive_int, metavar="N")
    setting("--lr", "learning rate", type=_positive_float, metavar="LR")
    setting("--hidden-size", "hidden units", type=_positive_int, metavar="N")
    setting("--weight-init-std", "std of the initial weights", type=_positive_float, metavar="S")
    setting(
        "--activation", "relu: the chapter-5 net; sigmoid: chapter 4's", choices=("relu", "sigmoid")
    )
    setting(
        "--grad", "backpropagation or the numerical gradient", choices=("backprop", "numerical")
    )
    setting("--seed", "seed of the weights and batches", type=_seed, metavar="N")
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
        type=_positive_int,
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
    from .backend import get_backend

    args = parser.parse_args(argv)
    try:
        with notices():
            args.backend = get_backend(args.device, backend=args.backend)
    except (ValueError, DeviceUnavailableError) as error:
        parser.error(for_the_command_line(str(error)))
    return args


@contextlib.contextmanager
def notices():
    """Show a DeviceFallbackWarning (--device auto found a GPU it cannot use) or a Float64Notice
    (JAX's float64 turned on) as one line, ``notice: ...`` on stderr, not as a warning with a
    file name and line number."""
    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, (DeviceFallbackWarning, Float64Notice)):
            print(f"notice: {message}", file=sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``xpnet`` command. Returns the exit status."""
    from .checkpoint import CheckpointError
    from .datasets import DatasetError

    args = build_parser().parse_args(argv)
    try:
        with notices(), _terminated_as_an_exception(), use_threads(getattr(args, "threads", None)):
            return _run(args)
    except Terminated:  # outside the training loop (which saves first: see Trainer)
        print(f"xpnet {args.command}: stopped by SIGTERM", file=sys.stderr)
        return EXIT_TERMINATED
    except (
        DeviceUnavailableError,
        DatasetError,
        CheckpointError,
        ValueError,
        TypeError,
        OSError,  # a full disk or a read-only --out: the previous checkpoint is still whole
    ) as error:
        print(f"xpnet {args.command}: error: {for_the_command_line(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"xpnet {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


class Terminated(KeyboardInterrupt):
    """SIGTERM, as an exception: files being written are cleaned up (atomic_write) and the run's
    folder lock is released on the way out, as for Ctrl-C."""


@contextlib.contextmanager
def _terminated_as_an_exception():
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args) -> int:
    if args.command == "train":
        from .runs import train_command

        return train_command(args)
    if args.command == "gradcheck":
        from .runs import gradcheck_command

        return gradcheck_command(args)
    if args.command == "check":
        from .learner import check_command

        return check_command(args)
    if args.command == "evaluate":
        from .evaluate_command import evaluate_command

        return evaluate_command(args)
    if args.command == "download":
        return _download(args)
    return _info()


def _download(args) -> int:
    from .datasets import download_mnist

    path = download_mnist(args.data_dir, progress=sys.stderr.isatty())
    print(f"MNIST is verified and cached in {path}")
    return 0


def _info() -> int:
    import importlib.metadata
    import platform

    import array_api_compat
    import numpy

    from .backend import available
    from .datasets import data_dir, mnist_available

    print(f"xpnet {_version()} on Python {platform.python_version()} ({platform.platform()})")
    print(f"numpy {numpy.__version__}, array-api-compat {array_api_compat.__version__}")
    for row in available():
        state = row["version"] if row["installed"] else "not installed"
        if row.get("error"):
            state = f"broken: {row['error']}"
        gpus = f"; GPUs: {', '.join(row['gpus'])}" if row["gpus"] else ""
        problem = f"; {row['problem']}" if row.get("problem") else ""
        print(f"  {row['backend']:<17} {state}{gpus}{problem}")
    cupies = sorted(
        {
            d.metadata["Name"]
            for d in importlib.metadata.distributions()
            if (d.metadata["Name"] or "").lower().startswith("cupy")
        }
    )
    if len(cupies) > 1:
        print(
            f"warning: several CuPy packages are installed ({', '.join(cupies)}); they share "
            "one module and break each other: keep only the one for your CUDA version"
        )
    where = data_dir()
    print(
        f"data: {where} (full MNIST {'cached' if mnist_available() else 'not downloaded'}; "
        "the 5,000-image sample is bundled)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
