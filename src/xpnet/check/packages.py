"""Where a learner's file runs as part of a package, and the packages it imports mnist through.

:func:`package_of`: a file that imports relatively (``from .layers import Affine``) runs as a
module of its package, from the folder above its top package; :func:`module_of_own_package`: a
file that imports its own package by name runs as the module its importers import;
:func:`mnist_packages`: the top-level names through which a file imports a module ``mnist``.
Each reads the file's source (:mod:`xpnet.check.folders`' reading), never runs it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .folders import _imports, _parsed

__all__ = ["mnist_packages", "module_of_own_package", "package_of"]


def package_of(path: Path) -> tuple[Path, str] | None:
    """Where a file that imports relatively (``from .layers import Affine``) runs as part of a
    package: (the folder above its top package, the file's dotted module name), as
    ``python -m pkg.nets.two_layer_net`` run in that folder finds it. The package climbs as far as
    the deepest relative import reaches and on while ``__init__.py`` files go. None for a file
    with no relative import: it runs as a script, its own folder first on the path."""
    tree, _ = _parsed(path)
    levels = [n.level for n in ast.walk(tree or ast.Module()) if getattr(n, "level", 0)]
    if not levels:
        return None
    parts = [] if path.stem == "__init__" else [path.stem]
    folder = path.parent
    while folder.parent != folder and (
        len(parts) < max(levels) + (path.stem != "__init__") or (folder / "__init__.py").exists()
    ):
        parts.insert(0, folder.name)
        folder = folder.parent
    return folder, ".".join(parts)


def module_of_own_package(path: Path) -> tuple[Path, str] | None:
    """Where a file that imports its own package by name (``lib/two_layer_net.py``: ``from lib
    import common``, beside ``lib/__init__.py``) runs as the module that its importers import
    (``from lib.two_layer_net import TwoLayerNet``, the folder above ``lib/`` on the path): (that
    folder, the dotted name), as :func:`package_of` says it; None when the file imports no package
    that holds it."""
    tops = {name for name, _ in _imports(path)}
    parts = [] if path.stem == "__init__" else [path.stem]
    folder, found = path.parent, None
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        if folder.name in tops:
            found = (folder.parent, ".".join(parts))
        folder = folder.parent
    return found


def mnist_packages(path: Path) -> set[str]:
    """The top-level names through which path imports a module ``mnist``: ``mnist`` itself
    (``from mnist import load_mnist``), ``dataset`` (``from dataset.mnist import ...``), any
    other package (``from data.mnist import ...``)."""
    return {parts[0] for _, parts in _imports(path) if parts[-1] == "mnist"}
