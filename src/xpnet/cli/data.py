"""The data a command trains or checks on: full MNIST, or the bundled sample as a fallback."""

from __future__ import annotations

import sys


def load_data(
    dataset: str, data_dir: str | None, *, doing: str = "training", resumed: bool = False
):
    """(train, test, name, description) for --dataset auto|mnist|sample; ``doing`` names the
    command's work in the notice of the fallback to the sample; ``resumed``: a run resumed on
    its checkpoint's data, to which the sample is no fix (a new run's, in another --out)."""
    from ..datasets import DatasetError, load_mnist, load_mnist_sample
    from ..datasets import data_dir as resolve_data_dir
    from ..errors import Do

    if dataset in ("auto", "mnist"):  # a quiet try, but for a line on each long wait
        try:
            train, test = load_mnist(normalize=True, flatten=True, root=data_dir)
            sizes = f"{len(train[0])} train / {len(test[0])} test images"  # a cache may hold fewer
            return train, test, "mnist", f"MNIST ({sizes})"
        except DatasetError as error:
            if dataset == "mnist" and resumed and "sample" in error.fields:
                fields = {**error.fields, "sample": Do("use_sample_data_anew")}
                raise DatasetError(error.template, **fields) from None
            if dataset == "mnist":
                raise
            print(
                f"notice: full MNIST is neither in {resolve_data_dir(data_dir)} nor downloadable"
                f" now; {doing} on the bundled 5,000-image sample (`xpnet download mnist` or"
                " --dataset mnist says why)",
                file=sys.stderr,
            )
    train, test = load_mnist_sample(normalize=True, flatten=True)
    description = f"bundled MNIST sample ({len(train[0])} train / {len(test[0])} test images)"
    return train, test, "sample", description
