"""The command line: ``xpnet train | gradcheck | download | info`` (also ``python -m xpnet``).

Each command is a small function; errors a user can fix (no GPU, CuPy missing, bad flags,
unreadable files, a full disk) end in one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings

from .backend import BACKENDS, DTYPES, DeviceFallbackWarning, DeviceUnavailableError
from .threads import use_threads

EXIT_USAGE, EXIT_INTERRUPTED = 2, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xpnet",
        description="Deep Learning from Scratch, chapters 4-5, on NumPy, CuPy or PyTorch.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser("train", help="train the two-layer network on MNIST")
    _device_flags(train)
    train.add_argument(
        "--dtype",
        choices=DTYPES,
        default="float32",
        help="floating-point type of the network and data (default: float32)",
    )
    _data_flags(train)
    _threads_flag(train)
    length = train.add_mutually_exclusive_group()
    length.add_argument(
        "--iters",
        type=_positive_int,
        default=None,
        help="total SGD steps (default: 10000, the book's iters_num)",
    )
    length.add_argument(
        "--epochs",
        type=_positive_int,
        default=None,
        help="total steps as a number of epochs of train_size/batch_size steps",
    )
    train.add_argument("--batch-size", type=_positive_int, default=100)
    train.add_argument("--lr", type=_positive_float, default=0.1, help="learning rate")
    train.add_argument("--hidden-size", type=_positive_int, default=50)
    train.add_argument("--weight-init-std", type=_positive_float, default=0.01)
    train.add_argument(
        "--activation",
        choices=("relu", "sigmoid"),
        default="relu",
        help="relu: the chapter-5 network; sigmoid: the chapter-4 network",
    )
    train.add_argument(
        "--grad",
        choices=("backprop", "numerical"),
        default="backprop",
        help="gradient by backpropagation or by the numerical gradient",
    )
    train.add_argument("--seed", type=int, default=0, help="seed of weights and batches")
    train.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help="folder for the run's files (default: a new folder under runs/)",
    )
    train.add_argument(
        "--resume",
        metavar="CHECKPOINT",
        default=None,
        help="continue a run from its checkpoint.npz up to --iters/--epochs",
    )
    train.add_argument(
        "--keep-going",
        action="store_true",
        help="do not stop when the loss becomes NaN or infinite",
    )
    train.add_argument("--no-plot", action="store_true", help="do not draw accuracy/loss PNGs")
    train.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when stderr is a terminal)",
    )

    check = commands.add_parser("gradcheck", help="compare backprop with the numerical gradient")
    _device_flags(check)
    _data_flags(check)
    _threads_flag(check)
    check.add_argument("--activation", choices=("relu", "sigmoid"), default="relu")
    check.add_argument("--hidden-size", type=_positive_int, default=50)
    check.add_argument("--samples", type=_positive_int, default=3)
    check.add_argument("--seed", type=int, default=0)

    download = commands.add_parser("download", help="download and verify MNIST")
    download.add_argument("dataset", choices=("mnist",))
    download.add_argument("--data-dir", default=None, help="where to keep it")

    commands.add_parser("info", help="versions, backends, GPUs and data found here")
    return parser


def _device_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        default="auto",
        metavar="{cpu,cuda,cuda:N,auto}",
        help="where to compute (default: auto, a GPU when one is usable)",
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="array library (default: numpy on cpu, cupy on cuda)",
    )


def _data_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset",
        choices=("auto", "mnist", "sample"),
        default="auto",
        help="auto: full MNIST when cached or downloadable, else the bundled 5,000-image sample",
    )
    parser.add_argument("--data-dir", default=None, help="where MNIST is kept")


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
        parser.error(str(error))
    return args


@contextlib.contextmanager
def notices():
    """Show a DeviceFallbackWarning (--device auto found a GPU it cannot use) as one line,
    ``notice: ...`` on stderr, not as a warning with a file name and line number."""
    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, DeviceFallbackWarning):
            print(f"notice: {message}", file=sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number; got {text}")
    return value


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``xpnet`` command. Returns the exit status."""
    from .checkpoint import CheckpointError
    from .datasets import DatasetError

    args = build_parser().parse_args(argv)
    try:
        with notices(), use_threads(getattr(args, "threads", None)):
            return _run(args)
    except (
        DeviceUnavailableError,
        DatasetError,
        CheckpointError,
        ValueError,
        TypeError,
        OSError,  # a full disk or a read-only --out: the previous checkpoint is still whole
    ) as error:
        print(f"xpnet {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"xpnet {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(args) -> int:
    if args.command == "train":
        from .runs import train_command

        return train_command(args)
    if args.command == "gradcheck":
        from .runs import gradcheck_command

        return gradcheck_command(args)
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
