"""`xpnet train` as the CLI tests run it: in this process (``train``), in a child process
(``start``), and what it writes (``rows``, ``wait_for_rows``)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xpnet.cli import main

FAST = ["--dataset", "sample", "--hidden-size", "10", "--no-progress", "--no-plot"]
SAMPLE = ["--dataset", "sample", "--device", "cpu", "--no-progress", "--no-plot"]
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="signals to a child need POSIX")
ONCE = pytest.mark.skipif(  # a process's signals and files: the same on every backend
    os.environ.get("XPNET_BACKEND", "numpy") not in ("numpy", ""),
    reason="runs the default backend's process: once, in the numpy session",
)


def train(*args: str) -> int:
    return main(["train", *args])


def start(*args: str) -> subprocess.Popen:
    """`python -m xpnet train` in a subprocess, one BLAS thread (tests share the CPU)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    command = [sys.executable, "-m", "xpnet", "train", *FAST, "--dtype", "float64", *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def wait_for_rows(path: Path, rows: int, process: subprocess.Popen, timeout=120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"xpnet train ended early: {process.communicate()}")
        if path.exists() and len(path.read_text().splitlines()) > rows:  # + the header
            return
        time.sleep(0.02)
    process.kill()
    pytest.fail(f"{path} did not reach {rows} rows in {timeout} s")


def rows(path: Path) -> list[dict]:
    with path.open() as file:
        return list(csv.DictReader(file))
