"""Every file path the documentation names from the repository's root (``tests/...``,
``src/xpnet/...``, ``docs/...``, ``examples/...``, ...) exists, so a file moved or split leaves
no page pointing at a file that is gone (docs/backends.md named tests/test_dask.py after it had
moved to tests/backends/). Only the pages that describe today's tree are read: README.md,
tests/README.md and docs/ (not the CHANGELOG, nor BENCHMARKS.md's dated records of the commands
run then). Build outputs that ``nox -s docs`` makes are allowed."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "tests" / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PATH = re.compile(
    r"(?<![\w./-])((?:tests|src/xpnet|docs|examples|notebooks|scripts|benchmarks|\.ci)"
    r"/[\w./*-]*[\w*/])"
)
BUILT = ("docs/_build", "docs/generated")  # made by nox -s docs, not committed
pytestmark = pytest.mark.skipif(
    os.environ.get("XPNET_BACKEND", "numpy") not in ("numpy", ""),
    reason="the pages do not depend on the backend: tested in the numpy session",
)


def named_paths(text: str) -> list[str]:
    """The root-relative paths in a page's text (a glob such as ``tests/test_*.py`` included).

    >>> named_paths("see `tests/backends/test_dask.py` and [x](docs/check.md).")
    ['tests/backends/test_dask.py', 'docs/check.md']
    """
    return [path.rstrip(".") for path in PATH.findall(text)]


def missing(page: Path) -> list[str]:
    gone = []
    for path in named_paths(page.read_text(encoding="utf-8")):
        if path.startswith(BUILT):
            continue
        found = any(ROOT.glob(path)) if "*" in path else (ROOT / path).exists()
        if not found and not (page.parent / path).exists():
            gone.append(path)
    return gone


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_path_a_page_names_exists(page):
    assert not missing(page), f"{page.relative_to(ROOT)} names files that do not exist"


def test_a_path_that_is_gone_is_found(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("`tests/test_dask.py` and `tests/backends/test_dask.py`\n", encoding="utf-8")
    assert missing(page) == ["tests/test_dask.py"]
