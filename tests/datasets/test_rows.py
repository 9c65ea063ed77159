"""Data sets read by row ranges (xpnet.datasets.rows), for evaluating on sets larger than memory;
TiledDigits is read in cli/test_evaluate.py and backends/test_dask.py."""

import numpy as np
import pytest

from xpnet.datasets import DatasetError
from xpnet.datasets.rows import ArrayFiles


def test_array_files_refuse_shapes_that_do_not_match(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((4, 784), dtype=np.uint8))
    np.save(tmp_path / "t.npy", np.zeros(5, dtype=np.int64))
    with pytest.raises(DatasetError, match=r"labels of shape \(4,\)"):
        ArrayFiles(tmp_path / "x.npy", tmp_path / "t.npy")
