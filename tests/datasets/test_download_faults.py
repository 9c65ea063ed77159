"""A download that fails (a mirror's 404 or 500, a stall, a full disk, Ctrl-C): the data folder
as it was, the fault named with who has it, and a line while a mirror keeps the user waiting.

The fake MNIST and its local server are test_mnist.py's fixtures.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time

import pytest

from xpnet.datasets import DatasetError, load_mnist
from xpnet.datasets import download as download_module
from xpnet.datasets import transfer as transfer_module

from .test_mnist import NAMES, fake, no_real_network, server  # noqa: F401 (fixtures)


@contextlib.contextmanager
def only_mirror(handler, monkeypatch):
    """A server on 127.0.0.1 answering with ``handler`` (an http.server request handler class),
    the only mirror while the block runs."""
    import http.server

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True  # a handler still sleeping does not hold up the shutdown
    threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True).start()
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", f"http://127.0.0.1:{httpd.server_address[1]}/")
    try:
        yield
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_failed_download_leaves_no_folder_behind(fake, tmp_path):  # noqa: F811
    root = tmp_path / "new" / "data"
    with pytest.raises(DatasetError, match="Connection refused"):
        load_mnist(root=root)
    assert not (tmp_path / "new").exists()  # it left new/data/, empty


def test_a_failed_download_keeps_the_good_files_there(server, fake, tmp_path, monkeypatch):  # noqa: F811
    served, _ = fake
    root = tmp_path / "kept"
    root.mkdir()
    good = (served / NAMES[0]).read_bytes()
    (root / NAMES[0]).write_bytes(good)
    (served / NAMES[1]).unlink()  # the mirror answers 404 for it
    with pytest.raises(DatasetError, match=f"{NAMES[1]}: HTTP 404"):
        load_mnist(root=root)
    assert (root / NAMES[0]).read_bytes() == good
    assert sorted(p.name for p in root.iterdir()) == [NAMES[0]]  # no temporary file


def test_a_mirror_answering_500_is_named_with_its_status(monkeypatch, tmp_path, fake):  # noqa: F811
    import http.server

    class Failing(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_error(500)

        def log_message(self, *args):
            pass

    with only_mirror(Failing, monkeypatch):
        with pytest.raises(DatasetError, match="HTTP 500 Internal Server Error"):
            load_mnist(root=tmp_path / "d")
    assert not (tmp_path / "d").exists()


@pytest.fixture
def silent_mirror(monkeypatch):
    """A mirror that takes the connection and never answers (packets dropped, as it looks)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    monkeypatch.setattr(transfer_module, "TIMEOUT", 1.0)
    monkeypatch.setattr(transfer_module, "PATIENCE", 0.3)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    listener.close()


def test_a_silent_mirror_gets_a_line_and_is_not_asked_again(
    silent_mirror,
    server,  # noqa: F811
    monkeypatch,
    capsys,
    tmp_path,
):
    """Before the download was xpnet's own (it was pooch's), it waited silently, 30 s for each
    file and each mirror: the user saw nothing and thought it hung."""
    url, _ = server
    monkeypatch.setenv("XPNET_MNIST_MIRRORS", f"{silent_mirror},{url}")
    started = time.monotonic()
    (x, _), _ = load_mnist(root=tmp_path / "d")
    assert x.shape[1] == 784
    assert time.monotonic() - started < 3.5  # one timeout of 1 s, not one for each file
    err = capsys.readouterr().err
    assert err.count(f"waiting for {silent_mirror}{NAMES[0]}: no answer yet") == 1
    assert "(given up after 1 s)" in err and silent_mirror + NAMES[1] not in err


def test_a_mirror_that_stalls_mid_body_is_left_and_named(monkeypatch, tmp_path, fake, capsys):  # noqa: F811
    import http.server

    class Stalling(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"x" * 100)
            self.wfile.flush()
            time.sleep(3)

        def log_message(self, *args):
            pass

    monkeypatch.setattr(transfer_module, "TIMEOUT", 1.0)
    monkeypatch.setattr(transfer_module, "PATIENCE", 0.3)
    with only_mirror(Stalling, monkeypatch):
        with pytest.raises(DatasetError, match="stalled: no data for 1 s after 100 bytes of 5000"):
            load_mnist(root=tmp_path / "d")
    assert (
        "no data for 0 s after 100 bytes of 5000 bytes (given up after 1 s)"
        in (capsys.readouterr().err)
        or "after 100 bytes of 5000 bytes (given up" in capsys.readouterr().err
    )
    assert not (tmp_path / "d").exists()


class FullDisk:
    def __init__(self, fd, mode):
        os.close(fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def write(self, chunk):
        raise OSError(28, "No space left on device")


def test_a_full_disk_is_named_with_the_folder_not_the_mirror(server, monkeypatch, tmp_path, capsys):  # noqa: F811
    """It was called a failure of the mirror (and the next mirror tried), with the fix "Check
    the network"."""
    from xpnet.cli import main

    monkeypatch.setattr(download_module.os, "fdopen", FullDisk)
    root = tmp_path / "d"
    with pytest.raises(DatasetError) as raised:
        load_mnist(root=root)
    said = str(raised.value)
    assert said.startswith(f"cannot write {NAMES[0]} into the data folder {root}")
    assert "(No space left on device); free space there" in said and 'root="DIR"' in said
    assert "network" not in said and not root.exists()
    assert main(["download", "mnist", "--data-dir", str(root)]) == 2
    err = capsys.readouterr().err.splitlines()[-1]  # after the test server's own log lines
    assert err.startswith("xpnet download: error: cannot write") and "--data-dir DIR" in err


def test_a_folder_that_cannot_be_made_is_named(fake, tmp_path):  # noqa: F811
    afile = tmp_path / "afile"
    afile.write_text("")
    with pytest.raises(DatasetError, match=f"cannot make the data folder {afile / 'sub'}"):
        load_mnist(root=afile / "sub")


def test_ctrl_c_mid_download_leaves_the_folder_as_it_was(server, monkeypatch, tmp_path):  # noqa: F811
    real = transfer_module.transfer

    def interrupted(url, sink, **options):
        sink(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(download_module, "transfer", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_mnist(root=tmp_path / "d")
    assert not (tmp_path / "d").exists()
    monkeypatch.setattr(download_module, "transfer", real)
    (x, _), _ = load_mnist(root=tmp_path / "d")  # the next run just works
    assert x.shape[1] == 784


def test_a_killed_downloads_temporary_file_is_removed_a_live_ones_kept(server, tmp_path):  # noqa: F811
    root = tmp_path / "d"
    root.mkdir()
    stale, live = root / f".{NAMES[0]}.k2j4x8aa.tmp", root / f".{NAMES[0]}.live1234.tmp"
    stale.write_bytes(b"half")
    live.write_bytes(b"half")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    load_mnist(root=root)
    assert not stale.exists() and live.exists()
