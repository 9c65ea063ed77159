"""The public names of the docs engineer's modules carry numpydoc docstrings that document
every parameter and what is returned (numpydoc's own validator). It needs numpydoc, which the
docs session installs. That every public name is on an API page is tests/test_api_pages.py's."""

from __future__ import annotations

import importlib
import inspect
import os

import pytest

MODULES = [  # numpydoc here; backends/, check/, cli/, train.py and nets.py are their owners'
    "xpnet.functions",
    "xpnet.labels",
    "xpnet.gradient",
    "xpnet.layers",
    "xpnet.layer_naive",
    "xpnet.optim",
    "xpnet.evaluation",
    "xpnet.history",
    "xpnet.threads",
    "xpnet.plot",
    "xpnet.numgrad",
    "xpnet.datasets.common",
    "xpnet.datasets.mnist",
    "xpnet.datasets.download",
    "xpnet.datasets.cache",
    "xpnet.datasets.sample",
    "xpnet.datasets.rows.source",
    "xpnet.datasets.rows.files",
    "xpnet.datasets.rows.tiled",
    "xpnet.datasets.rows.dask_arrays",
]
CHECKS = {  # numpydoc's codes: no docstring, a parameter undocumented or unknown, no Returns
    "GL08",
    "PR01",
    "PR02",
    "RT01",
    "YD01",
}
ONCE = pytest.mark.skipif(
    os.environ.get("XPNET_BACKEND", "numpy") not in ("numpy", ""),
    reason="docstrings do not depend on the backend: tested in the numpy and docs sessions",
)


def public_objects():
    for name in MODULES:
        module = importlib.import_module(name)
        for public in getattr(module, "__all__", None) or [n for n in vars(module) if n[0] != "_"]:
            obj = getattr(module, public)
            if getattr(obj, "__module__", None) != name:
                continue  # re-exported from elsewhere: checked there
            yield f"{name}.{public}", obj
            if inspect.isclass(obj):
                for key, value in vars(obj).items():
                    if not key.startswith("_") and (
                        inspect.isfunction(value) or isinstance(value, property | classmethod)
                    ):
                        yield f"{name}.{public}.{key}", value


def test_every_public_name_documents_its_parameters_and_returns():
    validate = pytest.importorskip("numpydoc.validate").validate
    problems = []
    for target, obj in public_objects():
        error_class = isinstance(obj, type) and issubclass(obj, BaseException)
        checks = {"GL08"} if error_class else CHECKS  # errors take xpnet.errors' template
        for code, message in validate(target)["errors"]:
            if code in checks:
                problems.append(f"{target}: {code} {message}")
    assert not problems, "\n".join(problems)
