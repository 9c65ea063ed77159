"""xpnet.evaluate: mean loss and accuracy over a whole set, chunked, on every backend.

The oracle is the NumPy network's own loss and accuracy on the whole set at once.
"""

import re

import numpy as np
import pytest

import xpnet
from xpnet.cli import main
from xpnet.datasets import DatasetError
from xpnet.datasets.rows import ArrayFiles, TiledDigits
from xpnet.evaluation import evaluate_blocks


def data(N=23, D=7, C=4, seed=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, D)), rng.integers(0, C, N)


@pytest.mark.parametrize("targets", ["labels", "one-hot"])
@pytest.mark.parametrize("chunk_rows", [5, 23, 100])
def test_evaluate_equals_the_whole_sets_loss_and_accuracy(backend, targets, chunk_rows):
    x_host, t_host = data()
    if targets == "one-hot":
        t_host = np.eye(4)[t_host]
    reference = xpnet.TwoLayerNet(7, 5, 4, 1.0, seed=0)
    net = xpnet.TwoLayerNet(7, 5, 4, 1.0, xp=backend.xp, device=backend.device, seed=0)
    x, t = backend.asarray(x_host), backend.asarray(t_host)
    result = xpnet.evaluate(net, x, t, chunk_rows=chunk_rows)
    assert result.samples == 23
    assert result.accuracy == reference.accuracy(x_host, t_host)
    assert 0.0 < result.accuracy < 1.0  # a set where accuracy tells networks apart
    assert result.loss == pytest.approx(float(reference.loss(x_host, t_host)), rel=1e-12)


def test_evaluate_blocks_sums_blocks_of_any_size():
    x, t = data()
    net = xpnet.TwoLayerNet(7, 5, 4, 1.0, seed=0)
    blocks = [(x[:1], t[:1]), (x[1:20], t[1:20]), (x[20:], t[20:])]
    result = evaluate_blocks(net, blocks)
    assert result.samples == 23 and result.accuracy == net.accuracy(x, t)
    assert result.loss == pytest.approx(float(net.loss(x, t)), rel=1e-12)
    assert str(result).startswith(f"loss {result.loss:.6f}  accuracy {result.accuracy:.4f}")


def test_evaluate_refuses_bad_arguments():
    x, t = data()
    net = xpnet.TwoLayerNet(7, 5, 4, seed=0)
    with pytest.raises(ValueError, match="chunk_rows must be a positive integer; got 0"):
        xpnet.evaluate(net, x, t, chunk_rows=0)
    with pytest.raises(ValueError, match="t must have one row per sample"):
        xpnet.evaluate(net, x, t[:5])
    with pytest.raises(ValueError, match="evaluate got no samples"):
        evaluate_blocks(net, [])


# -- xpnet evaluate on NumPy (on Dask: tests/test_dask.py) ---------------------------------------


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("run") / "checkpoint.npz"
    net = xpnet.TwoLayerNet(784, 30, 10, weight_init_std=0.1, dtype="float32", seed=5)
    xpnet.save_checkpoint(path, net)
    return path, net


def test_cli_evaluate_streams_the_tiled_sample_in_chunks(checkpoint, capsys):
    path, net = checkpoint
    args = ["evaluate", str(path), "--backend", "numpy", "--dataset", "sample", "--tile", "3"]
    assert main([*args, "--chunk-rows", "700"]) == 0
    out = capsys.readouterr().out
    assert "the bundled sample's 1000 test images, repeated 3 times: 3000 x 784 float32" in out
    assert "in 5 chunks of up to 700 rows" in out
    expected = xpnet.evaluate(net, *TiledDigits("sample").read(0, 1000))
    found = re.search(r"loss (\S+)  accuracy (\S+)  on 3000 samples", out)
    assert found, out
    assert float(found.group(1)) == pytest.approx(expected.loss, abs=2e-6)  # float32 sums
    assert float(found.group(2)) == round(expected.accuracy, 4)


def test_cli_evaluate_takes_a_run_folder_like_resume(checkpoint, capsys, tmp_path):
    path, net = checkpoint
    args = ["evaluate", "--backend", "numpy", "--dataset", "sample"]
    assert main([*args, str(path.parent)]) == 0
    out = capsys.readouterr().out
    assert f"checkpoint: {path} (784-30-10 relu)" in out
    expected = xpnet.evaluate(net, *TiledDigits("sample").read(0, 1000))
    assert f"accuracy {expected.accuracy:.4f}  on 1000 samples" in out
    assert main([*args, str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"xpnet evaluate: error: CHECKPOINT {tmp_path}: that is a folder without a"
        " checkpoint.npz; give a run's folder or its checkpoint file"
    )


def test_cli_evaluate_errors_are_one_line(checkpoint, capsys, tmp_path):
    path, _ = checkpoint
    np.save(tmp_path / "x.npy", np.zeros((4, 784), dtype=np.uint8))
    np.save(tmp_path / "t.npy", np.array([0, 1, 12, 3]))
    cases = {
        ("--data", str(tmp_path / "x.npy")): "--data and --labels go together",
        ("--scheduler", "tcp://127.0.0.1:1"): "--scheduler is for --backend dask",
        ("--workers", "3"): "--workers is for --backend dask",
        ("--scheduler", "tcp://127.0.0.1:1", "--workers", "3"): "give one or the other",
        ("--tile", "2", "--data", "x.npy", "--labels", "t.npy"): "--tile repeats --dataset's",
        ("--data", str(tmp_path / "x.npy"), "--labels", str(tmp_path / "t.npy")): "label 12",
        ("--data", str(tmp_path / "nothing.npy"), "--labels", str(tmp_path / "t.npy")): (
            "nothing.npy is not a readable .npy file or Zarr array"
        ),
    }
    for flags, message in cases.items():
        code = main(["evaluate", str(path), "--backend", "numpy", *flags])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("xpnet evaluate: error: ") and message in err, err
        assert len(err.strip().splitlines()) == 1


def test_array_files_refuse_shapes_that_do_not_match(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((4, 784), dtype=np.uint8))
    np.save(tmp_path / "t.npy", np.zeros(5, dtype=np.int64))
    with pytest.raises(DatasetError, match=r"labels of shape \(4,\)"):
        ArrayFiles(tmp_path / "x.npy", tmp_path / "t.npy")
