"""Issue 6: bad input, divergence, interruption and corrupt files get clear errors; nothing is lost.

Each test closes a gap left by the module tests (test_train, test_checkpoint, test_cli,
test_datasets, test_gradient, test_two_layer_net), which already cover the rest:
mismatched N, wrong feature size, a bad target shape, labels out of range, NaN in x, empty data,
batch_size above the data set (Trainer, numpy); integer/bool x for numerical_gradient; x of
another library or device (TwoLayerNet); divergence and the stuck-loss warning on a small subset;
Ctrl-C inside one process; a failed checkpoint write; truncated, foreign, object-array and
mis-shaped checkpoints; damaged IDX files and caches.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import math
import os
import pickle
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import assert_close

import xpnet
from xpnet import validate
from xpnet.backends import get_backend, to_numpy
from xpnet.checkpoint import CheckpointError, load_checkpoint, load_params, save_checkpoint
from xpnet.cli import main
from xpnet.datasets import DatasetError, load_mnist
from xpnet.datasets import mnist as mnist_module
from xpnet.train import DivergenceError, Trainer, TrainingInterrupted, TrainingWarning

FORMAT = "xpnet-checkpoint/1"
SAMPLE = ["--dataset", "sample", "--device", "cpu", "--no-progress", "--no-plot"]


@pytest.fixture(scope="module")
def sample():
    """The bundled sample as xpnet train uses it: 4,000 train / 1,000 test images."""
    return xpnet.load_mnist_sample()


@pytest.fixture(scope="module")
def small(sample):
    (x, t), (x_test, t_test) = sample
    return (x[:300], t[:300]), (x_test[:100], t_test[:100])


def make_net(backend, hidden=20, dtype="float64", seed=0):
    return xpnet.TwoLayerNet(
        784, hidden, 10, xp=backend.xp, device=backend.device, dtype=dtype, seed=seed
    )


def strict(device):
    pytest.importorskip("array_api_strict")
    return get_backend(device, backend="array_api_strict")


# -- 1. bad input, checked once at the public boundary --------------------------------------------


def _one_hot(t):
    return np.eye(10, dtype=np.float32)[t]


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (
            lambda x, t: (np.where(x > 0.5, np.inf, x), t),
            ValueError,
            r"infinity \(first at index \(\d+, \d+\)\)",
        ),
        (lambda x, t: (x, t - 1), ValueError, r"labels t must lie in 0..9 .* from -1 to 8"),
        (lambda x, t: (x, t[:-1]), ValueError, "x has 300 samples but t has 299"),
        (lambda x, t: (x.reshape(300, 28, 28)[:, :20], t), ValueError, "560 features"),
        (
            lambda x, t: (x, np.where(np.arange(10) == 3, np.nan, _one_hot(t))),
            ValueError,
            r"one-hot targets t of shape \(300, 10\) must hold a single 1 per row.*row 0 is",
        ),
        (lambda x, t: (x, _one_hot(t) * 0.5), ValueError, "single 1 per row"),
        (lambda x, t: (x, t.astype(np.float64)), TypeError, "labels t must be integers"),
    ],
)
def test_bad_training_data_of_any_backend_is_named(backend, small, change, error, message):
    """Data handed over as the backend's own arrays is checked like host data, on the host."""
    (x, t), test = small
    x, t = change(x, t)
    train = (backend.asarray(x), backend.asarray(t))
    with pytest.raises(error, match=f"train_data: .*{message}"):
        Trainer(make_net(backend), train, test, batch_size=50)


def test_bad_test_data_is_named_as_test_data(small):
    train, (x, t) = small
    net = make_net(get_backend("cpu"))
    with pytest.raises(ValueError, match=r"test_data: labels t must lie in 0..9 .* to 10"):
        Trainer(net, train, (x, t + 1), batch_size=50)
    with pytest.raises(ValueError, match=r"test_data: x must hold a batch .* N > 0"):
        Trainer(net, train, (x[:0], t[:0]), batch_size=50)


def test_value_checks_run_once_where_data_enters_never_in_the_loop(small, monkeypatch):
    calls = []
    check = validate._check_pair
    monkeypatch.setattr(validate, "_check_pair", lambda *a: calls.append(a[0]) or check(*a))
    trainer = Trainer(make_net(get_backend("cpu")), *small, batch_size=50, seed=0)
    assert calls == ["train_data", "test_data"]
    trainer.run(20)  # 6 steps an epoch: several evaluations and log points
    assert calls == ["train_data", "test_data"]


def test_a_numpy_net_refuses_torch_arrays_and_a_torch_net_numpy_arrays():
    torch = pytest.importorskip("torch")
    numpy_net = xpnet.TwoLayerNet(7, 5, 4, seed=0)
    torch_net = xpnet.TwoLayerNet(7, 5, 4, xp=get_backend("cpu", backend="torch").xp, seed=0)
    x_np, t_np = np.zeros((2, 7)), np.array([0, 1])
    x_torch, t_torch = torch.zeros((2, 7), dtype=torch.float64), torch.tensor([0, 1])
    with pytest.raises(
        TypeError,
        match="x is a torch tensor but the network's parameters are numpy arrays; create the net"
        r" with xp=\.\.\. / device=\.\.\. or move x with net.backend.asarray",
    ):
        numpy_net.gradient(x_torch, t_np)
    with pytest.raises(TypeError, match="t is a torch tensor but .* numpy arrays"):
        numpy_net.loss(x_np, t_torch)
    with pytest.raises(TypeError, match="x is a numpy array but .* torch tensors"):
        torch_net.loss(x_np, t_torch)
    with pytest.raises(TypeError, match="t is a numpy array but .* torch tensors"):
        torch_net.accuracy(x_torch, t_np)


def test_functions_name_arrays_of_two_libraries():
    torch = pytest.importorskip("torch")
    y_np, t_np = np.full((2, 3), 1 / 3), np.array([0, 2])
    y_torch, t_torch = torch.asarray(y_np), torch.asarray(t_np)
    with pytest.raises(
        TypeError,
        match=r"cross_entropy_error needs y and t from one array library; got y from numpy and"
        r" t from torch. Convert t first: t = xp.asarray\(t\)",
    ):
        xpnet.cross_entropy_error(y_np, t_torch)
    with pytest.raises(TypeError, match="got y from torch and t from numpy"):
        xpnet.cross_entropy_error(y_torch, t_np)
    with pytest.raises(TypeError, match="sum_squared_error needs y and t from one array library"):
        xpnet.sum_squared_error(y_np, torch.asarray(y_np))
    with pytest.raises(TypeError, match="cross_entropy_error: t must be an array; got list"):
        xpnet.cross_entropy_error(y_np, [0, 2])


def test_functions_name_arrays_on_two_devices():
    cpu, other = strict("cpu"), strict("device1")
    y, t = cpu.asarray(np.full((2, 3), 1 / 3)), other.asarray(np.array([0, 2]))
    with pytest.raises(
        ValueError,
        match=r"cross_entropy_error: y is on device .*CPU_DEVICE.* but t is on .*device1.*;"
        r" move t first: t = array_api_compat.to_device",
    ):
        xpnet.cross_entropy_error(y, t)


def test_targets_on_another_device_are_named():
    here, there = strict("device1"), strict("cpu")
    net = xpnet.TwoLayerNet(7, 5, 4, xp=here.xp, device=here.device, seed=0)
    x = here.asarray(np.zeros((2, 7)))
    with pytest.raises(ValueError, match=r"t is on device .*CPU_DEVICE.* parameters are on .*dev"):
        net.loss(x, there.asarray(np.array([0, 1])))


def test_cross_entropy_of_an_empty_batch_is_an_error_not_nan(backend):
    y, t = backend.asarray(np.zeros((0, 10))), backend.asarray(np.zeros(0, dtype=np.int64))
    with pytest.raises(ValueError, match=r"y is an empty batch of shape \(0, 10\)"):
        xpnet.cross_entropy_error(y, t)


def test_numerical_gradient_refuses_half_precision():
    """float16 (and torch's bfloat16) cannot hold x + 1e-4: the book's code returns zeros."""
    x = np.array([3.0, 4.0], dtype=np.float16)
    with pytest.raises(TypeError, match=r"too small for dtype float16 .*xp.astype\(x, xp.float64"):
        xpnet.numerical_gradient(lambda v: np.sum(v**2), x)
    assert x.tolist() == [3.0, 4.0]
    torch = pytest.importorskip("torch")
    for dtype in (torch.float16, torch.bfloat16):
        with pytest.raises(TypeError, match="too small for dtype torch"):
            xpnet.numerical_gradient(lambda v: (v**2).sum(), torch.tensor([3.0], dtype=dtype))


def test_numerical_gradient_restores_x_after_ctrl_c(backend):
    x = backend.asarray([1.0, 2.0, 3.0])

    def f(v):
        if float(v[1]) != 2.0:  # interrupted while x[1] is perturbed
            raise KeyboardInterrupt
        return v[0] * 0.0

    with pytest.raises(KeyboardInterrupt):
        xpnet.numerical_gradient(f, x)
    assert_close(x, [1.0, 2.0, 3.0], rtol=0)


def test_cli_names_a_batch_size_above_the_data_set(tmp_path, capsys):
    code = main(["train", *SAMPLE, "--batch-size", "5000", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "xpnet train: error: batch_size must be an integer from 1 to the training set's size"
        " 4000; got 5000\n"
    )


# -- 2. divergence ------------------------------------------------------------------------------


@pytest.mark.parametrize("log_every", [1, 50])
def test_divergence_names_the_first_non_finite_iteration(backend, sample, log_every):
    """lr=1e10 on the sample gives NaN by the 4th step; the error names that step, not the
    log point that found it, with the learning rate and what to do."""
    net = make_net(backend, hidden=50, dtype="float32")
    trainer = Trainer(net, *sample, learning_rate=1e10, seed=0, log_every=log_every)
    with pytest.raises(DivergenceError) as raised:
        trainer.run(200)
    error = raised.value
    assert 1 < error.iteration <= 4
    losses = error.history.train_loss
    assert all(math.isfinite(v) for v in losses[: error.iteration - 1])
    assert not math.isfinite(losses[error.iteration - 1])
    assert f"at iteration {error.iteration} with learning_rate=1e+10; try learning_rate=0.1" in str(
        error
    )
    assert "on_divergence='continue'" in str(error) and "--" not in str(error)  # Python words


def test_cli_reports_divergence_with_its_iteration(tmp_path, capsys):
    code = main(["train", *SAMPLE, "--lr", "1e10", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("xpnet train: error: training diverged: the loss became nan at iteration")
    iteration = int(err.split("at iteration ")[1].split()[0])
    assert iteration <= 4
    # the last finite state stays in checkpoint.npz; the diverged one has a file of its own
    assert load_checkpoint(tmp_path / "checkpoint.npz").state["trainer"]["iteration"] < iteration
    assert f"the diverged one is in {tmp_path / 'diverged.npz'}" in err
    with np.load(tmp_path / "diverged.npz") as diverged:
        assert not np.isfinite(diverged["params/W1"]).all()


def test_learning_rate_1000_stays_finite_at_chance_and_warns(backend, sample):
    net = make_net(backend, hidden=50, dtype="float32")
    with pytest.warns(TrainingWarning, match=r"learning_rate=1000: it is probably too large"):
        history = Trainer(net, *sample, learning_rate=1000.0, seed=0).run(41)  # 2 epochs
    assert all(math.isfinite(v) for v in history.train_loss)  # no DivergenceError: finite
    assert min(history.train_loss[1:]) > 2 * math.log(10)  # worse than guessing
    assert max(history.test_acc) < 0.2  # chance is 0.1


def test_cli_prints_the_training_warning(tmp_path, capsys):
    code = main(["train", *SAMPLE, "--lr", "1000", "--iters", "41", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 0
    assert "warning: the training loss has stayed above 2*ln(10) = 4.61" in err
    assert "--lr 1000: it is probably too large; try --lr 0.1 (the book's)" in err  # CLI words


def test_healthy_run_never_warns_on_any_backend(backend, small):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = xpnet.train(make_net(backend), *small, iters_num=30, batch_size=50, seed=0)
    assert all(math.isfinite(v) for v in history.train_loss)


# -- 3. interruption ------------------------------------------------------------------------------


def _xpnet(*args: str) -> subprocess.Popen:
    """`python -m xpnet train` on the sample, float64, one BLAS thread (two runs share the CPU)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return subprocess.Popen(
        [sys.executable, "-m", "xpnet", "train", *SAMPLE, "--dtype", "float64", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def _wait_for_rows(path: Path, rows: int, process: subprocess.Popen, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"xpnet train ended early: {_finish(process)}")
        if path.exists() and len(path.read_text().splitlines()) >= rows + 1:  # + header
            return
        time.sleep(0.01)
    process.kill()
    pytest.fail(f"{path} did not reach {rows} rows in {timeout} s")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX")
def test_ctrl_c_writes_a_checkpoint_and_resuming_equals_never_stopping(tmp_path):
    """End to end: SIGINT to `xpnet train`, exit 130 with the resume command, then --resume
    to N steps gives the losses and weights of one run of N steps (float64, to 1e-12)."""
    run, whole = tmp_path / "run", tmp_path / "whole"
    process = _xpnet("--iters", "3000", "--out", str(run))
    _wait_for_rows(run / "metrics.csv", 2, process)
    process.send_signal(signal.SIGINT)
    code, _, err = _finish(process)
    assert code == 130, err
    assert f"resume with:\n  xpnet train --resume {run / 'checkpoint.npz'}" in err
    assert "Traceback" not in err
    stopped = load_checkpoint(run / "checkpoint.npz")
    done = stopped.state["trainer"]["iteration"]
    assert 41 <= done < 3000  # stopped after the 2nd evaluation (40 steps an epoch)
    assert stopped.arrays["train_loss"].shape == (done,)
    with (run / "metrics.csv").open() as file:
        assert int(list(csv.DictReader(file))[-1]["iteration"]) <= done

    target = done + 50  # past at least one more evaluation
    resumed = _xpnet("--resume", str(run / "checkpoint.npz"), "--iters", str(target))
    reference = _xpnet("--iters", str(target), "--out", str(whole))
    (code_a, out_a, err_a), (code_b, _, err_b) = _finish(resumed), _finish(reference)
    assert (code_a, code_b) == (0, 0), err_a + err_b
    assert f"resuming from {run / 'checkpoint.npz'} at iteration {done}" in out_a
    a, b = load_checkpoint(run / "checkpoint.npz"), load_checkpoint(whole / "checkpoint.npz")
    assert a.state["trainer"]["iteration"] == b.state["trainer"]["iteration"] == target
    np.testing.assert_allclose(a.arrays["train_loss"], b.arrays["train_loss"], rtol=1e-12)
    np.testing.assert_allclose(a.arrays["epochs"][:, :5], b.arrays["epochs"][:, :5], rtol=1e-12)
    for name in b.params:
        np.testing.assert_allclose(a.params[name], b.params[name], rtol=1e-12, atol=1e-15)


def press_ctrl_c() -> None:
    """Send SIGINT to this process; return once its Python handler has run (or raise from it)."""
    handler = signal.getsignal(signal.SIGINT)
    os.kill(os.getpid(), signal.SIGINT)
    deadline = time.monotonic() + 5.0
    while signal.getsignal(signal.SIGINT) is handler and time.monotonic() < deadline:
        time.sleep(0.001)  # CPython runs handlers between bytecodes: at the latest, here


def pressing_ctrl_c_in_step(step: int, presses: int, seen: list):
    """A TwoLayerNet._loss_and_gradient (what the Trainer's step calls) that presses Ctrl-C
    `presses` times inside call `step`."""
    real = xpnet.TwoLayerNet._loss_and_gradient

    def loss_and_gradient(net, x, t):
        seen.append("step")
        if len(seen) == step:
            for press in range(presses):
                press_ctrl_c()
                seen.append(f"after press {press + 1}")
        return real(net, x, t)

    return loss_and_gradient


@pytest.fixture(params=["python's handler", "ignored"])
def sigint_before(request):
    """SIGINT's disposition before training: Python's own handler, or ignored (as under nohup
    or in a background job of a non-interactive shell); put back afterwards."""
    wanted = signal.default_int_handler if request.param == "python's handler" else signal.SIG_IGN
    saved = signal.signal(signal.SIGINT, wanted)
    yield wanted
    signal.signal(signal.SIGINT, saved)


@pytest.mark.parametrize("presses", [1, 2])
def test_a_second_ctrl_c_stops_the_step_at_once(small, monkeypatch, presses, sigint_before):
    """One Ctrl-C during step 5 lets that step finish, then TrainingInterrupted; a second one
    during the same step raises KeyboardInterrupt there and then: the step never ends, even
    where SIGINT was ignored before training began."""
    seen = []
    monkeypatch.setattr(
        xpnet.TwoLayerNet, "_loss_and_gradient", pressing_ctrl_c_in_step(5, presses, seen)
    )
    trainer = Trainer(make_net(get_backend("cpu")), *small, batch_size=50, seed=2)
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt) as raised:
        trainer.run(100)
    assert seen[-1] == "after press 1"  # the first press alone never stops a step mid-way
    if presses == 1:
        assert raised.type is TrainingInterrupted
        assert trainer.iteration == 5  # step 5 finished, no other began
    else:
        assert raised.type is KeyboardInterrupt  # the base class, not TrainingInterrupted
        assert trainer.iteration == 4  # step 5 was cut short
    assert signal.getsignal(signal.SIGINT) is before is sigint_before  # the trainer's is gone


def test_cli_second_ctrl_c_exits_130_and_keeps_the_last_checkpoint(
    tmp_path, capsys, monkeypatch, sigint_before
):
    """Two presses in one step: `xpnet train` exits 130 at once with one line, no traceback and
    no resume hint; the checkpoint of the last evaluation (iteration 1) stays whole."""
    monkeypatch.setattr(xpnet.TwoLayerNet, "_loss_and_gradient", pressing_ctrl_c_in_step(5, 2, []))
    code = main(["train", *SAMPLE, "--iters", "100", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 130
    assert err == "xpnet train: interrupted\n"
    assert load_checkpoint(tmp_path / "checkpoint.npz").state["trainer"]["iteration"] == 1
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_ctrl_c_while_a_checkpoint_is_written_keeps_the_previous_one(tmp_path, monkeypatch):
    net = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    path = save_checkpoint(tmp_path / "c.npz", net, state={"iteration": 1})
    before = path.read_bytes()

    def interrupted(handle, **arrays):
        handle.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, net, state={"iteration": 2})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.npz"]


def test_cli_full_disk_is_one_line_and_keeps_the_last_checkpoint(tmp_path, capsys, monkeypatch):
    real_savez, calls = np.savez, []

    def fills_up(handle, **arrays):
        calls.append(1)
        if len(calls) > 1:  # the first epoch's checkpoint is written, the second is not
            raise OSError(28, "No space left on device")
        real_savez(handle, **arrays)

    monkeypatch.setattr(np, "savez", fills_up)
    code = main(["train", *SAMPLE, "--iters", "100", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    checkpoint = tmp_path / "checkpoint.npz"  # issue 22: the file, what is kept, the resume
    assert err == (
        f"xpnet train: error: could not write {checkpoint}: [Errno 28] No space left on device;"
        f" {checkpoint} is kept, at iteration 1: free some space on that disk, then resume with:"
        f" xpnet train --resume {checkpoint}\n"
    )
    assert load_checkpoint(tmp_path / "checkpoint.npz").state["trainer"]["iteration"] == 1
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# MNIST cache: a fake data set of 20 + 10 images in a temporary data folder, never the network.


@pytest.fixture
def mnist_files(tmp_path, monkeypatch):
    """The four .gz files of a small fake MNIST, verified, in a fresh XPNET_DATA_DIR."""
    monkeypatch.setenv("XPNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", "http://127.0.0.1:1/")  # closed: no network
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "t_train": np.arange(20, dtype=np.uint8) % 10,
        "x_test": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        "t_test": np.arange(10, dtype=np.uint8),
    }
    directory = tmp_path / "data"
    directory.mkdir()
    checksums = {}
    for key, (name, magic) in mnist_module.PARTS.items():
        header = magic.to_bytes(4, "big") + b"".join(
            d.to_bytes(4, "big") for d in arrays[key].shape
        )
        data = gzip.compress(header + arrays[key].tobytes())
        (directory / name).write_bytes(data)
        checksums[name] = hashlib.sha256(data).hexdigest()
    monkeypatch.setattr(mnist_module, "CHECKSUMS", checksums)
    return directory, arrays


def test_failed_cache_write_keeps_the_previous_cache(mnist_files, monkeypatch):
    directory, arrays = mnist_files
    load_mnist(download=False)  # builds mnist.npz
    cache = directory / "mnist.npz"
    before = cache.read_bytes()

    def broken(handle, **contents):
        handle.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="No space left"):
        mnist_module._write_cache(cache, arrays)
    assert cache.read_bytes() == before
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [*mnist_module.CHECKSUMS, cache.name]
    )


def test_failed_cache_rebuild_leaves_no_partial_cache(mnist_files, monkeypatch):
    directory, arrays = mnist_files
    real_savez = np.savez

    def broken(handle, **contents):
        handle.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="No space left"):
        load_mnist(download=False)
    assert sorted(p.name for p in directory.iterdir()) == sorted(mnist_module.CHECKSUMS)
    monkeypatch.setattr(np, "savez", real_savez)
    (_, t), _ = load_mnist(download=False, normalize=False)  # the next try just works
    np.testing.assert_array_equal(t, arrays["t_train"])


# -- 4. corrupt files -----------------------------------------------------------------------------


def _checkpoint(tmp_path) -> Path:
    return save_checkpoint(tmp_path / "c.npz", xpnet.TwoLayerNet(6, 4, 3, seed=0))


def _write_npz(path: Path, meta, **arrays) -> Path:
    meta = meta if isinstance(meta, np.ndarray) else np.array(meta)
    np.savez(path, meta=meta, **arrays)
    return path


def test_an_altered_byte_in_a_checkpoint_is_caught(tmp_path):
    path = _checkpoint(tmp_path)
    data = bytearray(path.read_bytes())
    data[200] ^= 0xFF  # inside params/W1's data: the zip's CRC-32 no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"not a readable checkpoint .*Bad CRC-32.*W1"):
        load_checkpoint(path)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("{not json", "is an .npz file but not an xpnet checkpoint"),
        ("[1, 2]", r"not an xpnet checkpoint \(its meta is JSON list, not an object\)"),
        (json.dumps({"format": FORMAT}), "is damaged: its meta has no 'net' configuration"),
        (json.dumps({"format": FORMAT, "net": {}, "state": 5}), "meta 'state' is int"),
        (json.dumps({"format": "other/2", "net": {}}), "has format 'other/2'; expected"),
        (np.zeros(3), "not an xpnet checkpoint"),
    ],
)
def test_an_altered_meta_is_a_clear_error(tmp_path, meta, message):
    path = _write_npz(tmp_path / "c.npz", meta, **{"params/W1": np.zeros((6, 4))})
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path)


def test_integer_parameters_in_a_checkpoint_are_refused(tmp_path):
    meta = json.dumps({"format": FORMAT, "net": {}})
    path = _write_npz(tmp_path / "c.npz", meta, **{"params/W1": np.zeros((6, 4), dtype=np.int64)})
    with pytest.raises(CheckpointError, match="parameter W1 has dtype int64; expected float32"):
        load_checkpoint(path)


def test_a_checkpoint_of_another_network_names_the_parameters(tmp_path):
    simple = SimpleNamespace(config={"net": "SimpleNet"}, params=xpnet.SimpleNet(seed=0).params)
    path = save_checkpoint(tmp_path / "simple.npz", simple)
    with pytest.raises(CheckpointError, match=r"holds parameters \['W'\]; the network has \['W1'"):
        load_params(xpnet.TwoLayerNet(6, 4, 3), load_checkpoint(path))
    path = save_checkpoint(tmp_path / "wide.npz", xpnet.TwoLayerNet(6, 4, 5, seed=0))
    with pytest.raises(
        CheckpointError, match=r"parameter W2 has shape \(4, 5\) but the network expects \(4, 3\)"
    ):
        load_params(xpnet.TwoLayerNet(6, 4, 3), load_checkpoint(path))


TRIPPED: list[str] = []


def _trip(what):
    TRIPPED.append(what)  # what unpickling would run: here a harmless record of it
    return what


class Trap:
    def __reduce__(self):
        return (_trip, ("unpickled",))


def test_a_checkpoint_with_a_malicious_object_array_runs_no_code(tmp_path):
    trap = np.empty(1, dtype=object)
    trap[0] = Trap()
    path = tmp_path / "evil.npz"
    np.savez(path, meta=np.array(json.dumps({"format": FORMAT, "net": {}})), **{"params/W1": trap})
    assert pickle.loads(pickle.dumps(Trap())) == "unpickled" and TRIPPED == ["unpickled"]
    TRIPPED.clear()  # the trap works when unpickled; xpnet must never do so
    with pytest.raises(CheckpointError, match="holds an object array, which xpnet never loads"):
        load_checkpoint(path)
    pickled = tmp_path / "pickle.npz"
    pickled.write_bytes(pickle.dumps({"params/W1": Trap()}))
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(pickled)
    assert TRIPPED == []


def test_resuming_a_checkpoint_without_a_run_is_one_line(tmp_path, capsys):
    path = _checkpoint(tmp_path)
    assert main(["train", "--device", "cpu", "--resume", str(path), "--no-progress"]) == 2
    assert capsys.readouterr().err == (
        f"xpnet train: error: {path} holds a network but no training run (it was not written"
        " by xpnet train), so it cannot be resumed; load its parameters with"
        " xpnet.checkpoint.load_params\n"
    )


def test_resuming_a_damaged_run_state_is_one_line(tmp_path, capsys):
    assert (
        main(["train", *SAMPLE, "--hidden-size", "5", "--iters", "3", "--out", str(tmp_path)]) == 0
    )
    with np.load(tmp_path / "checkpoint.npz") as npz:
        good = {name: npz[name] for name in npz.files}

    def resume_damaged(change) -> str:
        contents, meta = dict(good), json.loads(str(good["meta"]))
        change(contents, meta["state"])
        contents["meta"] = np.array(json.dumps(meta))
        np.savez(tmp_path / "damaged.npz", **contents)
        capsys.readouterr()
        resume = ["train", *SAMPLE, "--resume", str(tmp_path / "damaged.npz"), "--iters", "6"]
        assert main(resume) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"xpnet train: error: {tmp_path / 'damaged.npz'} is damaged: ")
        assert err.count("\n") == 1
        return err

    assert "its run state lacks rng_state" in resume_damaged(
        lambda contents, state: state["trainer"].pop("rng_state")
    )
    assert "its run state lacks epochs" in resume_damaged(
        lambda contents, state: contents.pop("arrays/epochs")
    )
    assert "iteration 3 with train_loss of shape (2,)" in resume_damaged(
        lambda contents, state: contents.update(
            {"arrays/train_loss": good["arrays/train_loss"][:2]}
        )
    )


def test_an_altered_byte_in_the_mnist_cache_is_caught_and_rebuilt(mnist_files):
    directory, arrays = mnist_files
    load_mnist(download=False)
    cache = directory / "mnist.npz"
    data = bytearray(cache.read_bytes())
    data[len(data) // 4] ^= 0xFF  # inside x_train's pixels
    cache.write_bytes(bytes(data))
    with pytest.warns(UserWarning, match=r"mnist.npz is not a valid MNIST cache .*rebuilding"):
        (x, _), _ = load_mnist(download=False, normalize=False, flatten=False)
    np.testing.assert_array_equal(x[:, 0], arrays["x_train"])


def test_an_mnist_cache_with_labels_out_of_range_is_named(mnist_files):
    directory, arrays = mnist_files
    for name in mnist_module.CHECKSUMS:
        (directory / name).unlink()
    np.savez(directory / "mnist.npz", **dict(arrays, t_test=np.full(10, 12, dtype=np.uint8)))
    with pytest.raises(
        DatasetError, match=r"mnist.npz \(test\): labels must be digits 0..9; found"
    ):
        load_mnist(download=False)


def test_resumed_params_land_on_the_nets_backend_and_dtype(backend, tmp_path, xp):
    """A float64 checkpoint loaded into a float32 net of any backend is cast, not mixed in."""
    host = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    path = save_checkpoint(tmp_path / "c.npz", host)
    net = xpnet.TwoLayerNet(6, 4, 3, xp=backend.xp, device=backend.device, dtype="float32")
    load_params(net, load_checkpoint(path))
    for name, value in net.params.items():
        assert value.dtype == xp.float32
        assert_close(value, to_numpy(host.params[name]).astype(np.float32), rtol=0)
