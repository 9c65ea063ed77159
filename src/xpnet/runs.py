"""`xpnet train` and `xpnet gradcheck`: the commands, and the data they load.

A training run is one object, :class:`xpnet.run.Run`; its folder and files are
:class:`xpnet.runfolder.RunFolder`'s, its settings and the resume rule :mod:`xpnet.settings`'.
"""

from __future__ import annotations

import logging
import sys

from .backend import get_backend


def load_data(dataset: str, data_dir: str | None, *, doing: str = "training"):
    """(train, test, name, description) for --dataset auto|mnist|sample; ``doing`` names the
    command's work in the notice of the fallback to the sample."""
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
                f" now; {doing} on the bundled 5,000-image sample (`xpnet download mnist` or"
                " --dataset mnist says why)",
                file=sys.stderr,
            )
        finally:
            pooch_log.setLevel(level)
    train, test = load_mnist_sample(normalize=True, flatten=True)
    description = f"bundled MNIST sample ({len(train[0])} train / {len(test[0])} test images)"
    return train, test, "sample", description


def train_command(args) -> int:
    """`xpnet train`: one Run (settings, folder, network, trainer), executed."""
    from .run import Run

    return Run(args).execute()


def gradcheck_command(args) -> int:
    from .gradcheck import gradient_check
    from .nets import TwoLayerNet

    backend = get_backend(args.device, backend=args.backend)
    print(f"xpnet gradcheck: {backend.describe()}, float64")
    (x, t), _, _, description = load_data(args.dataset, args.data_dir, doing="checking")
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
