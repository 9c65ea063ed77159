"""The bundled offline sample: 5,000 real MNIST digits, split 4,000 / 1,000, formatted like
load_mnist."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from xpnet.datasets import load_mnist_sample
from xpnet.datasets import mnist as mnist_module


def test_sample_shapes_dtypes_and_classes():
    (x_train, t_train), (x_test, t_test) = load_mnist_sample()
    assert x_train.shape == (4000, 784) and x_test.shape == (1000, 784)
    assert x_train.dtype == np.float32 and x_train.min() == 0.0 and x_train.max() == 1.0
    assert t_train.dtype == np.int64 and t_test.shape == (1000,)
    assert set(np.unique(t_train)) == set(range(10)) == set(np.unique(t_test))
    assert np.bincount(np.concatenate([t_train, t_test])).tolist() == [500] * 10


def test_sample_formats_like_load_mnist():
    (x, t), (x_test, _) = load_mnist_sample(False, False, True, test_size=500)
    assert x.shape == (4500, 1, 28, 28) and x.dtype == np.uint8 and x_test.shape[0] == 500
    assert t.shape == (4500, 10) and t.dtype == np.float32
    np.testing.assert_array_equal(t.sum(axis=1), 1.0)


def test_sample_split_is_deterministic_disjoint_and_seeded():
    (a, _), (a_test, _) = load_mnist_sample(normalize=False)
    (b, _), _ = load_mnist_sample(normalize=False)
    (c, _), _ = load_mnist_sample(normalize=False, seed=1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    train_rows = {row.tobytes() for row in a}
    assert not any(row.tobytes() in train_rows for row in a_test)  # the 5000 images are distinct
    assert len(train_rows) == 4000


def test_sample_rejects_a_bad_test_size():
    with pytest.raises(ValueError, match="test_size"):
        load_mnist_sample(test_size=5000)


def test_sample_file_is_plain_uint8():
    path = Path(mnist_module.__file__).with_name("mnist_sample.npz")
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["images", "labels"]
        assert npz["images"].shape == (5000, 28, 28) and npz["images"].dtype == np.uint8
        assert npz["labels"].shape == (5000,) and npz["labels"].dtype == np.uint8
