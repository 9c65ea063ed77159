"""Data files are checked before they are read (issue 22): --data/--labels (.npy, Zarr), the
MNIST cache and IDX files, bounded by what their headers declare; FIFOs never block; a damaged
Zarr chunk is one line; no home folder falls back to a temporary data folder and says so.

The crafted files that declare more than memory holds are read in the worker of
tests/memory_limit.py (its address space held to its imports plus 768 MiB), so an allocation
bounded reading should never make fails the test.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import selected
from crafted import Member, deflated_zeros, npy, zip_bytes

import xpnet
from xpnet.checkpoint import save_checkpoint
from xpnet.cli import main
from xpnet.datasets import DatasetError, data_dir
from xpnet.datasets import cache as cache_module
from xpnet.datasets import mnist as mnist_module
from xpnet.datasets.rows import ArrayFiles, RowSource, as_dask

pytest_plugins = ["memory_limit"]  # the fixture `limited`: a worker under a memory limit
FILES = "xpnet.datasets.rows:ArrayFiles"


@pytest.fixture
def checkpoint(tmp_path) -> Path:
    return save_checkpoint(tmp_path / "c.npz", xpnet.TwoLayerNet(784, 5, 10, seed=0))


def digits(tmp_path: Path, n: int = 20) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    np.save(tmp_path / "x.npy", rng.integers(0, 256, (n, 784), dtype=np.uint8))
    np.save(tmp_path / "t.npy", np.arange(n) % 10)
    return tmp_path / "x.npy", tmp_path / "t.npy"


def evaluate(checkpoint: Path, x, t, capsys, *flags) -> tuple[int, str, str]:
    code = main(["evaluate", str(checkpoint), "--backend", "numpy", "--data", str(x),
                 "--labels", str(t), *flags])  # fmt: skip
    out, err = capsys.readouterr()
    return code, out, err


def one_line(code: int, err: str, *parts: str) -> None:
    assert code == 2 and err.startswith("xpnet evaluate: error: ") and err.count("\n") == 1, err
    for part in parts:
        assert part in err, err


# -- .npy files -----------------------------------------------------------------------------------


def test_an_npy_header_declaring_730_gib_is_refused_by_the_files_size(limited, tmp_path):
    x, t = digits(tmp_path)
    x.write_bytes(npy(shape=(10**9, 784), descr="|u1", data=bytes(784 * 4)))
    message = limited(FILES, str(x), str(t)).raised("DatasetError")
    assert message == (
        f"{x}: declares shape (1000000000, 784) uint8 (730 GiB), 784000000128 bytes with its"
        " header, but the file holds 3264 bytes: it is truncated or not what its header says"
    )


def test_a_truncated_npy_file_is_named(tmp_path, checkpoint, capsys):
    x, t = digits(tmp_path)
    x.write_bytes(x.read_bytes()[:-10])
    code, _, err = evaluate(checkpoint, x, t, capsys)
    one_line(code, err, f"{x}: declares shape (20, 784) uint8", "but the file holds 15798 bytes")


def test_rows_of_another_size_than_the_networks_input_are_refused_before_reading(
    tmp_path, checkpoint, capsys
):
    _, t = digits(tmp_path)
    np.save(tmp_path / "x.npy", np.zeros((20, 100), np.uint8))
    code, _, err = evaluate(checkpoint, tmp_path / "x.npy", t, capsys)
    one_line(
        code,
        err,
        f"{tmp_path / 'x.npy'}: declares shape (20, 100), 100 values a row; the checkpoint's"
        " network takes 784 (input_size)",
    )


@pytest.mark.parametrize(
    ("which", "array", "message"),
    [
        ("t", np.array([object()] * 20, dtype=object), "holds an object array, which xpnet never"),
        ("x", np.zeros((20, 784), np.complex64), "x must be uint8 pixels or floats; got complex64"),
        ("t", np.zeros((20, 3)), "t must be integer labels of shape (20,) or one-hot"),
        ("t", np.zeros(21, np.int64), "t must be integer labels of shape (20,)"),
        ("x", np.zeros((0, 784), np.uint8), "x must have shape (N, ...), N > 0"),
    ],
)
def test_an_unusable_data_file_is_one_line(tmp_path, checkpoint, capsys, which, array, message):
    x, t = digits(tmp_path)
    (tmp_path / f"{which}.npy").write_bytes(npy(array))  # an object array's header, too
    code, _, err = evaluate(checkpoint, x, t, capsys)
    one_line(code, err, message)


@pytest.mark.parametrize("which", ["x", "t"])
def test_a_fifo_as_data_is_named_and_never_read(limited, tmp_path, which):
    x, t = digits(tmp_path)
    (tmp_path / f"{which}.npy").unlink()
    os.mkfifo(tmp_path / f"{which}.npy")
    message = limited(FILES, str(x), str(t)).raised("DatasetError")
    assert message == (
        f"{tmp_path / f'{which}.npy'} is not a readable .npy file or Zarr array (is a FIFO (named"
        " pipe), not a regular file)"
    )


def test_dev_zero_behind_a_symlink_as_data_is_named(limited, tmp_path):
    x, t = digits(tmp_path)
    x.unlink()
    x.symlink_to("/dev/zero")
    assert "is a character device, not a regular file" in limited(FILES, str(x), str(t)).raised(
        "DatasetError"
    )


def test_an_unreadable_data_file_says_permission_denied(tmp_path, checkpoint, capsys, monkeypatch):
    """chmod 000 cannot deny root, who runs these tests here: open is made to refuse instead."""
    x, t = digits(tmp_path)
    real_open = os.open

    def denied(name, *args, **kwargs):
        if os.fspath(name) == str(x):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    code, _, err = evaluate(checkpoint, x, t, capsys)
    one_line(code, err, f"{x} is not a readable .npy file or Zarr array (cannot be read:"
             " permission denied)")  # fmt: skip


def test_fortran_order_and_big_endian_data_are_read_as_they_are(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.random((30, 784)).astype(np.float32)
    np.save(tmp_path / "x.npy", np.asfortranarray(x))
    np.save(tmp_path / "t.npy", (np.arange(30) % 10).astype(">i8"))
    source = ArrayFiles(tmp_path / "x.npy", tmp_path / "t.npy", features=784)
    rows, labels = source.read(5, 17)
    np.testing.assert_array_equal(rows, x[5:17])
    np.testing.assert_array_equal(labels, np.arange(5, 17) % 10)


# -- Zarr arrays ----------------------------------------------------------------------------------


def zarr_digits(tmp_path: Path, n: int = 3000, chunk: int = 1000) -> tuple[Path, Path]:
    zarr = pytest.importorskip("zarr")
    rng = np.random.default_rng(2)
    x = zarr.create_array(str(tmp_path / "x.zarr"), shape=(n, 784), dtype="uint8",
                          chunks=(chunk, 784))  # fmt: skip
    x[:] = rng.integers(1, 256, (n, 784), dtype=np.uint8)
    t = zarr.create_array(str(tmp_path / "t.zarr"), shape=(n,), dtype="int64", chunks=(chunk,))
    t[:] = np.arange(n) % 10
    return tmp_path / "x.zarr", tmp_path / "t.zarr"


def test_a_fifo_inside_a_zarr_folder_is_named_before_any_read(limited, tmp_path):
    x, t = zarr_digits(tmp_path)
    chunk = x / "c" / "1" / "0"
    chunk.unlink()
    os.mkfifo(chunk)
    message = limited(FILES, str(x), str(t)).raised("DatasetError")
    assert message.startswith(f"{x}: {chunk} is not a regular file (a FIFO or a device would")


def test_an_unreadable_zarr_chunk_says_permission_denied_before_any_read(tmp_path, monkeypatch):
    """chmod 000 cannot deny root, who runs these tests here: os.access is made to refuse."""
    x, t = zarr_digits(tmp_path)
    chunk = x / "c" / "1" / "0"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != chunk and real_access(p, mode))
    with pytest.raises(DatasetError) as refused:
        ArrayFiles(x, t)
    assert str(refused.value) == f"{x}: {chunk} cannot be read: permission denied"


def test_a_damaged_zarr_chunk_is_one_line(tmp_path, checkpoint, capsys):
    x, t = zarr_digits(tmp_path)
    chunk = x / "c" / "1" / "0"
    chunk.write_bytes(b"not zstd at all" * 10)
    code, out, err = evaluate(checkpoint, x, t, capsys, "--chunk-rows", "1000")
    one_line(
        code,
        err,
        f"{x}: rows 1000..1999 cannot be read: a Zarr chunk is damaged (RuntimeError: Zstd"
        " decompression error",
    )
    assert "data: " in out  # the rows before it were read


def test_a_zarr_chunk_of_another_size_is_one_line(tmp_path, checkpoint, capsys):
    numcodecs = pytest.importorskip("numcodecs")

    x, t = zarr_digits(tmp_path)
    (t / "c" / "0").write_bytes(numcodecs.Zstd().encode(np.zeros(4000, np.int64).tobytes()))
    code, _, err = evaluate(checkpoint, x, t, capsys, "--chunk-rows", "1000")
    one_line(code, err, f"{t}: rows 0..999 cannot be read: a Zarr chunk is damaged (ValueError")


def test_zarr_metadata_over_a_mib_is_refused_unread(limited, tmp_path):
    x, t = zarr_digits(tmp_path)
    metadata = x / "zarr.json"
    metadata.write_text(metadata.read_text()[:-2] + ', "attributes_pad": "' + "x" * 2**21 + '"}')
    message = limited(FILES, str(x), str(t)).raised("DatasetError")
    assert message == (
        f"{x}: {metadata} holds 2 MiB; Zarr metadata is a few hundred bytes, at most 1 MiB"
    )


def test_a_zarr_chunk_of_748_mib_is_refused_before_a_row_is_read(limited, tmp_path):
    zarr = pytest.importorskip("zarr")
    x, t = tmp_path / "x.zarr", tmp_path / "t.zarr"
    zarr.create_array(str(x), shape=(10**6, 784), dtype="uint8", chunks=(10**6, 784))
    zarr.create_array(str(t), shape=(10**6,), dtype="int64")  # no chunk written: all fill value
    message = limited(FILES, str(x), str(t)).raised("DatasetError")
    assert message.startswith(
        f"{x}: declares chunks of shape (1000000, 784) uint8, 748 MiB each; xpnet reads chunks"
        " of at most "
    ), message
    assert message.endswith("here (a read of a few rows decodes whole chunks): rechunk the array")


def test_a_zarr_of_strings_is_refused(tmp_path):
    zarr = pytest.importorskip("zarr")
    x, _ = zarr_digits(tmp_path)
    zarr.create_array(str(tmp_path / "s.zarr"), shape=(3000,), dtype=str)
    with pytest.raises(DatasetError, match=r"s\.zarr: t must be integer labels of shape \(3000,\)"):
        ArrayFiles(x, tmp_path / "s.zarr")


def test_a_path_that_is_neither_npy_nor_a_folder_is_named(tmp_path):
    x, _ = digits(tmp_path)
    (tmp_path / "t.txt").write_text("0 1 2")
    with pytest.raises(DatasetError, match=r"t\.txt is not a readable .npy file or Zarr array"):
        ArrayFiles(x, tmp_path / "t.txt")


def test_a_dask_graph_of_more_than_a_million_chunks_is_refused_before_it_is_built():
    pytest.importorskip("dask")

    class Endless(RowSource):
        x_shape, t_shape, classes = (10**12, 784), (10**12,), 10

    with pytest.raises(DatasetError, match=r"1000000000000 rows make 100000000 chunks of 10000"):
        as_dask(Endless(), 10_000)


@pytest.mark.skipif(
    not any(name == "dask" for name, _, _ in selected()),
    reason="the session's XPNET_BACKEND does not select dask (a LocalCluster)",
)
def test_a_damaged_zarr_chunk_on_dask_workers_is_one_line(tmp_path, checkpoint, capsys):
    x, t = zarr_digits(tmp_path)
    (x / "c" / "2" / "0").write_bytes(b"damaged" * 30)
    code = main(["evaluate", str(checkpoint), "--backend", "dask", "--workers", "1", "--data",
                 str(x), "--labels", str(t), "--chunk-rows", "1000"])  # fmt: skip
    _, err = capsys.readouterr()
    one_line(code, err, f"{x}: rows 2000..2999 cannot be read: a Zarr chunk is damaged")


def test_one_damaged_chunk_among_many_is_named_in_one_line(tmp_path, checkpoint):
    """40 chunks read in one range (zarr reads them concurrently), the 23rd damaged: the line
    names its file and rows, and no read left pending is reported after it at exit."""
    x, t = zarr_digits(tmp_path, n=4000, chunk=100)
    (x / "c" / "22" / "0").write_bytes(b"damaged" * 30)
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "default"}
    for _ in range(3):  # the pending reads were reported at exit in about one run of four
        run = subprocess.run(
            [sys.executable, "-m", "xpnet", "evaluate", str(checkpoint), "--backend", "numpy",
             "--data", str(x), "--labels", str(t), "--chunk-rows", "4000"],
            capture_output=True, text=True, timeout=120, env=env,
        )  # fmt: skip
        assert run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr
        assert run.stderr.startswith(
            f"xpnet evaluate: error: {x}: rows 0..3999 cannot be read: a Zarr chunk is damaged"
            " (RuntimeError: Zstd decompression error"
        ), run.stderr
        assert run.stderr.endswith(f": {x}/c/22/0, the chunk of rows 2200..2299\n"), run.stderr


# -- the MNIST cache and its IDX files ------------------------------------------------------------


@pytest.fixture
def mnist_dir(tmp_path, monkeypatch) -> Path:
    """A fake MNIST of 20 + 10 images, verified, in a fresh XPNET_DATA_DIR (no network)."""
    import hashlib

    directory = tmp_path / "data"
    directory.mkdir()
    monkeypatch.setenv("XPNET_DATA_DIR", str(directory))
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", "http://127.0.0.1:1/")
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "t_train": np.arange(20, dtype=np.uint8) % 10,
        "x_test": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        "t_test": np.arange(10, dtype=np.uint8),
    }
    checksums = {}
    for key, (name, magic) in mnist_module.PARTS.items():
        shape = b"".join(d.to_bytes(4, "big") for d in arrays[key].shape)
        data = gzip.compress(magic.to_bytes(4, "big") + shape + arrays[key].tobytes())
        (directory / name).write_bytes(data)
        checksums[name] = hashlib.sha256(data).hexdigest()
    monkeypatch.setattr(mnist_module, "CHECKSUMS", checksums)
    return directory


def cache_members(**changes: Member) -> list[Member]:
    rng = np.random.default_rng(3)
    members = {
        "x_train.npy": Member("x_train.npy", npy(rng.integers(0, 256, (20, 28, 28), np.uint8))),
        "t_train.npy": Member("t_train.npy", npy(np.arange(20, dtype=np.uint8) % 10)),
        "x_test.npy": Member("x_test.npy", npy(rng.integers(0, 256, (10, 28, 28), np.uint8))),
        "t_test.npy": Member("t_test.npy", npy(np.arange(10, dtype=np.uint8))),
    }
    members.update({f"{key}.npy": member for key, member in changes.items()})
    return list(members.values())


def test_an_mnist_cache_declaring_70000_training_images_is_refused_unread(limited, tmp_path):
    header = npy(shape=(70_000, 28, 28), descr="|u1", data=b"")
    stream, size = deflated_zeros(header, 70_000 * 784)
    big = Member("x_train.npy", compressed=stream, file_size=size, crc=0)
    path = tmp_path / "mnist.npz"
    path.write_bytes(zip_bytes(cache_members(x_train=big)))
    message = limited("xpnet.datasets.cache:read_cache", str(path)).raised("DatasetError")
    assert message == (
        f"{path} is not a valid MNIST cache (declares shape (70000, 28, 28) uint8 (52.3 MiB);"
        " expected uint8 images of shape (N, 28, 28), N from 1 to 60000)"
    )


def test_an_mnist_cache_with_a_foreign_member_or_labels_of_another_length_is_refused(tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(zip_bytes([*cache_members(), Member("../evil.npy", npy(np.zeros(1)))]))
    with pytest.raises(DatasetError, match=r"holds a member named '\.\./evil\.npy'"):
        cache_module.read_cache(path)
    short = Member("t_test.npy", npy(np.arange(9, dtype=np.uint8)))
    path.write_bytes(zip_bytes(cache_members(t_test=short)))
    with pytest.raises(DatasetError, match=r"expected uint8 labels of shape \(10,\)"):
        cache_module.read_cache(path)


def test_a_fifo_as_the_mnist_cache_is_replaced_from_the_verified_files(mnist_dir):
    os.mkfifo(mnist_dir / "mnist.npz")
    with pytest.warns(UserWarning, match=r"mnist\.npz is not a valid MNIST cache \(is a FIFO"):
        (x, _), _ = xpnet.load_mnist(download=False, normalize=False)
    assert x.shape == (20, 784) and (mnist_dir / "mnist.npz").is_file()


def test_a_data_folder_this_user_may_not_look_into_is_named(mnist_dir, monkeypatch):
    """Another user's folder of mode 700 as XPNET_DATA_DIR: os.access is made to refuse (root,
    who runs these tests here, is never denied), as each file's stat would."""
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != mnist_dir and real_access(p, mode))
    said = (
        f"the data folder {mnist_dir} cannot be read: permission denied; give a folder of yours"
        " (--data-dir DIR, XPNET_DATA_DIR, or root=)"
    )
    for read in (xpnet.load_mnist, mnist_module.fetch_mnist):
        with pytest.raises(DatasetError) as refused:
            read()
        assert str(refused.value) == said
    assert mnist_module.mnist_available() is False


def test_the_mnist_cache_honours_the_umask(mnist_dir):
    previous = os.umask(0o027)
    try:
        xpnet.load_mnist(download=False)
    finally:
        os.umask(previous)
    assert (mnist_dir / "mnist.npz").stat().st_mode & 0o777 == 0o640


def test_an_idx_file_declaring_a_billion_images_is_refused_unread(limited, tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    header = (2051).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in (10**9, 28, 28))
    path.write_bytes(gzip.compress(header + bytes(1000)))
    message = limited("xpnet.datasets.idx:read_idx", str(path), 2051).raised("DatasetError")
    assert message.startswith(
        f"{path}: its IDX header declares shape (1000000000, 28, 28), 784000000000 bytes;"
        " MNIST's files hold at most 47040000"
    )


def test_an_idx_file_longer_than_its_header_says_is_refused_at_one_byte_more(limited, tmp_path):
    """A gzip stream going on past its header's 60000 images: one byte more is read, no more."""
    header = (2051).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in (60_000, 28, 28))
    with gzip.open(tmp_path / "bomb.gz", "wb", compresslevel=1) as file:
        file.write(header)
        for _ in range(128):
            file.write(bytes(2**20))
    message = limited("xpnet.datasets.idx:read_idx", str(tmp_path / "bomb.gz"), 2051).raised(
        "DatasetError"
    )
    assert "holds 47040001+ bytes of data, but its header says (60000, 28, 28)" in message


# -- no home folder --------------------------------------------------------------------------------

NO_HOME = textwrap.dedent(
    """
    import os, pwd, sys

    def no_entry(uid):  # a uid without a passwd entry, as in some containers
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    pwd.getpwuid = no_entry
    from xpnet.cli import main

    sys.exit(main(sys.argv[1:]))
    """
)


def no_home(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("HOME", "XPNET_DATA_DIR", "XDG_CACHE_HOME")}  # fmt: skip
    env.update(TMPDIR=str(tmp_path), XPNET_MNIST_MIRRORS="http://127.0.0.1:1/", MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, "-c", NO_HOME, *argv], env=env, capture_output=True, text=True,
        timeout=300, cwd=tmp_path,
    )  # fmt: skip


@pytest.mark.slow
def test_without_a_home_folder_info_train_and_evaluate_fall_back_and_say_so(tmp_path):
    notice = (
        "notice: there is no home folder (HOME is not set and user {} has no passwd entry), so"
        " downloaded data is kept in {}, which the system may clear; set XPNET_DATA_DIR (or"
        " HOME) to keep it"
    ).format(os.getuid(), tmp_path / f"xpnet-cache-{os.getuid()}")
    info = no_home(tmp_path, "info")
    assert info.returncode == 0 and notice in info.stderr.splitlines(), info.stderr
    assert f"data: {tmp_path / f'xpnet-cache-{os.getuid()}'} (full MNIST" in info.stdout
    run = tmp_path / "run"
    train = no_home(tmp_path, "train", "--device", "cpu", "--iters", "2", "--hidden-size", "5",
                    "--no-progress", "--no-plot", "--out", str(run))  # fmt: skip
    assert train.returncode == 0, train.stderr
    assert notice in train.stderr and "training on the bundled 5,000-image sample" in train.stderr
    evaluated = no_home(tmp_path, "evaluate", str(run), "--backend", "numpy")
    assert evaluated.returncode == 0 and "Traceback" not in evaluated.stderr, evaluated.stderr
    assert "data: the bundled sample's 1000 test images" in evaluated.stdout
    folder = tmp_path / f"xpnet-cache-{os.getuid()}"
    assert folder.stat().st_mode & 0o777 == 0o700


def test_data_dir_without_a_home_folder_is_a_private_temporary_folder(tmp_path, monkeypatch):
    import pwd

    from xpnet.datasets import common

    monkeypatch.delenv("HOME", raising=False)
    for name in ("XPNET_DATA_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pwd, "getpwuid", lambda uid: (_ for _ in ()).throw(KeyError(uid)))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    common._temporary_data_dir.cache_clear()
    try:
        with pytest.warns(common.DataDirNotice, match="there is no home folder"):
            folder = data_dir()
        assert folder == tmp_path / f"xpnet-cache-{os.getuid()}" and folder.is_dir()
        assert data_dir() == folder  # the notice once, the folder the same
        with pytest.raises(DatasetError, match=r"~/mnist: ~ cannot be expanded"):
            data_dir("~/mnist")
    finally:
        common._temporary_data_dir.cache_clear()


def test_rows_read_once_per_chunk_do_not_reread_the_zarr_folder(tmp_path, monkeypatch):
    """The folder is looked through once, when the source is made, not for every chunk."""
    from xpnet.datasets.rows import files  # where ArrayFiles looks _look_through up

    x, t = zarr_digits(tmp_path)
    source = ArrayFiles(x, t, features=784)
    calls = []
    monkeypatch.setattr(files, "_look_through", lambda path: calls.append(path))
    start = time.perf_counter()
    for start_row in range(0, 3000, 1000):
        source.read(start_row, start_row + 1000)
    assert calls == [] and time.perf_counter() - start < 30
