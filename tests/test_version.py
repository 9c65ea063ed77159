"""One version, reported the same everywhere: pyproject.toml, ``xpnet.__version__``,
``xpnet --version``, ``xpnet info`` and a section of CHANGELOG.md; the ``py.typed`` marker,
so that type checkers read xpnet's annotations instead of treating every name as Any; and
run-time dependencies that the package imports (none installed for nothing)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import xpnet

ONCE = pytest.mark.skipif(  # files and a subprocess: the same on every backend
    os.environ.get("XPNET_BACKEND", "numpy") not in ("numpy", ""),
    reason="the version does not depend on the backend: tested in the numpy session",
)
ROOT = Path(__file__).resolve().parents[1]


def _pyproject_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version = "([^"]+)"', text, flags=re.MULTILINE).group(1)


@ONCE
def test_the_version_is_one_everywhere(capsys):
    from xpnet.cli import main

    version = xpnet.__version__
    assert _pyproject_version() == version
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"\n## {version}\n" in changelog
    out = subprocess.run(
        [sys.executable, "-m", "xpnet", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == f"xpnet {version}"
    assert main(["info"]) == 0
    assert capsys.readouterr().out.startswith(f"xpnet {version} on Python")


def test_the_package_carries_the_typed_marker():
    assert (Path(xpnet.__file__).parent / "py.typed").is_file()


def test_every_dependency_is_one_the_package_imports():
    """pooch stayed a dependency after the download moved to urllib: every ``pip install .``
    installed it (and platformdirs, requests) for nothing."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^dependencies = \[(.*?)^\]", text, flags=re.MULTILINE | re.DOTALL)
    names = re.findall(r'^\s*"([A-Za-z0-9_.-]+)', block.group(1), flags=re.MULTILINE)
    assert "numpy" in names
    source = "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "src" / "xpnet").rglob("*.py")
    )
    for name in names:
        module = name.replace("-", "_")
        assert re.search(rf"^\s*(import|from) {module}\b", source, flags=re.MULTILINE), name
