import csv
import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import TRAINING
from flags import cli_flags, device_flag

from xpnet.backends import Backend, device_name, get_backend
from xpnet.checkpoint import load_checkpoint
from xpnet.cli import main

FAST = ["--dataset", "sample", "--hidden-size", "10", "--batch-size", "100", "--no-progress"]


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "xpnet", *args], capture_output=True, text=True, timeout=300
    )


def test_cli_flags_name_the_sessions_backend(backend):
    again = get_backend(cli_flags(backend)[3], backend=cli_flags(backend)[1])
    assert (again.name, again.device) == (backend.name, backend.device)


def test_cli_flags_of_a_gpu_name_its_index():
    """Checked without a GPU: the device objects exist without one."""
    torch = pytest.importorskip("torch")
    assert device_flag(Backend("torch", None, torch.device("cuda", 2))) == "cuda:2"
    cupy = pytest.importorskip("cupy")
    assert device_flag(Backend("cupy", None, cupy.cuda.Device(1))) == "cuda:1"


@pytest.mark.skip_lazy(reason=TRAINING)
def test_train_writes_every_file(backend, tmp_path, capsys):
    code = main(["train", *cli_flags(backend), "--iters", "80", "--out", str(tmp_path), *FAST])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0].startswith(
        f"xpnet train: backend {backend.name}, device {device_name(backend)}"
    )
    lines = out.splitlines()
    assert lines[3].split() == [
        "epoch",
        "iteration",
        "loss",
        "train",
        "acc",
        "test",
        "acc",
        "seconds",
    ]
    assert lines[5].split()[:2] == ["2/2", "41"] and lines[6].split()[:2] == ["final", "80"]
    assert "the final model's test acc" in lines[-1]
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        "config.json",
        "metrics.csv",
        "loss.csv",
        "checkpoint.npz",
        "accuracy.png",
        "loss.png",
    } <= names
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["dataset"] == "sample" and config["backend"] == backend.name
    assert config["device"] == device_name(backend)  # "cuda:0", not CuPy's "<CUDA Device 0>"
    rows = list(csv.DictReader((tmp_path / "metrics.csv").open()))
    assert [int(r["iteration"]) for r in rows] == [1, 41, 80]  # the last row: the final model
    assert len((tmp_path / "loss.csv").read_text().splitlines()) == 81


@pytest.mark.skip_lazy(reason=TRAINING)
def test_resume_continues_to_the_same_result(backend, tmp_path, capsys):
    whole, part = tmp_path / "whole", tmp_path / "part"
    common = ["train", *cli_flags(backend), "--dtype", "float64", "--no-plot", *FAST]
    assert main([*common, "--iters", "90", "--out", str(whole)]) == 0
    assert main([*common, "--iters", "50", "--out", str(part)]) == 0
    assert (
        main(
            [
                "train",
                *cli_flags(backend),
                "--resume",
                str(part / "checkpoint.npz"),
                "--iters",
                "90",
                "--no-progress",
                "--no-plot",
            ]
        )
        == 0
    )
    assert "resuming from" in capsys.readouterr().out
    a, b = load_checkpoint(whole / "checkpoint.npz"), load_checkpoint(part / "checkpoint.npz")
    np.testing.assert_allclose(b.arrays["train_loss"], a.arrays["train_loss"], rtol=1e-12)
    for key in a.params:
        np.testing.assert_allclose(b.params[key], a.params[key], rtol=1e-12, atol=1e-15)


def test_cuda_without_a_gpu_exits_2_with_one_line():
    """Without CuPy, whatever the session's backend: the message is the default backend's."""
    try:
        import cupy  # noqa: F401

        pytest.skip("CuPy is installed here")
    except ImportError:
        pass
    result = run_cli("train", "--device", "cuda", "--dataset", "sample", "--iters", "1")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.stderr
    assert 'pip install "xpnet[cuda12]"' in result.stderr and "--device cpu" in result.stderr


@pytest.mark.skip_lazy(reason=TRAINING)
def test_divergence_exits_1_and_keeps_the_files(backend, tmp_path, capsys):
    code = main(
        [
            "train",
            *cli_flags(backend),
            "--lr",
            "1e10",
            "--iters",
            "200",
            "--dataset",
            "sample",
            "--no-progress",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "with --lr 1e+10; try --lr 0.1 (the book's), or keep going with --keep-going" in err
    assert (tmp_path / "checkpoint.npz").exists() and (tmp_path / "diverged.npz").exists()


def test_bad_resume_file_is_one_line(tmp_path):
    """Fails on reading the file, before any backend: one run in a subprocess is enough."""
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    result = run_cli("train", "--resume", str(bad))
    assert result.returncode == 2
    assert "not a readable checkpoint" in result.stderr and "Traceback" not in result.stderr


def test_gradcheck_command_passes(backend, capsys):
    code = main(
        [
            "gradcheck",
            *cli_flags(backend),
            "--dataset",
            "sample",
            "--hidden-size",
            "4",
            "--samples",
            "2",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    first = f"xpnet gradcheck: backend {backend.name}, device {device_name(backend)}"
    assert out.startswith(first)
    assert "W1" in out and "b2" in out


def test_info_lists_backends(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    for name in ("numpy", "cupy", "torch", "array_api_strict"):
        assert name in out


# The two tests below are about choosing the data set, on the host before any backend is used:
# NumPy (--device cpu) in every session.


def test_auto_dataset_falls_back_to_the_sample_with_one_notice(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XPNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", "http://127.0.0.1:1/")  # a closed port
    code = main(
        [
            "train",
            "--device",
            "cpu",
            "--iters",
            "5",
            "--no-progress",
            "--no-plot",
            "--out",
            str(tmp_path / "run"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert captured.err.count("\n") == 1 and captured.err.startswith("notice: full MNIST")
    assert json.loads((tmp_path / "run" / "config.json").read_text())["dataset"] == "sample"


def test_explicit_mnist_without_network_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XPNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", "http://127.0.0.1:1/")
    assert main(["train", "--dataset", "mnist", "--device", "cpu", "--iters", "5"]) == 2
    assert "--dataset sample" in capsys.readouterr().err


def test_a_resumed_mnist_run_without_mnist_is_not_told_to_use_the_sample(
    tmp_path, monkeypatch, capsys
):
    """A cache of 200/100 digits: the data line gives its sizes (it said 60000 / 10000 for any
    cache). Resumed once the cache is gone and offline, the error's fix was --dataset sample,
    which the resume then refused (a resumed run keeps its data): it names a new run instead,
    and that new run is what then works."""
    import xpnet

    data = tmp_path / "data"
    data.mkdir()
    (x, t), (x_test, t_test) = xpnet.load_mnist_sample(normalize=False, flatten=False)
    digits = {"x_train": x[:200, 0], "t_train": t[:200], "x_test": x_test[:100, 0]}
    labels = {"t_train": t[:200].astype(np.uint8), "t_test": t_test[:100].astype(np.uint8)}
    np.savez(data / "mnist.npz", **{**digits, **labels})  # the cache's form: uint8 throughout
    monkeypatch.setenv("XPNET_DATA_DIR", str(data))
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", "http://127.0.0.1:1/")  # a closed port
    run = tmp_path / "run"
    flags = ["--device", "cpu", "--no-progress", "--no-plot"]
    assert main(["train", *flags, "--iters", "3", "--batch-size", "20", "--out", str(run)]) == 0
    assert "data: MNIST (200 train / 100 test images)\n" in capsys.readouterr().out
    (data / "mnist.npz").unlink()
    assert main(["train", *flags, "--resume", str(run), "--iters", "6"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]  # the error is the last line
    assert err.startswith("xpnet train: error: could not download a verified")
    assert err.endswith(
        "use the bundled 5,000-image sample: a new run with --dataset sample and another --out"
        " (a resumed run keeps its checkpoint's data)"
    )
    assert main(["train", *flags, "--resume", str(run), "--dataset", "sample"]) == 2
    assert "contradict the checkpoint: --dataset sample" in capsys.readouterr().err
    new = ["--dataset", "sample", "--iters", "3", "--out", str(tmp_path / "new")]
    assert main(["train", *flags, *new]) == 0


def test_a_resume_keeps_the_commands_before_it_in_config_json(tmp_path, capsys):
    """config.json is written anew by each command; a resume lists the ones before it (their
    command, start, learning rate, first iteration), so a --lr changed on resume is not lost,
    and the plots' title gives each rate. An unreadable config.json is said, not fatal."""
    from xpnet.cli.runfiles import lr_text

    run = tmp_path / "run"
    common = ["train", "--device", "cpu", "--no-plot", *FAST, "--out", str(run)]
    assert main([*common, "--iters", "20", "--lr", "0.1"]) == 0
    assert main(["train", "--resume", str(run), "--iters", "40", "--lr", "0.05", "--no-plot"]) == 0
    assert main(["train", "--resume", str(run), "--iters", "60", "--no-plot"]) == 0
    config = json.loads((run / "config.json").read_text())
    earlier = config["earlier_runs"]
    assert [r["from_iteration"] for r in [*earlier, config]] == [0, 20, 40]
    assert [r["lr"] for r in [*earlier, config]] == [0.1, 0.05, 0.05]
    assert "--iters" in earlier[0]["command"] and "20" in earlier[0]["command"]
    assert earlier[0]["resumed_from"] is None and "earlier_runs" not in earlier[0]
    assert lr_text(0.05, [*earlier, config]) == "lr 0.1, 0.05 from step 20"
    assert lr_text(0.1, [earlier[0]]) == "lr 0.1" and lr_text(0.3, []) == "lr 0.3"
    (run / "config.json").write_text("{not json")
    capsys.readouterr()
    assert main(["train", "--resume", str(run), "--iters", "70", "--no-plot"]) == 0
    assert f"notice: {run / 'config.json'} cannot be read (" in capsys.readouterr().out
    again = json.loads((run / "config.json").read_text())
    assert again["earlier_runs"] == [] and again["from_iteration"] == 60
