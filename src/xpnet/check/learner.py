"""A learner's network, loaded from their file, built and checked (``xpnet check FILE.py[:CLASS]``).

Read it as three steps, each a function:

1. :func:`load_learner` imports the file as it runs for the learner
   (:mod:`xpnet.check.importing`: its folders, offline MNIST, a time limit) and finds the class:
   the one named, or the one class of the file with ``loss`` and ``gradient`` (or, a net of
   chapter 4 before backprop, ``loss`` and ``numerical_gradient``);
2. :func:`build` reads the class's signature and builds it with the book's sizes under the
   learner's names (:mod:`xpnet.check.building`), NumPy's global generator seeded (0), so that a
   check is repeatable;
3. :func:`check_learner` checks it on the first 3 images of the bundled MNIST sample (offline),
   with class labels and, where the net's code needs them, one-hot rows: one line says which
   form the net takes.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .building import BOOK_SIZES, build_arguments, call_text
from .importing import TIME_LIMIT, ImportTimeout, import_file, stopped_at

__all__ = [
    "BOOK_SIZES",
    "SAMPLES",
    "Learner",
    "LearnerCheck",
    "LearnerError",
    "build",
    "check_learner",
    "learner_frames",
    "learner_traceback",
    "load_class",
    "load_learner",
]

SAMPLES = 3
KINK_TRIES = 3  # batches of SAMPLES images tried when a check fails at ReLU's kink only
NUM_CLASSES = 10


class LearnerError(Exception):
    """The file or class cannot be used; the message says what was found, what is missing and
    the fix, in the learner's terms."""


@dataclass
class Learner:
    """The class found in a learner's file, the file, and the notes of its import."""

    cls: type
    path: Path
    notes: list[str] = field(default_factory=list)

    @property
    def method(self) -> str:
        """The method that check_network checks: backprop's gradient, where the class has it."""
        return "gradient" if callable(getattr(self.cls, "gradient", None)) else "numerical_gradient"

    def describe(self) -> str:
        return f"{self.cls.__name__} of {self.path}"


def load_class(spec: str) -> type:
    """The network class of ``FILE.py`` or ``FILE.py:CLASS`` (see :func:`load_learner`)."""
    return load_learner(spec).cls


def load_learner(spec: str, *, time_limit: float = TIME_LIMIT) -> Learner:
    """The learner's class of ``FILE.py[:CLASS]``, with the notes of its import.

    Raises LearnerError when the file is missing, fails to import before defining a class
    (with the learner's frames of the traceback), or holds no such class.
    """
    path_text, _, class_name = spec.partition(":")
    path = Path(path_text)
    if path.suffix != ".py" or not path.is_file():
        raise LearnerError(f"FILE must be an existing Python file (name.py); got {path_text!r}")
    path = path.resolve()
    imported = import_file(path, time_limit=time_limit)
    module, notes = imported.module, imported.notes
    own = _own_classes(module)
    if imported.error is not None:
        if not own:  # nothing to check: the learner's bug, shown where it is
            if isinstance(imported.error, ImportTimeout):
                raise LearnerError(_timeout(path, imported.error, time_limit, None)) from None
            missing = getattr(imported.error, "name", None) or ""
            if isinstance(imported.error, ModuleNotFoundError) and (
                missing.split(".")[0] in imported.missing
            ):
                raise LearnerError(_not_found(path, imported, missing)) from None
            raise LearnerError(learner_traceback(imported.error)) from None
        notes.append(_stopped(path, imported.error, time_limit, own))
    if class_name:
        found = getattr(module, class_name, None)
        if not inspect.isclass(found):
            raise LearnerError(f"{path.name} has no class {class_name}; {_classes_in(module)}")
        return Learner(found, path, notes)
    with_gradient = [c for c in own if _has(c, "loss") and _has(c, "gradient")]
    numerical_only = [c for c in own if _has(c, "loss") and _has(c, "numerical_gradient")]
    candidates = with_gradient or numerical_only
    if len(candidates) != 1:
        raise LearnerError(_no_single_class(path, path_text, own, candidates))
    return Learner(candidates[0], path, notes)


def build(learner: Learner, **sizes):
    """An instance of the learner's class, built with the book's sizes (or ``sizes``) under the
    names of its signature, NumPy's global generator seeded with ``seed`` (default 0). Returns
    (net, the call as text). Raises LearnerError when the signature needs what xpnet cannot
    give, and passes on an error raised inside the learner's ``__init__``."""
    seed = sizes.pop("seed", 0)
    cls = learner.cls
    args, kwargs = build_arguments(cls, **sizes)
    np.random.seed(seed)  # noqa: NPY002 (the book's nets draw from this generator)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            net = cls(*args, **kwargs)
    except TypeError as error:
        if learner_frames(error):  # raised inside their __init__: their bug
            raise
        raise LearnerError(
            f"cannot build {call_text(cls, args, kwargs)} as the book does: {error}"
        ) from None
    params = getattr(net, "params", None)
    if not isinstance(params, dict) or not params:
        book = f"{cls.__name__}(input_size=784, hidden_size=50, output_size=10)"
        raise LearnerError(
            f"{call_text(cls, args, kwargs)} has {_described(params)} for net.params: xpnet"
            f" checks the parameters in it (cannot build {book} as the book does, with"
            f" params['W1'] ...). Fill self.params in {cls.__name__}.__init__"
            f" ({_place(cls.__init__)})"
        )
    return net, call_text(cls, args, kwargs)


@dataclass
class LearnerCheck:
    """The check of a learner's net and what a learner should be told beside it: the form of
    targets the net takes ("labels" or "one-hot") and the notes."""

    check: object
    form: str
    notes: list[str]


def check_learner(
    net, learner: Learner, x=None, labels=None, *, num_classes: int = NUM_CLASSES
) -> LearnerCheck:
    """check_network on the learner's net with class labels, then with one-hot rows where the
    labels raise in the learner's code (or fail where one-hot passes: said in a note).
    x, labels default to the first images of the bundled sample, SAMPLES at a time: a check
    whose wrong parameters disagree in a few entries only (ReLU's kink) is made again on the
    next SAMPLES images, up to KINK_TRIES batches. The learner's exceptions pass through (those
    of the labels when both forms raise)."""
    from ..datasets import load_mnist_sample

    if x is None:
        (x_train, t_train), _ = load_mnist_sample()
        x, labels = x_train[: SAMPLES * KINK_TRIES], t_train[: SAMPLES * KINK_TRIES]
    result = _check_learner(net, learner, x[:SAMPLES], labels[:SAMPLES], num_classes)
    for start in range(SAMPLES, x.shape[0] - SAMPLES + 1, SAMPLES):
        if result.check.passed or not _at_kinks(result.check):
            break  # a kink moves with the images; a mistake stays
        again = _check_learner(
            net, learner, x[start : start + SAMPLES], labels[start : start + SAMPLES], num_classes
        )
        again.notes.append(
            f"on the images before, {', '.join(p.name for p in result.check if not p.passed)}"
            f" disagreed in a few entries only, where a ReLU input sat at its kink (there the"
            f" numerical gradient is wrong, not backprop): checked on images {start} to"
            f" {start + SAMPLES - 1} of the sample instead"
        )
        result = again
    return result


def _at_kinks(check) -> bool:
    """Whether every wrong parameter disagrees in a few entries only (ReLU's kink)."""
    wrong = [p for p in check if not p.passed]
    return bool(wrong) and not check.problems and all(p.reason.startswith("only ") for p in wrong)


def _check_learner(net, learner, x, labels, num_classes) -> LearnerCheck:
    from .netcheck import check_network

    one_hot = np.eye(num_classes)[labels]
    method, notes = learner.method, []
    if method == "numerical_gradient":
        notes.append(
            f"{learner.cls.__name__} has numerical_gradient(x, t) but no gradient(x, t)"
            " (backprop, chapter 5): checked its numerical gradient against xpnet's"
        )
    quiet = contextlib.redirect_stdout(io.StringIO())  # a learner's debug prints, 80,000 times
    try:
        with quiet:
            check = check_network(net, x, labels, method=method)
    except Exception as error:
        if not learner_frames(error):
            raise
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                check = check_network(net, x, one_hot, method=method)
        except Exception as other:
            if not (_form_mismatch(error) and learner_frames(other)):
                raise _hinted(error, net) from None
            raise _hinted(
                other, net, f"(it takes one-hot targets: class labels raised {_brief(error)}) "
            ) from None
        notes.append(
            f"{learner.cls.__name__} takes one-hot targets t of shape {one_hot.shape}, as the"
            f" book's training scripts load them (load_mnist(one_hot_label=True)): with class"
            f" labels of shape {labels.shape} it raised {_brief(error)}. Checked with one-hot t"
        )
        return LearnerCheck(check, "one-hot", notes)
    if not check.passed and not check.problems:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                other = check_network(net, x, one_hot, method=method)
        except Exception:
            other = None
        if other is not None and other.passed:
            notes.append(
                f"with one-hot targets t of shape {one_hot.shape} the check passes: the mistake"
                f" is in the path for class labels t of shape {labels.shape} (the book's"
                " SoftmaxWithLoss.backward has one for each)"
            )
    return LearnerCheck(check, "labels", notes)


def learner_traceback(error: BaseException) -> str:
    """The error and the frames of its traceback in the learner's files (none of xpnet's),
    with a hint where xpnet has one (see check_learner)."""
    where = "".join(traceback.format_list(learner_frames(error))).rstrip()
    text = f"{type(error).__name__}: {error}"
    said = f"{text} {getattr(error, 'xpnet_before', '')}(raised in your code)\n{where}"
    hint = getattr(error, "xpnet_hint", "")
    return (said if where else text) + (f"\nhint: {hint}" if hint else "")


def _form_mismatch(error: BaseException) -> bool:
    """Whether error is what class labels give a net that takes one-hot rows (or the reverse):
    shapes (N, C) and (N,) that do not broadcast, or an index of the wrong kind."""
    text = str(error)
    return isinstance(error, IndexError) or ("broadcast" in text and ",)" in text)


def _hinted(error: BaseException, net, before: str = "") -> BaseException:
    """error, with what xpnet can add: a layer method that returns nothing, when the learner's
    code met a None."""
    from .layers import find_layers

    error.xpnet_before = before
    if isinstance(error, TypeError) and "NoneType" in str(error):
        silent = [
            f"{type(layer).__name__}.{method} ({_where(getattr(type(layer), method))})"
            for _, layer in find_layers(net)
            for method in ("forward", "backward")
            if _returns_nothing(getattr(type(layer), method, None))
        ]
        if silent:
            error.xpnet_hint = (
                f"{', '.join(dict.fromkeys(silent))} returns nothing (None): a return statement"
                " is missing"
            )
    return error


def _returns_nothing(function) -> bool:
    import ast
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (TypeError, OSError, SyntaxError):
        return False
    return not any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(tree))


def _where(function) -> str:
    try:
        path = Path(inspect.getsourcefile(function))
        return f"{path.parent.name}/{path.name}, line {inspect.getsourcelines(function)[1]}"
    except (TypeError, OSError):
        return "its file"


def learner_frames(error: BaseException) -> list:
    """The frames of error's traceback in the user's files: not xpnet's, not an installed
    package's or the standard library's (the book's common/ may sit beside the file's folder)."""
    from .folders import _installed

    xpnet_files = str(Path(__file__).resolve().parents[1])
    return [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith((*_installed(), xpnet_files, "<"))
    ]


def _own_classes(module) -> list[type]:
    return [
        c for c in vars(module).values() if inspect.isclass(c) and c.__module__ == module.__name__
    ]


def _has(cls: type, method: str) -> bool:
    return callable(getattr(cls, method, None))


def _no_single_class(path: Path, path_text: str, own: list[type], candidates: list[type]) -> str:
    fix = f"Name it: xpnet check {path_text}:CLASS"
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
            f" book's TwoLayerNet, with params, loss and gradient). {fix}"
        )
    said = "; ".join(
        f"{c.__name__} ({_place(c)}) has {_methods(c)}"
        for c in own
    )  # fmt: skip
    return (
        f"{path.name} must define one class with loss(x, t) and gradient(x, t) methods;"
        f" found none: {said}. Add the missing method (the book's chapter 5: gradient(x, t)"
        f" returns a dict like params), or {fix[0].lower()}{fix[1:]}"
    )


def _methods(cls: type) -> str:
    names = ("loss", "gradient", "numerical_gradient", "predict")
    have = [f"{n}()" for n in names if _has(cls, n)]
    lacks = [f"{n}()" for n in ("loss", "gradient") if not _has(cls, n)]
    return (", ".join(have) or "none of loss, gradient") + (
        f" but no {' and no '.join(lacks)}" if lacks and have else ""
    )


def _classes_in(module) -> str:
    names = [n for n, c in vars(module).items() if inspect.isclass(c)]
    return f"its classes: {', '.join(names)}" if names else "it defines no class"


def _place(obj) -> str:
    """ "line N" of a function, or of a class (found in its file: the learner's module is not in
    sys.modules, where inspect looks for classes)."""
    if inspect.isclass(obj):
        import ast

        functions = [f for f in vars(obj).values() if inspect.isfunction(f)]
        try:
            tree = ast.parse(Path(inspect.getsourcefile(functions[0])).read_text())
        except (IndexError, TypeError, OSError, SyntaxError):
            return "its file"
        lines = [
            n.lineno
            for n in ast.walk(tree)
            if isinstance(n, ast.ClassDef) and n.name == obj.__name__
        ]
        return f"line {lines[0]}" if lines else "its file"
    try:
        return f"line {inspect.getsourcelines(obj)[1]}"
    except (TypeError, OSError):
        return "its file"


def _described(params) -> str:
    if params is None:
        return "no dict"
    return "an empty dict" if isinstance(params, dict) else f"a {type(params).__name__}"


def _brief(error: BaseException) -> str:
    frames = learner_frames(error)
    where = f" in {frames[-1].name} ({Path(frames[-1].filename).name}, line {frames[-1].lineno})"
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text.strip()}" + (where if frames else "")


def _not_found(path: Path, imported, name: str) -> str:
    """The import that no folder answers: which line, where xpnet looked, the fix."""
    frames = learner_frames(imported.error)
    line = f"{Path(frames[-1].filename).name} line {frames[-1].lineno}" if frames else path.name
    top = name.split(".")[0]
    looked = ", ".join(str(p) for p in imported.places)
    return (
        f"{line} imports {name}, but no folder holds a {top}/ package or {top}.py: xpnet check"
        f" looked beside {path.name}, in the folders above it up to the repository's root and in"
        f" the current folder ({looked}). Put {top}/ (the book's, or yours) in one of them"
    )


def _stopped(path: Path, error: BaseException, time_limit: float, own: list[type]) -> str:
    names = ", ".join(c.__name__ for c in own)
    if isinstance(error, ImportTimeout):
        return _timeout(path, error, time_limit, names)
    line = stopped_at(error, path)
    at = f" at line {line}" if line else ""
    return (
        f"{path.name}'s top-level code raised {_brief(error)}{at}, after defining {names}:"
        f" checked as defined by then. Code under if __name__ == '__main__': runs only when"
        f" the file itself is run"
    )


def _timeout(path: Path, error: BaseException, time_limit: float, names: str | None) -> str:
    line = stopped_at(error, path)
    at = f" (at line {line} when stopped)" if line else ""
    said = (
        f"{path.name}'s top-level code was still running after {time_limit:g} s{at}: training"
        f" at import? Put it under if __name__ == '__main__':, so that importing the file only"
        f" defines"
    )
    return f"{said}; {names} was checked as defined by then" if names else said
