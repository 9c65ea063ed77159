"""Every public name of every public module is on an API page (docs/api/*.md), so a name added to
a module's ``__all__`` without documentation fails here, not in a user's hands.

A name counts as documented when an autodoc directive names it (``.. autofunction::
xpnet.plot.have_matplotlib``) or names the same function or class under another public path
(``xpnet.train`` documents ``xpnet.train.train``). The public modules are the ones the API pages
present; a module the pages document from must be in that list, so that it is checked whole.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs" / "api").glob("*.md"))
DIRECTIVE = re.compile(r"^\.\. auto\w+:: (\S+)", flags=re.MULTILINE)
PUBLIC_MODULES = [
    "xpnet",
    "xpnet.functions",
    "xpnet.gradient",
    "xpnet.numgrad",
    "xpnet.layers",
    "xpnet.nets",
    "xpnet.train",
    "xpnet.history",
    "xpnet.optim",
    "xpnet.threads",
    "xpnet.step",
    "xpnet.fast",
    "xpnet.check",
    "xpnet.evaluation",
    "xpnet.datasets",
    "xpnet.datasets.rows",
    "xpnet.checkpoint",
    "xpnet.backends",
    "xpnet.plot",
]
pytestmark = pytest.mark.skipif(
    os.environ.get("XPNET_BACKEND", "numpy") not in ("numpy", ""),
    reason="the API pages do not depend on the backend: tested in the numpy session",
)


def documented() -> dict[str, object]:
    """Each autodoc target of the API pages -> the object it documents (found as Sphinx does:
    the module before the last dot, the name after it)."""
    targets = DIRECTIVE.findall("".join(page.read_text(encoding="utf-8") for page in PAGES))
    found = {}
    for target in targets:
        module, _, name = target.rpartition(".")
        found[target] = getattr(importlib.import_module(module), name)
    return found


def test_the_api_pages_document_only_from_public_modules():
    modules = {target.rpartition(".")[0] for target in documented()}
    assert modules <= set(PUBLIC_MODULES), f"add to PUBLIC_MODULES: {modules - set(PUBLIC_MODULES)}"


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_name_in_a_public_modules_all_is_on_an_api_page(module_name):
    targets = documented()
    objects = [obj for obj in targets.values() if callable(obj)]  # classes and functions
    module = importlib.import_module(module_name)
    missing = [
        name
        for name in module.__all__
        if f"{module_name}.{name}" not in targets
        and not any(getattr(module, name) is obj for obj in objects)
    ]
    assert not missing, (
        f"{module_name}.__all__ names {missing}, which no page of docs/api/ documents: "
        "add an autodoc directive for each, or take it out of __all__ if it is not public API"
    )
