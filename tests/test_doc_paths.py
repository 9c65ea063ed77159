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


def design_entries() -> dict[str, str]:
    """docs/design.md's list of src/xpnet/: each entry's text, by its first word (a package
    ``fast/``; the top-level modules' lines all under ``""``)."""
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    block = text.split("```text\nsrc/xpnet/\n", 1)[1].split("```", 1)[0]
    entries: dict[str, str] = {}
    key = ""
    for line in block.splitlines():
        if re.match(r"  \S", line):
            first = line.split()[0]
            key = first if first.endswith("/") else ""
        entries[key] = entries.get(key, "") + " " + line
    return entries


def modules_in(folder: Path, depth: int) -> list[str]:
    """The modules and packages of ``folder``, and of its packages to ``depth`` levels, as paths
    relative to it (``rows/tiled``)."""
    found = []
    for child in sorted(folder.iterdir()):
        if child.name in ("__init__.py", "__main__.py") or child.name.startswith((".", "__")):
            continue
        if child.suffix == ".py":
            found.append(child.stem)
        elif child.is_dir() and (child / "__init__.py").exists():
            found.append(child.name)
            if depth > 1:
                found += [f"{child.name}/{name}" for name in modules_in(child, depth - 1)]
    return found


def test_the_design_page_names_every_module():
    """docs/design.md's list of src/xpnet/ names each module where it lives (it lacked
    backends/_base and fast/path, among others, as modules were split)."""
    entries, package = design_entries(), ROOT / "src" / "xpnet"
    unnamed = []
    for name in modules_in(package, 1):
        if (package / name).is_dir():
            words = set(re.findall(r"[\w]+", entries.get(f"{name}/", "")))
            unnamed += [
                f"{name}/{sub}"
                for sub in modules_in(package / name, 2)
                if sub.rsplit("/", 1)[-1] not in words
            ]
        elif name not in set(re.findall(r"\w+", entries[""])):
            unnamed.append(name)
    assert not unnamed, f"docs/design.md's list of src/xpnet/ does not name {unnamed}"
