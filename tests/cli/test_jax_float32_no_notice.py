"""`xpnet train --backend jax` in float32 (the CLI's default dtype) says nothing about JAX's
float64 switch, which is nothing to that run; in float64 the notice stays, once."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

NOTICE = "jax_enable_x64"


def _train(tmp_path, dtype: str) -> subprocess.CompletedProcess:
    pytest.importorskip("jax")
    return subprocess.run(  # a fresh process: JAX's switch is off at the start
        [
            sys.executable,
            "-m",
            "xpnet",
            "train",
            "--backend",
            "jax",
            "--device",
            "cpu",
            "--dtype",
            dtype,
            "--dataset",
            "sample",
            "--iters",
            "3",
            "--no-plot",
            "--out",
            dtype,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "XPNET_MNIST_MIRRORS": "http://127.0.0.1:1/", "JAX_PLATFORMS": "cpu"},
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_float32_on_jax_prints_no_float64_notice(tmp_path):
    result = _train(tmp_path, "float32")
    assert result.returncode == 0, result.stderr
    assert NOTICE not in result.stderr and NOTICE not in result.stdout


@pytest.mark.slow
def test_float64_on_jax_still_says_so(tmp_path):
    result = _train(tmp_path, "float64")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(NOTICE) == 1
