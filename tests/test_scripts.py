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


@pytest.mark.slow
@pytest.mark.skipif(_a_gpu_is_usable(), reason="a GPU is usable here: the script would run it all")
def test_every_python_the_script_starts_has_jaxs_gpu_preallocation_off(tmp_path):
    """JAX takes 75% of a GPU's memory when its GPU client starts unless told not to, and CuPy's
    and torch's processes can start it too (`xpnet info`, the examples): every Python the
    script runs gets XLA_PYTHON_CLIENT_PREALLOCATE=false, not only the JAX parts."""
    if shutil.which("bash") is None or shutil.which("timeout") is None:
        pytest.skip("bash and timeout are needed")
    seen = tmp_path / "seen.txt"
    python = tmp_path / "python"
    python.write_text(
        f'#!/bin/sh\necho "${{XLA_PYTHON_CLIENT_PREALLOCATE-unset}}" >> "{seen}"\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    python.chmod(0o755)
    done = subprocess.run(
        ["bash", str(SCRIPT), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": str(python)},
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    values = seen.read_text().split()
    assert values and set(values) == {"false"}, values


def _gpu_wheels():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gpu_wheels", ROOT / "scripts" / "gpu_wheels.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gpu_wheels_chosen_are_those_missing_or_older_than_nvmath_needs(tmp_path):
    """The image's own CUDA bindings stay where they will do; what it lacks is installed."""
    wheels = _gpu_wheels()
    wheels._fits = lambda filename: True  # the GPU machine's Python; see the test below
    names = ["array_api_compat-1.16.0-py3-none-any.whl", "array_api_extra-0.9.0-py3-none-any.whl",
             "cuda_pathfinder-1.9.1-py3-none-any.whl",
             "cuda_bindings-13.5.0-cp312-cp312-manylinux_2_28_x86_64.whl",
             "cuda_core-1.2.2-cp312-cp312-manylinux_2_28_x86_64.whl"]  # fmt: skip
    for name in names:
        (tmp_path / name).write_bytes(b"")
    image = {"array-api-extra": "0.8", "cuda-pathfinder": "1.3.0", "cuda-bindings": "13.0.2.post1"}
    chosen = [wheel.name for wheel in wheels.choose(tmp_path, image.get)]
    assert chosen == [names[0], names[4], names[2]]  # missing, missing, older than 1.5.1
    assert wheels.choose(tmp_path, lambda name: "99.0") == []


def test_the_gpu_wheels_downloaded_carry_nvmaths_bounds():
    wheels = _gpu_wheels()
    said = wheels.requirements()
    assert "nvmath-python" in said and "array-api-compat" in said
    assert "cuda-bindings>=13.0.1,<14" in said and "cuda-pathfinder>=1.5.1,<2" in said


def test_a_gpu_wheel_for_another_python_is_not_chosen(tmp_path):
    wheels = _gpu_wheels()
    other = sys.version_info[1] + 1
    names = [f"cuda_core-1.2.2-cp3{other}-cp3{other}-manylinux_2_28_x86_64.whl",
             "array_api_extra-0.9.0-py3-none-any.whl"]  # fmt: skip
    for name in names:
        (tmp_path / name).write_bytes(b"")
    assert [wheel.name for wheel in wheels.choose(tmp_path, lambda name: None)] == [names[1]]
    assert wheels._fits("cuda_core-1.2.2-cp312-cp312-manylinux_2_28_x86_64.whl", (3, 12)) == (
        sys.platform == "linux" and __import__("platform").machine() == "x86_64"
    )
