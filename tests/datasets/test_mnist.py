"""Tests for xpnet.datasets: MNIST download, verification, IDX parsing, cache, bundled sample.

Host NumPy only. The real network is never used: every test points XPNET_MNIST_MIRRORS at a
closed local port and XPNET_DATA_DIR at a temporary folder; downloads come from small fake IDX
files served by a local HTTP server, with their own checksums.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import re
import threading

import numpy as np
import pytest

from xpnet.datasets import (
    DatasetError,
    data_dir,
    download_mnist,
    fetch_mnist,
    load_mnist,
    mnist_available,
)
from xpnet.datasets import cache as cache_module
from xpnet.datasets import mnist as mnist_module

CLOSED = "http://127.0.0.1:1/"  # nothing listens on port 1: connection refused at once
NAMES = list(mnist_module.CHECKSUMS)
N_TRAIN, N_TEST = 20, 10


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


@pytest.fixture(autouse=True)
def no_real_network(monkeypatch, tmp_path):
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", CLOSED)
    monkeypatch.setenv("XPNET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """Four fake MNIST files in tmp_path/'served', and CHECKSUMS patched to their SHA-256."""
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
        "t_train": np.arange(N_TRAIN, dtype=np.uint8) % 10,
        "x_test": rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        "t_test": (np.arange(N_TEST, dtype=np.uint8) * 3) % 10,
    }
    served = tmp_path / "served"
    served.mkdir()
    for key, (name, magic) in mnist_module.PARTS.items():
        (served / name).write_bytes(idx_bytes(arrays[key], magic))
    checksums = {n: hashlib.sha256((served / n).read_bytes()).hexdigest() for n in NAMES}
    monkeypatch.setattr(mnist_module, "CHECKSUMS", checksums)
    return served, arrays


@pytest.fixture
def server(fake, monkeypatch):
    """An HTTP server on 127.0.0.1 serving the fake files; its URL is the only mirror."""
    served, _ = fake
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", url)
    yield url, httpd
    httpd.shutdown()
    httpd.server_close()


def shut(server) -> None:
    _, httpd = server
    httpd.shutdown()
    httpd.server_close()


def cache_dir_files() -> list[str]:
    directory = data_dir()
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_load_mnist_downloads_verifies_and_normalizes(server, fake):
    _, arrays = fake
    (x_train, t_train), (x_test, t_test) = load_mnist()
    assert x_train.shape == (N_TRAIN, 784) and x_test.shape == (N_TEST, 784)
    assert x_train.dtype == np.float32 and 0.0 <= x_train.min() and x_train.max() <= 1.0
    np.testing.assert_array_equal(x_train * np.float32(255), arrays["x_train"].reshape(N_TRAIN, -1))
    assert t_train.dtype == np.int64 and t_test.shape == (N_TEST,)
    np.testing.assert_array_equal(t_test, arrays["t_test"])
    assert cache_dir_files() == sorted([*NAMES, "mnist.npz"])  # no temporary file left


def test_load_mnist_formats_like_the_book(server, fake):
    _, arrays = fake
    (x, t), _ = load_mnist(normalize=False, flatten=False, one_hot_label=True)
    assert x.shape == (N_TRAIN, 1, 28, 28) and x.dtype == np.uint8
    np.testing.assert_array_equal(x[:, 0], arrays["x_train"])
    assert t.shape == (N_TRAIN, 10) and t.dtype == np.float32
    np.testing.assert_array_equal(t.sum(axis=1), 1.0)
    np.testing.assert_array_equal(t.argmax(axis=1), arrays["t_train"])


def test_cache_is_used_without_network(server, fake):
    first = load_mnist()
    shut(server)
    for name in NAMES:
        (data_dir() / name).unlink()
    second = load_mnist(download=False)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    assert mnist_available()


def test_checksum_mismatch_raises_and_keeps_nothing(server, monkeypatch):
    wrong = dict(mnist_module.CHECKSUMS, **{NAMES[1]: "0" * 64})
    monkeypatch.setattr(mnist_module, "CHECKSUMS", wrong)
    with pytest.raises(DatasetError, match=f"{NAMES[1]}.*expected 0{{64}}, got [0-9a-f]{{64}}"):
        load_mnist()
    assert NAMES[1] not in cache_dir_files()
    assert not [n for n in cache_dir_files() if n not in NAMES]  # no temporary or cache file


def test_unreachable_mirror_falls_through_to_the_next(server, monkeypatch):
    url, _ = server
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", f"{CLOSED}, {url}")
    (x_train, _), _ = load_mnist()
    assert x_train.shape == (N_TRAIN, 784)


def test_offline_error_is_one_line_that_says_what_to_do(fake):
    with pytest.raises(DatasetError) as raised:
        load_mnist()
    message = str(raised.value)
    assert "\n" not in message
    for part in (NAMES[0], CLOSED, "Connection refused", "XPNET_MNIST_MIRRORS", str(data_dir())):
        assert part in message
    assert "xpnet.load_mnist_sample()" in message and "--" not in message  # Python, no flags
    assert cache_dir_files() == []


@pytest.mark.parametrize("damage", ["truncated gzip", "bad magic", "short payload"])
def test_damaged_idx_file_raises_naming_it(fake, monkeypatch, damage):
    served, arrays = fake
    name = NAMES[0]
    if damage == "truncated gzip":
        data = (served / name).read_bytes()[:-100]
    elif damage == "bad magic":
        data = idx_bytes(arrays["x_train"], 2049)
    else:
        data = gzip.compress(gzip.decompress((served / name).read_bytes())[:-1])
    directory = data_dir()
    directory.mkdir(parents=True)
    for n in NAMES:
        (directory / n).write_bytes((served / n).read_bytes())
    (directory / name).write_bytes(data)
    checksums = dict(mnist_module.CHECKSUMS, **{name: hashlib.sha256(data).hexdigest()})
    monkeypatch.setattr(mnist_module, "CHECKSUMS", checksums)
    with pytest.raises(DatasetError, match=name):
        load_mnist(download=False)
    assert "mnist.npz" not in cache_dir_files()


def test_labels_out_of_range_are_refused(fake, monkeypatch):
    served, _ = fake
    directory = data_dir()
    directory.mkdir(parents=True)
    for n in NAMES:
        (directory / n).write_bytes((served / n).read_bytes())
    bad = directory / "t10k-labels-idx1-ubyte.gz"
    bad.write_bytes(idx_bytes(np.full(N_TEST, 10, dtype=np.uint8), 2049))
    checksums = dict(
        mnist_module.CHECKSUMS, **{bad.name: hashlib.sha256(bad.read_bytes()).hexdigest()}
    )
    monkeypatch.setattr(mnist_module, "CHECKSUMS", checksums)
    with pytest.raises(DatasetError, match="0..9"):
        load_mnist(download=False)


def test_download_false_with_nothing_cached_says_how_to_download(fake):
    with pytest.raises(DatasetError, match=r"xpnet\.load_mnist\(download=True\)"):
        load_mnist(download=False)
    assert not mnist_available()


def test_corrupt_cache_is_rebuilt_from_verified_files(server):
    cache = download_mnist(progress=False)
    assert cache == data_dir() / "mnist.npz" and cache.is_file()
    shut(server)
    cache.write_bytes(cache.read_bytes()[:1000])
    with pytest.warns(UserWarning, match="mnist.npz.*rebuilding"):
        (x_train, _), _ = load_mnist()
    assert x_train.shape == (N_TRAIN, 784)
    (x_again, _), _ = load_mnist(download=False)  # the rebuilt cache is valid
    np.testing.assert_array_equal(x_train, x_again)


def test_corrupt_cache_without_files_names_it(server):
    cache = download_mnist(progress=False)
    for name in NAMES:
        (data_dir() / name).unlink()
    cache.write_bytes(cache.read_bytes()[:1000])
    with pytest.raises(DatasetError, match=r"mnist\.npz is not a valid MNIST cache.*delete it"):
        load_mnist(download=False)
    assert not mnist_available()


TRIPPED = []


def _trip():
    TRIPPED.append(True)
    return "tripped"


class Trap:
    def __reduce__(self):
        return (_trip, ())


def test_cache_with_object_array_is_refused_without_running_code(fake):
    directory = data_dir()
    directory.mkdir(parents=True)
    trap = np.empty(1, dtype=object)
    trap[0] = Trap()
    _, arrays = fake
    np.savez(directory / "mnist.npz", **dict(arrays, x_train=trap))
    with pytest.raises(DatasetError, match="not a valid MNIST cache"):
        load_mnist(download=False)
    assert TRIPPED == []


def test_fetch_mnist_takes_mirrors_and_checksums_and_keeps_verified_files(server, tmp_path):
    url, _ = server
    checksums = dict(mnist_module.CHECKSUMS)
    paths = fetch_mnist(tmp_path / "elsewhere", mirrors=[CLOSED, url], checksums=checksums)
    assert sorted(paths) == sorted(NAMES) and all(p.is_file() for p in paths.values())
    shut(server)
    assert fetch_mnist(tmp_path / "elsewhere", mirrors=[], checksums=checksums) == paths
    assert mnist_available(tmp_path / "elsewhere")  # the .gz files alone are enough


def test_data_dir_resolution_order(monkeypatch, tmp_path):
    assert data_dir(tmp_path / "root") == tmp_path / "root"
    assert data_dir() == tmp_path / "data"
    monkeypatch.delenv("XPNET_DATA_DIR")
    assert data_dir() == tmp_path / "xdg" / "xpnet"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / ".cache" / "xpnet"


def test_mirrors_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", " http://a/x , http://b/y/ ,")
    assert mnist_module.mnist_mirrors() == ["http://a/x/", "http://b/y/"]
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", "")
    assert mnist_module.mnist_mirrors() == list(mnist_module.MIRRORS)


# -- a failed cache write, a damaged cache: a small fake MNIST in a temporary data folder ---------


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
        cache_module.write_cache(cache, arrays)
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
    with pytest.warns(UserWarning, match=r"mnist\.npz could not be written \(No space left"):
        (_, t), _ = load_mnist(download=False, normalize=False)  # the data, all the same
    np.testing.assert_array_equal(t, arrays["t_train"])
    assert sorted(p.name for p in directory.iterdir()) == sorted(mnist_module.CHECKSUMS)
    monkeypatch.setattr(np, "savez", real_savez)
    (_, t), _ = load_mnist(download=False, normalize=False)  # the next try just works
    np.testing.assert_array_equal(t, arrays["t_train"])


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


def test_a_data_folder_that_is_a_file_is_named_as_each_interface_gave_it(
    tmp_path, monkeypatch, capsys
):
    from xpnet.cli import main

    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    fix = "is a file, not a folder: give a folder for the data"
    with pytest.raises(DatasetError, match=re.escape(f'root="{afile}" {fix}')):
        load_mnist(root=afile)
    assert main(["download", "mnist", "--data-dir", str(afile)]) == 2
    assert f"xpnet download: error: --data-dir {afile} {fix}" in capsys.readouterr().err
    monkeypatch.setenv("XPNET_DATA_DIR", str(afile))
    assert main(["info"]) == 0
    assert f"data: XPNET_DATA_DIR={afile} {fix}" in capsys.readouterr().out


def test_a_failed_download_command_offers_the_sample_as_a_training_command(capsys):
    """xpnet download has no --dataset flag: its advice is the training command that takes the
    sample, not the flag alone (which it would refuse)."""
    from xpnet.cli import main

    assert main(["download", "mnist"]) == 2
    err = capsys.readouterr().err
    assert "xpnet download: error: could not download" in err
    assert err.rstrip().endswith(
        "or use the bundled 5,000-image sample: xpnet train --dataset sample"
    )
    with pytest.raises(DatasetError, match=r"sample: xpnet\.load_mnist_sample\(\)$"):
        load_mnist()  # Python's words, as before


def test_damaged_files_offline_are_said_to_be_damaged_not_missing(capsys):
    """A truncated cache or a partial .gz file, offline: the error and xpnet info name the
    damaged file; both said only that the download failed, info "not downloaded"."""
    from xpnet.cli import main

    directory = data_dir()
    directory.mkdir(parents=True)
    assert mnist_module.mnist_problem() is None  # nothing there: not downloaded
    assert main(["info"]) == 0
    assert "full MNIST not downloaded;" in capsys.readouterr().out
    (directory / "mnist.npz").write_bytes(b"junk")
    with pytest.raises(DatasetError) as raised:
        load_mnist()
    said = str(raised.value)
    assert said.startswith(f"{directory / 'mnist.npz'} is not a valid MNIST cache")
    assert "; to rebuild it from the .gz files, could not download a verified" in said
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "full MNIST damaged: " in out and "mnist.npz is not a valid MNIST cache" in out
    (directory / "mnist.npz").unlink()
    (directory / NAMES[0]).write_bytes(gzip.compress(b"partial"))
    with pytest.raises(DatasetError, match=re.escape(f"{directory / NAMES[0]} fails its SHA-256")):
        load_mnist()
    assert main(["info"]) == 0
    assert f"full MNIST damaged: {NAMES[0]} in {directory} fails its SHA-256" in (
        capsys.readouterr().out
    )
