"""A user's mypy sees xpnet's types: the package carries a py.typed marker (PEP 561), so mypy
reads its annotations instead of saying "missing library stubs or py.typed marker" and typing
every name Any. Checked on a two-line user file; the control, the same package copied under
another name without its marker, shows that the check can fail (a copy named xpnet would not do:
mypy passes over a package without the marker and finds the installed xpnet further on)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import xpnet

pytest.importorskip("mypy", reason="mypy is in the [test] extra")
pytestmark = [
    pytest.mark.skipif(
        os.environ.get("XPNET_BACKEND", "numpy") not in ("numpy", ""),
        reason="the package's types do not depend on the backend: tested in the numpy session",
    ),
    pytest.mark.slow,  # a mypy run each, 2-3 s
]
PACKAGE = Path(xpnet.__file__).resolve().parent
USER_FILE = """\
import {name}

reveal_type({name}.TwoLayerNet(784, 50, 10))
"""
# the array libraries xpnet imports where it uses them: not what this test is about, and
# PyTorch's ~1,400 modules would take mypy a minute where it is installed
CONFIG = """\
[mypy]
[mypy-torch.*,jax.*,jaxlib.*,cupy.*,dask.*,distributed.*,zarr.*,matplotlib.*,IPython.*,tqdm.*]
follow_imports = skip
"""


def mypy_on_user_file(folder: Path, package_parent: Path, name: str = "xpnet") -> str:
    """mypy's output for USER_FILE, written to folder, with package name found in package_parent."""
    (folder / "user.py").write_text(USER_FILE.format(name=name), encoding="utf-8")
    (folder / "mypy.ini").write_text(CONFIG, encoding="utf-8")
    command = [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", "cache"]
    environment = {**os.environ, "PYTHONPATH": str(package_parent)}
    done = subprocess.run(
        [*command, "user.py"], cwd=folder, env=environment, capture_output=True, text=True
    )
    return done.stdout + done.stderr


def test_mypy_reads_xpnets_types(tmp_path):
    out = mypy_on_user_file(tmp_path, PACKAGE.parent)
    assert "py.typed" not in out and "Success" in out, out
    assert 'Revealed type is "xpnet.' in out and "TwoLayerNet" in out, out


def test_without_py_typed_mypy_says_so(tmp_path):
    copy = tmp_path / "packages"
    ignore = shutil.ignore_patterns("py.typed", "__pycache__")
    shutil.copytree(PACKAGE, copy / "xpnet_unmarked", ignore=ignore)
    (tmp_path / "work").mkdir()
    out = mypy_on_user_file(tmp_path / "work", copy, name="xpnet_unmarked")
    assert "missing library stubs or py.typed marker" in out, out
    assert 'Revealed type is "Any"' in out, out
