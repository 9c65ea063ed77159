"""TiledDigits: the test split of MNIST or of the bundled sample, repeated ``repeat`` times.

A large set of real digits that takes no disk space: the split is read once per process and
its rows are repeated.
"""

from __future__ import annotations

import functools

import numpy as np

from .source import RowSource

__all__ = ["TiledDigits"]


@functools.cache
def _test_split(dataset: str, data_dir: str | None) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (N, 784) and labels of the test split, read once per process."""
    from ..mnist import load_mnist
    from ..sample import load_mnist_sample

    if dataset == "mnist":
        _, test = load_mnist(normalize=False, root=data_dir, download=False)
    else:
        _, test = load_mnist_sample(normalize=False)
    return test


class TiledDigits(RowSource):
    """The test split of "mnist" (from its cache in data_dir) or "sample", repeated: a data set as
    large as wanted, read block by block.

    Parameters
    ----------
    dataset : {"mnist", "sample"}
    repeat : int, optional
        How many times the test split is repeated.
    data_dir : path, optional
        Where MNIST's cache is.

    Raises
    ------
    ValueError
        For another dataset or a repeat that is not a positive integer.

    Examples
    --------
    >>> source = TiledDigits("sample", repeat=3)
    >>> source.samples, str(source)
    (3000, "the bundled sample's 1000 test images, repeated 3 times")
    """

    classes = 10

    def __init__(self, dataset: str, repeat: int = 1, data_dir: str | None = None) -> None:
        if dataset not in ("mnist", "sample"):
            raise ValueError(f"dataset must be 'mnist' or 'sample'; got {dataset!r}")
        if not (isinstance(repeat, int) and repeat > 0):
            raise ValueError(f"repeat must be a positive integer; got {repeat!r}")
        self.dataset, self.repeat, self.data_dir = dataset, repeat, data_dir
        x, t = _test_split(dataset, data_dir)
        self.x_shape, self.t_shape = (x.shape[0] * repeat, *x.shape[1:]), (t.shape[0] * repeat,)

    def _rows(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        x, t = _test_split(self.dataset, self.data_dir)
        index = np.arange(start, stop) % x.shape[0]
        return x[index], t[index]

    def __str__(self) -> str:
        name = "MNIST" if self.dataset == "mnist" else "the bundled sample"
        times = f", repeated {self.repeat} times" if self.repeat > 1 else ""
        return f"{name}'s {self.samples // self.repeat} test images{times}"
