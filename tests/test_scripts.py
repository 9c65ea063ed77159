"""scripts/gpu_acceptance.sh must parse and run on a machine without a GPU up to its first GPU
step, and stop there with one clear line: so that no syntax or import error waits for the one
call a session gets on a GPU machine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xpnet.backends import DeviceUnavailableError, get_backend

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gpu_acceptance.sh"


def _a_gpu_is_usable() -> bool:
    for name in ("cupy", "torch"):
        try:
            get_backend("cuda", backend=name)
            return True
        except DeviceUnavailableError:
            continue
    return False


def test_the_acceptance_script_parses():
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)


@pytest.mark.slow
@pytest.mark.skipif(_a_gpu_is_usable(), reason="a GPU is usable here: the script would run it all")
def test_without_a_gpu_the_acceptance_script_stops_at_its_preflight_in_one_line(tmp_path):
    if shutil.which("bash") is None or shutil.which("timeout") is None:
        pytest.skip("bash and timeout are needed")
    env = {**os.environ, "PYTHON": sys.executable}
    done = subprocess.run(
        ["bash", str(SCRIPT), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == (
        "gpu_acceptance: no GPU is usable here (see the lines above); stopping before the first"
        " step that needs one"
    )
    assert "cupy: not usable:" in done.stdout and "torch: not usable:" in done.stdout
    summary = (tmp_path / "out" / "summary.txt").read_text()
    assert "FAIL(exit 2) preflight" in summary and "tests-cupy" not in summary
