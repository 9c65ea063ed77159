"""A learner's network, loaded from their file (``xpnet check FILE.py[:CLASS]``).

The file is imported as a module named ``xpnet_check_<stem>`` (never ``__main__``, so its
``if __name__ == "__main__":`` block does not run). While it is imported, and only then, its
own folder is first on ``sys.path``, so that its sibling imports (``from common.layers import
*``, the book's layout) find the learner's files: modules of the same names imported before
are set aside meanwhile, and the modules that import brings in from that folder are dropped
from ``sys.modules`` afterwards, so each check (another folder, another ``common``) imports
its own. A file that reaches up with the book's ``sys.path.append(os.pardir)`` finds its
``common/`` as when it runs: from the folder it is run in (run ``xpnet check`` there too).

The class is the one named, or the one class of the file with ``loss`` and ``gradient``
methods; it is built as the book does, ``(input_size=784, hidden_size=50, output_size=10)``,
with NumPy's global generator seeded (0) so that a check is repeatable, and checked on the
first 3 images of the bundled MNIST sample: offline.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
import sysconfig
import traceback
from pathlib import Path

__all__ = ["LearnerError", "learner_frames", "learner_traceback", "load_class"]

BOOK_SIZES = {"input_size": 784, "hidden_size": 50, "output_size": 10}
SAMPLES = 3


class LearnerError(Exception):
    """The file or class cannot be used; the message is one line for the learner."""


def load_class(spec: str) -> type:
    """The network class of ``FILE.py`` or ``FILE.py:CLASS``. Raises LearnerError when the file
    is missing, fails to import (with the learner's frames of the traceback), or holds no such
    class."""
    path_text, _, class_name = spec.partition(":")
    path = Path(path_text)
    if path.suffix != ".py" or not path.is_file():
        raise LearnerError(f"FILE must be an existing Python file (name.py); got {path_text!r}")
    module = _import(path.resolve())
    if class_name:
        found = getattr(module, class_name, None)
        if not inspect.isclass(found):
            raise LearnerError(f"{path.name} has no class {class_name}; {_classes_in(module)}")
        return found
    candidates = [
        c
        for c in vars(module).values()
        if inspect.isclass(c)
        and c.__module__ == module.__name__
        and callable(getattr(c, "loss", None))
        and callable(getattr(c, "gradient", None))
    ]
    if len(candidates) != 1:
        found = "none" if not candidates else ", ".join(c.__name__ for c in candidates)
        raise LearnerError(
            f"{path.name} must define one class with loss(x, t) and gradient(x, t) methods;"
            f" found {found}. Name it: xpnet check {path_text}:CLASS"
        )
    return candidates[0]


def _import(path: Path):
    folder = str(path.parent)
    name = f"xpnet_check_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    shadowed = _set_aside(_local_names(path.parent))  # an earlier `common` must not answer
    before = set(sys.modules)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the learner's bug: show where in their files
        raise LearnerError(learner_traceback(error)) from None
    finally:
        sys.path.remove(folder)
        for added in set(sys.modules) - before:  # the learner's own modules (common.layers ...)
            where = getattr(sys.modules[added], "__file__", None) or ""
            if where.startswith(folder + os.sep):
                del sys.modules[added]
        sys.modules.update(shadowed)
    return module


def _local_names(folder: Path) -> set[str]:
    """The top-level modules and packages the folder offers to an import (common, utils, ...)."""
    return {
        p.stem if p.suffix == ".py" else p.name
        for p in folder.iterdir()
        if (p.suffix == ".py" or p.is_dir()) and p.stem.isidentifier()
    }


def _set_aside(names: set[str]) -> dict:
    """Take out of sys.modules the modules of these names (and their submodules) that are the
    user's own files, not installed packages or the standard library; return them."""
    installed = _installed()
    taken = {
        key: module
        for key, module in sys.modules.items()
        if key.split(".", 1)[0] in names
        and not (getattr(module, "__file__", None) or "").startswith(installed)
        and getattr(module, "__file__", None)
    }
    for key in taken:
        del sys.modules[key]
    return taken


def _classes_in(module) -> str:
    names = [n for n, c in vars(module).items() if inspect.isclass(c)]
    return f"its classes: {', '.join(names)}" if names else "it defines no class"


def learner_traceback(error: BaseException) -> str:
    """The error and the frames of its traceback in the learner's files (none of xpnet's)."""
    where = "".join(traceback.format_list(learner_frames(error))).rstrip()
    text = f"{type(error).__name__}: {error}"
    return f"{text} (raised in your code)\n{where}" if where else text


def learner_frames(error: BaseException) -> list:
    """The frames of error's traceback in the user's files: not xpnet's, not an installed
    package's or the standard library's (the book's common/ may sit beside the file's folder)."""
    xpnet_files = str(Path(__file__).resolve().parents[1])
    return [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith((*_installed(), xpnet_files, "<"))
    ]


def _installed() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple({paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")})
