"""Sphinx configuration of xpnet's documentation: `nox -s docs` builds it offline, warnings as
errors (sphinx-build -W). Sphinx with numpydoc, because the docstrings are numpydoc (as
scikit-learn's and array-api-extra's are) and Sphinx renders them without a translation layer;
the pages are Markdown, read by MyST. Nothing here reaches the network: no intersphinx, a theme
(furo) whose assets ship in its wheel.

Three pages are generated at build time, by _ext/xpnet_pages.py, so that they cannot drift:
the CLI reference from xpnet.cli.build_parser, the troubleshooting page from the cases of
tests/test_troubleshooting.py (each case run now, its message captured), and the benchmarks'
results from benchmarks' committed JSON once there is some.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))  # Sphinx's way to find a local extension

import xpnet  # noqa: E402

project = "xpnet"
author = "xpnet developers"
copyright = "xpnet developers, MIT licence"
release = version = xpnet.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "numpydoc",
    "xpnet_pages",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "generated"]  # generated pages are included by cli.md, ...
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # the numpydoc sections give the types, in words
autodoc_member_order = "bysource"
numpydoc_show_class_members = False  # members are listed on the API pages, where they belong
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "furo"
html_title = f"xpnet {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
suppress_warnings: list[str] = []
nitpicky = False


def _drop_type_docstring(app, what, name, obj, options, lines):
    """A constant's docstring is its type's (tuple's, typing.Any's): drop it, so that what the API
    page writes under the directive is the whole description."""
    if what == "data" and obj.__doc__ and "\n".join(lines).strip() == inspect.cleandoc(obj.__doc__):
        lines.clear()


def setup(app):
    app.connect("autodoc-process-docstring", _drop_type_docstring, priority=400)  # before numpydoc
