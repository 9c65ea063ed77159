"""Where in the learner's code: the frames of a traceback that are theirs, the line of a definition.

A learner is shown their own code, never xpnet's: :func:`learner_frames` keeps the frames of a
traceback in the learner's files (not xpnet's, not an installed package's or the standard
library's), :func:`learner_traceback` is the error with those frames (and xpnet's hint, where
there is one), :func:`_brief` the error in one line with the place it was raised. :func:`_place`
("line N") and :func:`_where` ("folder/file.py, line N") locate a class or function of theirs
for a message.
"""

from __future__ import annotations

import difflib
import inspect
import linecache
import traceback
from pathlib import Path

__all__ = ["backprop_raised", "learner_frames", "learner_traceback", "raised_in_backprop"]


def learner_traceback(error: BaseException) -> str:
    """The error and the frames of its traceback in the learner's files (none of xpnet's),
    with a hint where xpnet has one (see check_learner)."""
    where = "".join(traceback.format_list(learner_frames(error))).rstrip()
    close = _did_you_mean(error)
    text = f"{_kind(error)}{error}" + (f"; did you mean {close!r}?" if close else "")
    said = f"{text} {getattr(error, 'xpnet_before', '')}(raised in your code)\n{where}"
    hint = getattr(error, "xpnet_hint", "")
    return (said if where else text) + (f"\nhint: {hint}" if hint else "")


def _did_you_mean(error: BaseException) -> str:
    """ "Relu" for a NameError whose name (ReLu) is close to one the frame that raised it knows
    (its locals, its module's names, the builtins), as Python's own traceback suggests it; ""
    otherwise."""
    name = getattr(error, "name", None)
    tb = error.__traceback__
    if not isinstance(error, NameError) or not name or tb is None:
        return ""
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    known = {*frame.f_locals, *frame.f_globals, *frame.f_builtins}
    close = [k for k in sorted(known) if k.lower() == name.lower()]  # ReLu for Relu
    close = close or difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return close[0] if close else ""


def raised_in_backprop(error: BaseException) -> bool:
    """Whether error was raised in the learner's own code by gradient(x, t), after loss(x, t)
    ran on the same x and t (check_network marks it ``xpnet_in_backward``): their backprop is
    wrong, a verdict, not a file that xpnet could not use."""
    return bool(getattr(error, "xpnet_in_backward", False) and learner_frames(error))


def backprop_raised(error: BaseException) -> str:
    """The verdict on a net whose loss(x, t) ran and whose gradient(x, t) raised in its own
    code (:func:`raised_in_backprop`): the check failed, and where."""
    return (
        "check FAILED: gradient(x, t) raised an error in your code after loss(x, t) ran on the"
        f" same x and t (backprop is wrong, not the data): {learner_traceback(error)}"
    )


def learner_frames(error: BaseException) -> list:
    """The frames of error's traceback in the user's files: not xpnet's, not an installed
    package's or the standard library's (the book's common/ may sit beside the file's folder)."""
    return [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if is_learners_file(frame.filename)
    ]


def _is_theirs(cls: type) -> bool:
    """Whether the class is defined in the user's files (by its methods' code), not in xpnet,
    an installed package or the standard library."""
    return is_learners_file(class_file(cls))


def is_learners_file(file: str | None) -> bool:
    """Whether code compiled from file is the user's: not xpnet's (its stand-in of the book's
    common/ included), an installed package's, the standard library's or a string's."""
    from .folders import _installed

    xpnet_files = str(Path(__file__).resolve().parents[1])
    return file is not None and not file.startswith((*_installed(), xpnet_files, "<"))


def class_file(cls: type) -> str | None:
    """The file that defines the class's methods (its first function's code), or None."""
    functions = [f for f in vars(cls).values() if inspect.isfunction(f)]
    return functions[0].__code__.co_filename if functions else None


def _brief(error: BaseException) -> str:
    frames = learner_frames(error)
    text = str(error).splitlines()[0] if str(error) else ""
    close = _did_you_mean(error)
    text += f" (did you mean {close!r}?)" if close else ""
    if not frames:
        return f"{_kind(error)}{text.strip()}"
    where = f" in {frames[-1].name} ({Path(frames[-1].filename).name}, line {frames[-1].lineno})"
    return f"{_kind(error)}{text.strip()}{where}"


def _kind(error: BaseException) -> str:
    """ "ZeroDivisionError: " for the learner's errors and Python's; "" for xpnet's own, whose
    class name (NotebookError) tells a learner nothing their message does not."""
    module = type(error).__module__
    return "" if module == "xpnet" or module.startswith("xpnet.") else f"{type(error).__name__}: "


def _place(obj) -> str:
    """ "line N" of a function, or of a class (found in its file: the learner's module is not in
    sys.modules, where inspect looks for classes); in a notebook "[cell 4], line N"."""
    if inspect.isclass(obj):
        import ast

        functions = [f for f in vars(obj).values() if inspect.isfunction(f)]
        try:
            file = inspect.getsourcefile(functions[0])
            tree = ast.parse("".join(linecache.getlines(file)))
        except (IndexError, TypeError, OSError, SyntaxError):
            return "its file"
        lines = [
            n.lineno
            for n in ast.walk(tree)
            if isinstance(n, ast.ClassDef) and n.name == obj.__name__
        ]
        return f"{_cell(file)}line {lines[0]}" if lines else "its file"
    try:
        return f"{_cell(inspect.getsourcefile(obj))}line {inspect.getsourcelines(obj)[1]}"
    except (TypeError, OSError):
        return "its file"


def _cell(file: str | None) -> str:
    """ "[cell 4], " where file is a notebook's cell (see xpnet.check.notebook.cell_name)."""
    _, marker, number = (file or "").rpartition(" [cell ")
    return f"[cell {number}, " if marker and number.endswith("]") else ""


def _where(function) -> str:
    try:
        path = Path(inspect.getsourcefile(function))
        return f"{path.parent.name}/{path.name}, line {inspect.getsourcelines(function)[1]}"
    except (TypeError, OSError):
        return "its file"
