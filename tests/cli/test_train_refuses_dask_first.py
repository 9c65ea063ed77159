"""`xpnet train --backend dask` refuses before it prints its header or loads any data: the first
and only thing it says is why, and what to do instead."""

from __future__ import annotations

import pytest

from xpnet.cli import main


def test_train_on_dask_refuses_before_the_header(capsys, tmp_path, monkeypatch):
    pytest.importorskip("dask")
    monkeypatch.chdir(tmp_path)
    code = main(["train", "--backend", "dask", "--device", "cpu", "--dataset", "sample"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""  # no "xpnet train: backend dask, ..." header, no "data: ..." line
    assert err.startswith("xpnet train: error: training refuses a network of dask arrays")
    assert "--backend numpy" in err and "xpnet evaluate CHECKPOINT --backend dask" in err
    assert not any(tmp_path.iterdir())  # no run folder was made
