"""`xpnet evaluate` where the cluster fails it (issue 22): a --scheduler address where
something else listens is refused within a bound (distributed alone waited past 120 s for a
handshake), and Ctrl-C or SIGTERM during `--backend dask` is one line, no traceback (its
LocalCluster's workers, which Ctrl-C reaches too, start with SIGINT ignored).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from conftest import selected

import xpnet
from xpnet.checkpoint import save_checkpoint
from xpnet.cli import main

pytest.importorskip("dask.distributed")


@pytest.fixture
def checkpoint(tmp_path):
    return save_checkpoint(tmp_path / "c.npz", xpnet.TwoLayerNet(784, 5, 10, seed=0))


@pytest.fixture
def silent_port():
    """A port that accepts connections and never says a word (as a stuck service does)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


@pytest.fixture
def http_port():
    """An HTTP server, as the Dask dashboard is (port 8787 next to the scheduler's 8786)."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>dashboard</html>")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def evaluate_at(checkpoint, address, capsys) -> tuple[int, str, float]:
    start = time.monotonic()
    code = main(["evaluate", str(checkpoint), "--backend", "dask", "--scheduler", address])
    return code, capsys.readouterr().err, time.monotonic() - start


def test_a_scheduler_port_where_nothing_answers_is_refused_within_the_bound(
    checkpoint, silent_port, capsys, monkeypatch
):
    monkeypatch.setattr("xpnet.cli.cluster.SCHEDULER_TIMEOUT", 2)
    address = f"tcp://127.0.0.1:{silent_port}"
    code, err, seconds = evaluate_at(checkpoint, address, capsys)
    assert code == 2 and seconds < 30
    assert err == (
        f"xpnet evaluate: error: --scheduler {address}: nothing there answered as a Dask scheduler"
        " within 2 s (something else listens on that port, perhaps the dashboard; a scheduler"
        " listens on 8786 unless told otherwise)\n"
    )


def test_a_scheduler_address_that_is_a_web_server_is_one_line(
    checkpoint, http_port, capsys, monkeypatch
):
    monkeypatch.setattr("xpnet.cli.cluster.SCHEDULER_TIMEOUT", 2)
    address = f"tcp://127.0.0.1:{http_port}"
    code, err, seconds = evaluate_at(checkpoint, address, capsys)
    assert code == 2 and seconds < 30 and err.count("\n") == 1, err
    assert err.startswith(f"xpnet evaluate: error: --scheduler {address}: ")


def test_a_scheduler_address_where_nothing_listens_is_one_line(checkpoint, capsys, monkeypatch):
    monkeypatch.setattr("xpnet.cli.cluster.SCHEDULER_TIMEOUT", 1)
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, err, seconds = evaluate_at(checkpoint, f"tcp://127.0.0.1:{port}", capsys)
    assert code == 2 and seconds < 30
    assert err.startswith(
        f"xpnet evaluate: error: --scheduler tcp://127.0.0.1:{port}: no Dask scheduler could be"
        " reached ("
    ), err


# -- stopping a Dask evaluation ------------------------------------------------------------------

DASK = any(name == "dask" for name, _, _ in selected())


@pytest.mark.slow
@pytest.mark.skipif(not DASK, reason="the session's XPNET_BACKEND does not select dask")
@pytest.mark.parametrize(
    ("stop", "status", "line"),
    [
        ("ctrl-c", 130, "xpnet evaluate: interrupted\n"),
        ("sigterm", 143, "xpnet evaluate: stopped by SIGTERM\n"),
    ],
)
def test_stopping_an_evaluation_on_a_local_cluster_is_one_line(checkpoint, stop, status, line):
    """Ctrl-C goes to the terminal's whole process group (the workers too); SIGTERM to xpnet."""
    command = [sys.executable, "-m", "xpnet", "evaluate", str(checkpoint), "--backend", "dask",
               "--workers", "1", "--tile", "400", "--chunk-rows", "2000"]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group, as a shell's foreground job
    )  # fmt: skip
    try:
        for row in process.stdout:
            if row.startswith("cluster:"):
                break
        time.sleep(2)  # the workers are computing
        if stop == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == status and err == line, err
    deadline = time.monotonic() + 30
    while True:  # and nothing of the cluster is left running
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "a worker process outlived xpnet evaluate"
        time.sleep(0.5)
