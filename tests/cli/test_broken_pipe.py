"""`xpnet train | head`: a reader that closes the pipe is not an error of the run. Training goes
on to the end and writes every file (the run's record), silently; a command that only prints
(`xpnet info | head`) stops with 141, as `yes | head` does, with no traceback and no message."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ONCE = pytest.mark.skipif(  # a process's pipes: the same on every backend
    os.environ.get("XPNET_BACKEND", "numpy") not in ("numpy", ""),
    reason="the CLI's pipes do not depend on the backend: tested in the numpy session",
)


def _closed_after_first_line(args: list[str], cwd) -> tuple[int, str]:
    """Run ``python -m xpnet ARGS``, read one line of its stdout, close the pipe, wait."""
    env = {**os.environ, "XPNET_MNIST_MIRRORS": "http://127.0.0.1:1/"}
    process = subprocess.Popen(
        [sys.executable, "-m", "xpnet", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
    )
    first = process.stdout.readline()
    assert first, "the command printed nothing"
    process.stdout.close()  # as head does after its lines
    stderr = process.stderr.read().decode()
    return process.wait(timeout=300), stderr


@pytest.mark.slow
@ONCE
def test_train_into_a_closed_pipe_trains_to_the_end(tmp_path):
    code, stderr = _closed_after_first_line(
        [
            "train",
            "--dataset",
            "sample",
            "--device",
            "cpu",
            "--iters",
            "400",
            "--no-plot",
            "--out",
            "run",
        ],
        tmp_path,
    )
    assert code == 0, stderr
    assert "Broken pipe" not in stderr and "Traceback" not in stderr, stderr
    rows = (tmp_path / "run" / "metrics.csv").read_text().splitlines()
    assert rows[-1].split(",")[1] == "400"  # the final model's row: the run went to its end
    assert (tmp_path / "run" / "checkpoint.npz").exists()


@ONCE
def test_a_printing_command_into_a_closed_pipe_stops_quietly(tmp_path):
    code, stderr = _closed_after_first_line(["info"], tmp_path)
    assert code in (0, 141), stderr  # 0 when info had printed everything before the close
    assert stderr == "" or ("Broken pipe" not in stderr and "Traceback" not in stderr), stderr
