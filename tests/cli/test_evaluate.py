"""`xpnet evaluate CHECKPOINT` on NumPy: a trained network's loss and accuracy on a whole data
set, in chunks (on Dask: backends/test_dask.py). The oracle is xpnet.evaluate on the same data."""

import re

import numpy as np
import pytest

import xpnet
from xpnet.cli import main
from xpnet.datasets.rows import ArrayFiles, TiledDigits, UnscaledImages


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


def test_cli_evaluate_shows_its_progress_over_the_chunks(checkpoint, capsys, monkeypatch):
    path, _ = checkpoint
    args = ["evaluate", str(path), "--backend", "numpy", "--dataset", "sample", "--tile", "3"]
    assert main([*args, "--chunk-rows", "700", "--progress"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"\d/5 \[.*chunk/s", err), err  # a long --tile or --data said nothing
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)  # the default, in a terminal
    assert main([*args, "--chunk-rows", "700"]) == 0
    assert re.search(r"\d/5 \[.*chunk/s", capsys.readouterr().err)
    assert main([*args, "--chunk-rows", "700", "--no-progress"]) == 0
    assert capsys.readouterr().err == ""


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


def test_cli_evaluate_without_mnist_says_the_command_to_get_it(checkpoint, capsys, monkeypatch):
    """evaluate reads MNIST without downloading: its error gives the command line's way to
    download (it said ``call xpnet.load_mnist(download=True)``, Python, to a shell user), and
    Python's load_mnist(download=False) keeps Python's words."""
    path, _ = checkpoint
    empty = path.parent / "no-data"
    monkeypatch.setenv("XPNET_DATA_DIR", str(empty))
    assert main(["evaluate", str(path), "--backend", "numpy", "--dataset", "mnist"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"xpnet evaluate: error: MNIST is not in {empty}"), err
    assert "`xpnet download mnist`" in err and "--dataset sample" in err
    assert "xpnet.load_mnist" not in err and "download=False" not in err
    with pytest.raises(xpnet.datasets.DatasetError) as raised:
        xpnet.load_mnist(download=False)
    assert "download=False: call xpnet.load_mnist(download=True)" in str(raised.value)
    assert "xpnet.load_mnist_sample()" in str(raised.value)


def test_float_images_not_scaled_to_0_1_are_warned_of(checkpoint, capsys, tmp_path):
    """Float pixels 0..255 (not divided by 255) give a loss of ~90 and 10% accuracy with no
    word of why; evaluate warns, naming the file and the fix. Scaled floats and uint8 pixels
    (scaled when read) are not warned of."""
    path, _ = checkpoint
    (x, t), _ = xpnet.load_mnist_sample(normalize=False)
    pixels = x[:300].astype(np.float32)
    files = {"raw": pixels, "scaled": pixels / 255, "uint8": x[:300]}
    for name, images in files.items():
        np.save(tmp_path / f"{name}.npy", images)
    np.save(tmp_path / "t.npy", t[:300])
    labels = ["--labels", str(tmp_path / "t.npy"), "--backend", "numpy"]
    assert main(["evaluate", str(path), "--data", str(tmp_path / "raw.npy"), *labels]) == 0
    err = capsys.readouterr().err
    assert f"warning: {tmp_path / 'raw.npy'}: float images whose first 100 rows reach 255" in err
    assert "divide them by 255 first" in err
    for name in ("scaled", "uint8"):
        assert main(["evaluate", str(path), "--data", str(tmp_path / f"{name}.npy"), *labels]) == 0
        assert "warning" not in capsys.readouterr().err
    with pytest.warns(UnscaledImages, match="reach 255"):
        ArrayFiles(tmp_path / "raw.npy", tmp_path / "t.npy")
