"""The words of :func:`xpnet.check.learner.load_learner`: why a file holds no class to check
(:func:`no_single_class`, :func:`classes_in`, :func:`methods_of`), and the notes of an import
that stopped before its end (:func:`stopped_note`, :func:`timeout_note`) or that brought the net
from another of the learner's files (:func:`imported_note`)."""

from __future__ import annotations

import inspect
from pathlib import Path

from .importing import ImportTimeout, stopped_at
from .locating import _brief, _place, class_file, learner_frames
from .notebook import is_notebook

__all__ = [
    "classes_in",
    "file_of",
    "imported_note",
    "methods_of",
    "no_single_class",
    "stopped_note",
    "timeout_note",
]


def _has(cls: type, method: str) -> bool:
    return callable(getattr(cls, method, None))


def imported_note(path: Path, classes: list[type]) -> str:
    said = ", ".join(f"{c.__name__} (from {file_of(c)})" for c in classes)
    return f"{path.name} defines no network class of its own; it imports {said}"


def file_of(cls: type) -> str:
    file = class_file(cls)
    return Path(file).name if file else cls.__module__


def no_single_class(
    path: Path, path_text: str, own: list[type], candidates: list[type], outside: list = ()
) -> str:
    fix = f"Name it: xpnet check {path_text}:CLASS"
    book = [f for f in outside if f.__name__ in ("loss", "gradient", "numerical_gradient")]
    if book and not candidates:  # the net's methods lost their indentation
        said = ", ".join(f"{f.__name__}() ({_place(f)})" for f in book)
        return (
            f"{path.name} must define one class with loss(x, t) and gradient(x, t) methods;"
            f" found none: {said} {'sits' if len(book) == 1 else 'sit'} at module level, taking"
            f" self: methods outside their class? Indent {'it' if len(book) == 1 else 'them'}"
            " into the network's class"
        )
    if candidates:
        found = ", ".join(c.__name__ for c in candidates)
        return (
            f"{path.name} must define one class with loss(x, t) and gradient(x, t) methods;"
            f" found {found}. {fix}"
        )
    if not own:
        return (
            f"{path.name} must define one class with loss(x, t) and gradient(x, t) methods;"
            f" found none: it defines no class (xpnet check reads a network class such as the"
            f" book's TwoLayerNet, with params, loss and gradient): check the file that defines"
            f" yours"
        )
    said = "; ".join(
        f"{c.__name__} ({_place(c)}) has {methods_of(c)}"
        for c in own
    )  # fmt: skip
    return (
        f"{path.name} must define one class with loss(x, t) and gradient(x, t) methods;"
        f" found none: {said}. Add the missing method (the book's chapter 5: gradient(x, t)"
        f" returns a dict like params), or {fix[0].lower()}{fix[1:]}"
    )


def methods_of(cls: type) -> str:
    names = ("loss", "gradient", "numerical_gradient", "predict")
    have = [f"{n}()" for n in names if _has(cls, n)]
    lacks = [f"{n}()" for n in ("loss", "gradient") if not _has(cls, n)]
    return (", ".join(have) or "none of loss, gradient") + (
        f" but no {' and no '.join(lacks)}" if lacks and have else ""
    )


def classes_in(module) -> str:
    names = [n for n, c in vars(module).items() if inspect.isclass(c)]
    return f"its classes: {', '.join(names)}" if names else "it defines no class"


def stopped_note(path: Path, error: BaseException, time_limit: float, own: list[type]) -> str:
    names = ", ".join(c.__name__ for c in own)
    if isinstance(error, ImportTimeout):
        return timeout_note(path, error, time_limit, own)
    raised = getattr(error, "xpnet_cells_raised", ())
    if raised and is_notebook(path):
        said = "; ".join(f"cell {number} raised {_brief(e)}" for number, e in raised)
        return (
            f"{said}. The cells after each were run all the same, as when the cells are run one"
            f" by one: {names} checked as they defined it"
        )
    place = stopped_at(error, path)
    frames = learner_frames(error)
    said = frames and (frames[-1].filename == str(path) or f"{path} [cell " in frames[-1].filename)
    at = f" at {place}" if place and not said else ""  # _brief names the place already
    after = (
        "the cells after it were not run"
        if is_notebook(path)
        else "code under if __name__ == '__main__': runs only when the file itself is run"
    )
    return (
        f"{path.name}'s top-level code raised {_brief(error)}{at}, after defining {names}:"
        f" checked as defined by then ({after})"
    )


def timeout_note(path: Path, error: BaseException, time_limit: float, own: list[type]) -> str:
    place = stopped_at(error, path)
    at = f" (at {place} when stopped)" if place else ""
    said = (
        f"{path.name}'s cells were still running after {time_limit:g} s{at}: training? The"
        " cells after it were not run"
        if is_notebook(path)
        else f"{path.name}'s top-level code was still running after {time_limit:g} s{at}:"
        " training at import? Put it under if __name__ == '__main__':, so that importing the"
        " file only defines its classes and functions"
    )
    raised = getattr(error, "xpnet_cells_raised", ())
    if raised:  # the cells that raised before it, run on all the same
        said += "; before it, " + "; ".join(f"cell {n} raised {_brief(e)}" for n, e in raised)
    if not own:
        return said
    names = ", ".join(c.__name__ for c in own)
    return f"{said}; {names} {'was' if len(own) == 1 else 'were'} checked as defined by then"
