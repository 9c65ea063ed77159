"""The public names carry numpydoc docstrings: every parameter named in Parameters, Returns
where a value is returned, and Examples (doctested by ``--doctest-modules src/xpnet``).

Two tests: numpydoc's own validator on the modules listed in MODULES (it needs numpydoc, which
the docs session installs), and a reading of the sections without numpydoc, in every numpy
session, over every function and class the API pages (docs/api/*.md) document. That every
public name is on an API page is tests/test_api_pages.py's."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import os
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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


# -- numpydoc sections on every documented name, without numpydoc ------------------------------
# The test above needs numpydoc (the docs session); these run in every numpy session. They read
# the sections as numpydoc writes them and hold every public function and class of the API pages
# (docs/api/*.md: xpnet.__all__ and the public names of nets, train, check/, backends/, fast/,
# checkpoint/, datasets/, ...) to: Parameters naming every parameter of the signature (a class:
# its constructor's, in Parameters or Attributes), Returns (or Yields) where it returns a value,
# and Examples. The members of a class documented with :members: are held to the first two.

PAGES = sorted((ROOT / "docs" / "api").glob("*.md"))
DIRECTIVE = re.compile(r"^\.\. (auto\w+):: (\S+)\n((?:   :[\w-]+:.*\n)*)", flags=re.MULTILINE)
SECTION = re.compile(r"^([A-Z]\w*(?: \w+)*)\n-{3,}[ \t]*$", flags=re.MULTILINE)
ENTRY = re.compile(r"^(\*{0,2}\w+(?:\s*,\s*\*{0,2}\w+)*)(?:\s*:.*)?$")
NO_EXAMPLE = {  # names that cannot show themselves in a doctest, and why
    "xpnet.datasets.download_mnist": "downloads 11 MB from the MNIST mirrors (no network in tests)",
    "xpnet.datasets.fetch_mnist": "downloads the MNIST files (no network in tests)",
    "xpnet.backends.synchronize": "waits for a GPU; on NumPy it does nothing to show",
    "xpnet.datasets.rows.as_dask": "needs Dask, an optional extra absent from the numpy session",
}


def sections(doc: str | None) -> dict[str, str]:
    """A numpydoc docstring's sections: title -> body.

    >>> sections("Sum.\\n\\nParameters\\n----------\\nx : int\\n    A number.\\n")
    {'Parameters': 'x : int\\n    A number.'}
    """
    doc = inspect.cleandoc(doc or "")
    heads = list(SECTION.finditer(doc))
    if not heads:
        return {}
    ends = [head.start() for head in heads[1:]] + [len(doc)]
    return {
        head.group(1): doc[head.end() : end].strip("\n")
        for head, end in zip(heads, ends, strict=True)
    }


def named(body: str) -> set[str]:
    """The names a Parameters or Attributes section documents (``a, b : float`` names two).

    >>> sorted(named("x : Array\\n    Input.\\ntrain_acc, test_acc : float\\n**fields\\n    More."))
    ['fields', 'test_acc', 'train_acc', 'x']
    """
    names = set()
    for line in body.splitlines():
        match = ENTRY.match(line) if line[:1].strip() else None
        if match:
            names |= {name.strip().lstrip("*") for name in match.group(1).split(",")}
    return names


def api_targets() -> list[tuple[str, object, bool]]:
    """(target, object, is a member) for every function and class the API pages document, and
    the public methods and properties of each class documented with :members:."""
    text = "".join(page.read_text(encoding="utf-8") for page in PAGES)
    found = []
    for kind, target, options in DIRECTIVE.findall(text):
        if kind not in ("autofunction", "autoclass"):
            continue  # autodata: a constant or a type alias, described on its page
        module, _, name = target.rpartition(".")
        obj = getattr(importlib.import_module(module), name)
        found.append((target, obj, False))
        if kind == "autoclass" and ":members:" in options:
            for key, value in vars(obj).items():
                if not key.startswith("_") and (
                    inspect.isfunction(value) or isinstance(value, property | classmethod)
                ):
                    found.append((f"{target}.{key}", value, True))
    return found


def returns_a_value(function) -> bool:
    """Whether function's own body returns something other than None, or yields."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):
        return False
    body = tree.body[0]
    for node in ast.walk(body):
        if node is not body and isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
        ):
            continue  # ast.walk still enters them; a nested def's returns are checked below
        if isinstance(node, ast.Yield | ast.YieldFrom):
            return True
        if isinstance(node, ast.Return) and node.value is not None:
            if not (isinstance(node.value, ast.Constant) and node.value.value is None):
                return True
    return False


def is_error(obj) -> bool:
    return inspect.isclass(obj) and issubclass(obj, BaseException | Warning)


def problems_of(target: str, obj, member: bool) -> list[str]:
    """What the docstring of obj lacks, as sentences naming target."""
    if isinstance(obj, property):
        return [] if obj.__doc__ else [f"{target}: no docstring"]
    function = obj.__func__ if isinstance(obj, classmethod) else obj
    found = sections(function.__doc__)
    problems = []
    if not function.__doc__:
        return [f"{target}: no docstring"]
    if is_error(function):  # its constructor is xpnet.errors' template: shown where it is raised
        return []
    if inspect.isclass(function) and dataclasses.is_dataclass(function):
        wanted = [f.name for f in dataclasses.fields(function)]
    else:
        signature = inspect.signature(function)
        wanted = [name for name in signature.parameters if name not in ("self", "cls")]
    documented = named(found.get("Parameters", "")) | named(found.get("Attributes", ""))
    if wanted and "Parameters" not in found and "Attributes" not in found:
        problems.append(f"{target}: no Parameters section ({len(wanted)} parameters)")
    else:
        absent = [name for name in wanted if name not in documented]
        if absent:
            problems.append(f"{target}: Parameters does not name {', '.join(absent)}")
    if not inspect.isclass(function) and returns_a_value(function):
        if "Returns" not in found and "Yields" not in found:
            problems.append(f"{target}: returns a value but has no Returns section")
    if not member and "Examples" not in found and target not in NO_EXAMPLE:
        problems.append(f"{target}: no Examples section")
    return problems


@ONCE
def test_every_documented_name_has_parameters_returns_and_examples():
    problems = [
        p for target, obj, member in api_targets() for p in problems_of(target, obj, member)
    ]
    assert not problems, "\n".join(problems)


@ONCE
def test_the_api_pages_hold_the_names_this_test_was_asked_to_cover():
    targets = {target.rpartition(".")[0] for target, _, member in api_targets() if not member}
    for module in ("xpnet", "xpnet.nets", "xpnet.train", "xpnet.check", "xpnet.backends"):
        assert module in targets, f"no name of {module} on an API page: this test misses it"
    documented = {obj for _, obj, _ in api_targets()}
    import xpnet

    absent = [name for name in xpnet.__all__ if getattr(xpnet, name) not in documented]
    assert not absent, f"xpnet.__all__ names {absent}, which this test does not check"


@ONCE
def test_a_docstring_missing_a_parameter_is_found():
    def scaled(x, factor=2.0):
        """x times factor.

        Parameters
        ----------
        x : Array
            Any shape.

        Returns
        -------
        Array

        Examples
        --------
        >>> scaled(1.0)
        2.0
        """
        return x * factor

    assert problems_of("scaled", scaled, False) == ["scaled: Parameters does not name factor"]

    def silent(x):
        return x

    assert problems_of("silent", silent, False) == ["silent: no docstring"]
    silent.__doc__ = "x.\n\nParameters\n----------\nx : int\n    Anything.\n"
    assert problems_of("silent", silent, False) == [
        "silent: returns a value but has no Returns section",
        "silent: no Examples section",
    ]
