"""``xpnet check FILE.py[:CLASS]``: load a learner's network from their file and check it.

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

import numpy as np

__all__ = ["LearnerError", "check_command", "load_class"]

EXIT_FAILED, EXIT_UNUSABLE = 1, 2
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
    where = "".join(traceback.format_list(_learner_frames(error))).rstrip()
    text = f"{type(error).__name__}: {error}"
    return f"{text} (raised in your code)\n{where}" if where else text


def _learner_frames(error: BaseException) -> list:
    """The frames of error's traceback in the user's files: not xpnet's, not an installed
    package's or the standard library's (the book's common/ may sit beside the file's folder)."""
    return [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith((*_installed(), str(Path(__file__).parent), "<"))
    ]


def _installed() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple({paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")})


def check_command(args) -> int:
    """``xpnet check FILE.py[:CLASS]``: 0 when the network passes, 1 when the check fails, 2
    when the file or class cannot be used (one line, or the learner's traceback)."""
    from .datasets import load_mnist_sample
    from .netcheck import check_network

    try:
        cls = load_class(args.file)
        np.random.seed(0)  # noqa: NPY002 (the book's nets draw from this generator)
        try:
            net = cls(**BOOK_SIZES)
        except TypeError as error:
            if _learner_frames(error):  # raised inside their __init__: their bug
                raise
            raise LearnerError(
                f"cannot build {cls.__name__}(input_size=784, hidden_size=50, output_size=10)"
                f" as the book does: {error}"
            ) from None
        (x_train, t_train), _ = load_mnist_sample()
        x, t = x_train[:SAMPLES], t_train[:SAMPLES]
        check = check_network(net, x, t)
    except LearnerError as error:
        print(f"xpnet check: error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except Exception as error:  # raised inside the learner's network
        print(f"xpnet check: error: {learner_traceback(error)}", file=sys.stderr)
        return EXIT_UNUSABLE
    print(f"xpnet check: {cls.__name__} of {args.file.partition(':')[0]} on {SAMPLES} images")
    print(check)
    return 0 if check.passed else EXIT_FAILED
