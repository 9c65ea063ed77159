"""`xpnet train` and `xpnet gradcheck`: a training run and the files it leaves in its folder.

A run's folder holds ``config.json`` (what was asked and where it ran), ``metrics.csv`` (one row
per epoch), ``loss.csv`` (one row per step), ``accuracy.png`` and ``loss.png``, and
``checkpoint.npz`` (written after every epoch, on Ctrl-C and at the end, so a run can always be
resumed with ``--resume``).
"""

from __future__ import annotations

import csv
import json
import logging
import math
import platform
import sys
import time
import warnings
from pathlib import Path

from .backend import device_name, get_backend
from .checkpoint import (
    CheckpointError,
    atomic_write,
    load_checkpoint,
    load_params,
    save_checkpoint,
)
from .train import DivergenceError, History, Trainer, TrainingInterrupted

RUN_KEYS = (
    "dataset",
    "dtype",
    "activation",
    "hidden_size",
    "weight_init_std",
    "lr",
    "batch_size",
    "seed",
    "grad",
    "iters",
    "keep_going",
)
TRAINER_KEYS = ("iteration", "rng_state", "batch_size", "train_size")
EXIT_DIVERGED, EXIT_INTERRUPTED = 1, 130


def load_data(dataset: str, data_dir: str | None):
    """(train, test, name, description) for --dataset auto|mnist|sample."""
    from .datasets import DatasetError, load_mnist, load_mnist_sample
    from .datasets import data_dir as resolve_data_dir

    if dataset in ("auto", "mnist"):
        import pooch

        pooch_log = pooch.get_logger()
        level = pooch_log.level
        if dataset == "auto":  # a quiet try: the fallback below says what happened
            pooch_log.setLevel(logging.WARNING)
        try:
            train, test = load_mnist(normalize=True, flatten=True, root=data_dir)
            return train, test, "mnist", "MNIST (60000 train / 10000 test images)"
        except DatasetError:
            if dataset == "mnist":
                raise
            print(
                f"notice: full MNIST is neither in {resolve_data_dir(data_dir)} nor downloadable"
                " now; training on the bundled 5,000-image sample (`xpnet download mnist` or"
                " --dataset mnist says why)",
                file=sys.stderr,
            )
        finally:
            pooch_log.setLevel(level)
    train, test = load_mnist_sample(normalize=True, flatten=True)
    description = f"bundled MNIST sample ({len(train[0])} train / {len(test[0])} test images)"
    return train, test, "sample", description


def _say(line: str) -> None:
    from tqdm.auto import tqdm

    tqdm.write(line, file=sys.stdout)
    sys.stdout.flush()


def train_command(args) -> int:
    from .nets import TwoLayerNet

    checkpoint = load_checkpoint(args.resume) if args.resume else None
    if checkpoint is not None:
        check_resumable(checkpoint, args.resume)
    run = {key: getattr(args, key, None) for key in RUN_KEYS}
    if checkpoint is not None:
        run.update({k: v for k, v in checkpoint.state["run"].items() if k != "iters"})
        run["iters"] = args.iters or checkpoint.state["run"]["iters"]
    backend = get_backend(args.device, backend=args.backend)
    chosen = " (chosen by --device auto)" if args.device == "auto" else ""
    _say(f"xpnet train: {backend.describe()}{chosen}, {run['dtype']}")
    train, test, run["dataset"], description = load_data(run["dataset"], args.data_dir)
    _say(f"data: {description}")
    net = TwoLayerNet(
        int(train[0][0].size),
        run["hidden_size"],
        10,
        run["weight_init_std"],
        activation=run["activation"],
        xp=backend.xp,
        device=backend.device,
        dtype=run["dtype"],
        seed=run["seed"],
    )
    trainer = Trainer(
        net,
        train,
        test,
        batch_size=run["batch_size"],
        learning_rate=run["lr"],
        grad=run["grad"],
        seed=run["seed"],
        on_divergence="continue" if run["keep_going"] else "stop",
    )
    if run["iters"] is None:
        run["iters"] = (args.epochs * trainer.iters_per_epoch) if args.epochs else 10_000
    if checkpoint is not None:
        load_params(net, checkpoint, path=args.resume)
        trainer.load_state_dict(checkpoint.state["trainer"], History.from_arrays(checkpoint.arrays))
        _say(f"resuming from {args.resume} at iteration {trainer.iteration}")
    out = _out_dir(args, checkpoint)
    _write_json(out / "config.json", _config(run, backend, args))
    epochs = math.ceil(run["iters"] / trainer.iters_per_epoch)

    def on_epoch(record) -> None:
        _say(
            f"epoch {record.epoch}/{epochs}  loss {record.loss:.3f}  train acc "
            f"{record.train_acc:.4f}  test acc {record.test_acc:.4f}  {record.seconds:.2f} s"
        )
        _save(out, net, trainer, run)

    progress = sys.stderr.isatty() if args.progress is None else args.progress
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            history = trainer.run(run["iters"], callback=on_epoch, progress=progress)
    except TrainingInterrupted:
        _save(out, net, trainer, run)
        print(
            f"interrupted at iteration {trainer.iteration}; resume with:\n  xpnet train "
            f"--resume {out / 'checkpoint.npz'}",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except DivergenceError as error:
        _save(out, net, trainer, run)
        print(f"xpnet train: error: {error}", file=sys.stderr)
        return EXIT_DIVERGED
    seconds = time.perf_counter() - start
    _save(out, net, trainer, run)
    _plots(out, history, args.no_plot, run)
    last = history.epochs[-1] if history.epochs else None
    summary = f"test acc {last.test_acc:.4f} (train acc {last.train_acc:.4f})" if last else ""
    _say(f"done: {trainer.iteration} iterations in {seconds:.1f} s, {summary}; files in {out}")
    return 0


def check_resumable(checkpoint, path) -> None:
    """Raise CheckpointError unless the checkpoint holds a whole `xpnet train` run to resume."""
    run, trainer = checkpoint.state.get("run"), checkpoint.state.get("trainer")
    if not isinstance(run, dict) or not isinstance(trainer, dict):
        raise CheckpointError(
            f"{path} holds a network but no training run (it was not written by xpnet train), "
            "so it cannot be resumed; load its parameters with xpnet.checkpoint.load_params"
        )
    missing = [key for key in RUN_KEYS if key not in run]
    missing += [key for key in TRAINER_KEYS if key not in trainer]
    missing += [key for key in ("train_loss", "epochs") if key not in checkpoint.arrays]
    if missing:
        raise CheckpointError(f"{path} is damaged: its run state lacks {', '.join(missing)}")
    losses, epochs = checkpoint.arrays["train_loss"], checkpoint.arrays["epochs"]
    if epochs.ndim != 2 or epochs.shape[1] != 6 or losses.shape != (trainer["iteration"],):
        raise CheckpointError(
            f"{path} is damaged: iteration {trainer['iteration']!r} with train_loss of shape "
            f"{losses.shape} and epochs of shape {epochs.shape} (expected (iteration,) and (E, 6))"
        )


def _show_warning(message, category, *args, **kwargs) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _out_dir(args, checkpoint) -> Path:
    if args.out:
        out = Path(args.out)
    elif checkpoint is not None:
        out = Path(args.resume).parent
    else:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        out, n = Path("runs") / stamp, 1
        while out.exists():
            out, n = Path("runs") / f"{stamp}-{n}", n + 1
    out.mkdir(parents=True, exist_ok=True)
    return out


def _config(run: dict, backend, args) -> dict:
    from . import __version__

    return {
        **run,
        "backend": backend.name,
        "device": device_name(backend),
        "device_description": backend.describe(),
        "xpnet": __version__,
        "python": platform.python_version(),
        "command": sys.argv,
        "resumed_from": args.resume,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _save(out: Path, net, trainer, run: dict) -> None:
    """Checkpoint, metrics.csv and loss.csv: everything needed to resume or to plot."""
    history = trainer.history
    save_checkpoint(
        out / "checkpoint.npz",
        net,
        arrays=history.arrays(),
        state={"trainer": trainer.state_dict(), "run": run},
    )
    _write_csv(
        out / "metrics.csv",
        ["epoch", "iteration", "loss", "train_acc", "test_acc", "seconds"],
        [
            [r.epoch, r.iteration, r.loss, r.train_acc, r.test_acc, r.seconds]
            for r in history.epochs
        ],
    )
    _write_csv(
        out / "loss.csv",
        ["iteration", "loss"],
        [[i + 1, loss] for i, loss in enumerate(history.train_loss)],
    )


def _plots(out: Path, history, no_plot: bool, run: dict) -> None:
    from .plot import have_matplotlib, plot_accuracy, plot_loss

    if no_plot:
        return
    if not have_matplotlib():
        print(
            "notice: matplotlib is not installed, so no plots were drawn: "
            'pip install "xpnet[plot]"',
            file=sys.stderr,
        )
        return
    title = f"TwoLayerNet ({run['activation']}), {run['dataset']}"
    plot_accuracy(history, out / "accuracy.png", title=title)
    plot_loss(history, out / "loss.png", title=title)


def _write_json(path: Path, data: dict) -> None:
    text = json.dumps(data, indent=2, default=str).encode()
    atomic_write(path, lambda handle: handle.write(text))


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    atomic_write(path, lambda handle: handle.write(buffer.getvalue().encode()))


def gradcheck_command(args) -> int:
    from .gradcheck import gradient_check
    from .nets import TwoLayerNet

    backend = get_backend(args.device, backend=args.backend)
    print(f"xpnet gradcheck: {backend.describe()}, float64")
    (x, t), _, _, description = load_data(args.dataset, args.data_dir)
    print(f"data: the first {args.samples} images of the {description}")
    net = TwoLayerNet(
        int(x[0].size),
        args.hidden_size,
        10,
        activation=args.activation,
        xp=backend.xp,
        device=backend.device,
        dtype="float64",
        seed=args.seed,
    )
    x_batch = backend.asarray(x[: args.samples], dtype="float64")
    t_batch = backend.asarray(t[: args.samples])
    result = gradient_check(net, x_batch, t_batch)
    print(result)
    return 0 if result.passed else 1
