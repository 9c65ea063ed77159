"""A file of chapters 3-4 with no network: its functions and simpleNet, checked by their book names.

Many of a learner's files hold no TwoLayerNet: ``gradient_1d.py`` (``numerical_diff``),
``gradient_2d.py`` (``numerical_gradient``), ``gradient_method.py`` (``gradient_descent``),
``gradient_simplenet.py`` (``simpleNet``, a ``loss`` and no ``gradient``), ``common/functions.py``
(``softmax``, ``cross_entropy_error``, ...). :func:`check_functions` finds each such function by
its book name among what the module defines or imports from the learner's own files, runs it on
the book's own examples and holds the result to the book's published numbers and to xpnet's own
functions, and says what is wrong in words. A function that works for one sample only (a softmax
of one row) is right with a note: chapter 4's batches need more. :class:`FunctionsCheck` is the
report, ``str()`` the text ``xpnet check`` prints.
"""

from __future__ import annotations

import inspect
import math
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .. import functions as oracle
from .locating import _brief, _is_theirs, _place, _where, is_learners_file, learner_frames
from .names import book_function, none_of_the_books, read_as

__all__ = ["FunctionResult", "FunctionsCheck", "check_functions", "simple_net_like"]

WIDTH = 100
H = 1e-4  # the book's step, to recognise its mistakes (the forward difference, 2h)
# the book's examples of 4.2: the right answer is class 2; y1 says so with 0.6, y2 says class 7
T = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=np.float64)
Y1 = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
Y2 = np.array([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])
TARGET_NAMES = {  # the first parameter's name of a cross-entropy that takes the targets first
    *("t", "real", "label", "labels", "target", "targets", "true", "truth", "answer", "correct"),
    *("y_true", "true_label", "true_labels", "gt", "ground_truth", "y_label", "one_hot"),
}
PREDICTION_NAMES = {  # and its second's
    *("y", "p", "pred", "preds", "prediction", "predictions", "predict", "output", "outputs"),
    *("y_pred", "y_hat", "yhat", "y_predict", "prob", "probs", "probability", "probabilities"),
}
MEAN = (0.510825457099338 + 2.302584092994546) / 2  # the cross-entropy of the batch [y1, y2]


@dataclass(frozen=True)
class FunctionResult:
    """One function (or class) of the learner's: where it is, whether it is right, and why not;
    ``note``: a limit of a right one (one sample only, one form of targets only)."""

    name: str
    where: str
    passed: bool
    reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class FunctionsCheck:
    """The check of a file's functions and layers: one :class:`FunctionResult` each, in the
    book's order; ``skipped``: a sentence for each found and not checked (a layer of chapter 7),
    printed as a note."""

    results: tuple[FunctionResult, ...]
    skipped: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def __iter__(self):
        return iter(self.results)

    def __getitem__(self, name: str) -> FunctionResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)

    def __add__(self, other: FunctionsCheck) -> FunctionsCheck:
        return FunctionsCheck(self.results + other.results, self.skipped + other.skipped)

    def __str__(self) -> str:
        width = max((len(r.name) for r in self.results), default=4) + 2
        place = max((len(r.where) for r in self.results), default=2) + 2
        lines = [f"{'name':<{width}}{'in':<{place}}result"]
        lines += [
            f"{r.name:<{width}}{r.where:<{place}}{'ok' if r.passed else 'WRONG'}"
            for r in self.results
        ]
        wrong = [r for r in self.results if not r.passed]
        verdict = "FAILED" if wrong else "PASSED"
        lines.append(
            f"check {verdict}: {len(self.results) - len(wrong)} of {len(self.results)} right, on"
            " the book's examples (its numbers, xpnet's functions, numerical derivatives)"
        )
        lines += [_wrapped(f"- {r.name}: {r.reason}") for r in self.results if r.reason]
        lines += [_wrapped(f"note: {r.name}: {r.note}") for r in self.results if r.note]
        lines += [_wrapped(f"note: {text}") for text in self.skipped]
        return "\n".join(lines)

    def __repr__(self) -> str:
        wrong = [r.name for r in self.results if not r.passed]
        return f"FunctionsCheck(passed={self.passed}, checked={len(self.results)}, wrong={wrong})"


def check_functions(namespace: dict, *, only: type | None = None) -> FunctionsCheck | None:
    """The check of the book's functions and simpleNet-like classes in ``namespace`` (a learner's
    module's ``vars``), those of the learner's own files; None where it holds none.

    ``only``: a class named by the learner (``FILE.py:simpleNet``), checked alone.
    """
    results = []
    if only is None:
        for name, checker in CHECKS.items():
            learner, function = _named(namespace, name)
            if function is not None:
                result = _run(name, function, checker, namespace)
                if learner not in NAMES.get(name, (name,)):
                    said = read_as(learner, name, result.where)
                    result = replace(result, note=f"{said}; {result.note}" if result.note else said)
                results.append(result)
    classes = [only] if only is not None else [v for v in namespace.values() if inspect.isclass(v)]
    for cls in classes:
        if simple_net_like(cls):
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                result = _simple_net(cls, namespace)
                if result is not None:
                    results.append(result)
    if results:
        return FunctionsCheck(tuple(results))
    if only is None and not any(inspect.isclass(v) and _is_theirs(v) for v in namespace.values()):
        said = none_of_the_books(namespace, tuple(CHECKS), _is_learners)
        return FunctionsCheck((), (said,)) if said else None
    return None


def simple_net_like(cls) -> bool:
    """Whether cls is the learner's class of simpleNet's kind: ``predict`` and ``loss``, no
    gradient method."""
    return (
        inspect.isclass(cls)
        and _is_theirs(cls)
        and all(callable(getattr(cls, m, None)) for m in ("predict", "loss"))
        and not any(callable(getattr(cls, m, None)) for m in ("gradient", "numerical_gradient"))
    )


# -- each function: "" when right, else what is wrong; a note where a right one is limited -------


def _numerical_diff(f, namespace) -> tuple[str, str]:
    def function_1(x):  # the book's 4.3.2
        return 0.01 * x**2 + 0.1 * x

    for x, right in ((5.0, 0.2), (10.0, 0.3)):  # the book: 0.1999999999990898, 0.2999999999986347
        got = float(f(function_1, x))
        if abs(got - right) > 1e-7 * right:
            forward = (function_1(x + H) - function_1(x)) / H
            why = f"numerical_diff(function_1, {x:g}) is {got!r}; the derivative is {right:g}"
            if got == 0.0:
                return f"{why}: h is so small that x + h == x in floating point: use h = 1e-4", ""
            if abs(got - forward) <= 1e-9:
                return (
                    f"{why}: the forward difference (f(x+h) - f(x)) / h, whose error is of the"
                    " order of h; use the central difference (f(x+h) - f(x-h)) / (2*h)"
                ), ""
            if abs(got - 2 * right) <= 1e-6:
                return f"{why}, twice as much: divide by 2*h, the central difference's width", ""
            return why, ""
    return "", ""


def _numerical_gradient(f, namespace) -> tuple[str, str]:
    def function_2(x):  # the book's 4.3.3
        return np.sum(x**2)

    for start, right in (
        ([3.0, 4.0], [6.0, 8.0]),
        ([0.0, 2.0], [0.0, 4.0]),
        ([3.0, 0.0], [6.0, 0.0]),
    ):
        x = np.array(start)
        got = _array(f(function_2, x))
        call = f"numerical_gradient(function_2, np.array({start}))"
        if got is None or got.shape != x.shape:
            return f"{call} returns {_what(got)}, not an array of x's shape (2,)", ""
        if not np.array_equal(x, start):
            return (
                f"{call} leaves x changed ({x.tolist()}): restore each entry after its two"
                " evaluations (x[idx] = tmp_val)"
            ), ""
        said = _gradient_mistake(call, got, np.array(right), 2 * x + H)
        if said:
            return said, ""
    X = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]])
    call = "numerical_gradient(f, W) of a 2-D W (a weight matrix, as simpleNet's W, 4.4.2)"
    one_d = "right for a 1-D x, as the book's 4.3.3 prints it; {}: {}"
    try:
        got = _array(f(lambda w: np.sum(w**2 + w), X))
    except Exception as error:
        return "", one_d.format(f"{call} raised {_brief(error)}", _every_entry())
    if got is None or got.shape != X.shape:
        shape = f"{call} returns {_what(got)}, not an array of W's shape (2, 3)"
        return "", one_d.format(shape, _every_entry())
    said = _gradient_mistake(call, got, 2 * X + 1, 2 * X + 1 + H)
    rows = np.sum(2 * X + 1, axis=1, keepdims=True) + 0 * X  # each row of x moved as one
    if said and np.allclose(got, rows, rtol=1e-6, atol=1e-9):
        said += (
            ": it moves a whole row of x at a time (range(x.shape[0])): iterate over every"
            " element, np.nditer(x, flags=['multi_index']) as the book does"
        )
    if said:
        return said, ""
    W = X.copy()
    got = _array(f(lambda w: np.sum(W**2), W))  # the book's f = lambda w: net.loss(x, t)
    if got is not None and got.shape == W.shape and not np.any(got):
        return (
            "numerical_gradient(lambda w: net.loss(x, t), net.W), the book's use in simpleNet, is"
            " 0 everywhere: it changes a copy of x, so a function that reads the array itself"
            " sees no change; change x in place (tmp_val = x[idx]; x[idx] = tmp_val + h)"
        ), ""
    return "", ""


def _gradient_descent(f, namespace) -> tuple[str, str]:
    def function_2(x):
        return np.sum(x**2)

    start, lr, steps = np.array([-3.0, 4.0]), 0.05, 30  # each step multiplies x by 1 - 2 lr
    try:
        got = f(function_2, start.copy(), lr=lr, step_num=steps)
    except TypeError:  # other names: the book's order
        got = f(function_2, start.copy(), lr, steps)
    if isinstance(got, tuple) and got:  # the book's gradient_method.py: (x, x_history)
        got = got[0]
    got = _array(got)
    call = f"gradient_descent(function_2, init_x=[-3, 4], lr={lr:g}, step_num={steps})"
    right = start * (1 - 2 * lr) ** steps
    if got is None or got.shape != start.shape:
        return f"{call} returns {_what(got)}, not the last x", ""
    if np.allclose(got, right, rtol=1e-6, atol=1e-12):
        return "", ""
    why = f"{call} is {_list(got)}; it should be {_list(right)}"
    for hypothesis, said in (
        (start, "x never moves: return the x the loop updates (x -= lr * grad)"),
        (start * (1 + 2 * lr) ** steps, "it climbs: step against the gradient, x -= lr * grad"),
        (start * (1 - 2 * 0.01) ** steps, "lr is not used (that is the default 0.01's result)"),
        (start * (1 - 2 * lr) ** 100, "step_num is not used (that is 100 steps' result)"),
        (start * (1 - 2 * lr), "only one step is taken: loop step_num times"),
        (
            start * (2 * lr) ** steps,
            "x = lr * grad puts the step in x's place: subtract it from x, x -= lr * grad",
        ),
    ):
        if np.allclose(got, hypothesis, rtol=1e-6):
            return f"{why}: {said}", ""
    own = _found(namespace, "numerical_gradient")
    if own is not None and _run("numerical_gradient", own, _numerical_gradient, namespace).reason:
        return f"{why}: it uses numerical_gradient, which is wrong (below)", ""
    return why, ""


def _softmax(f, namespace) -> tuple[str, str]:
    a = np.array([0.3, 2.9, 4.0])  # the book's 3.5.1: [0.01821127 0.24519181 0.73659691]
    said = _values("softmax(np.array([0.3, 2.9, 4.0]))", f(a.copy()), oracle.softmax(a), 1e-7)
    if said:
        return said, ""
    big = np.array([1010.0, 1000.0, 990.0])  # the book's 3.5.2
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = _array(f(big.copy()))
    if got is None or not np.all(np.isfinite(got)):
        return (
            f"softmax(np.array([1010, 1000, 990])) is {_list(got)}: exp overflows; subtract the"
            " largest input first, exp(a - max(a)), which changes nothing else (the book's 3.5.2)"
        ), ""
    said = _values("softmax(np.array([1010, 1000, 990]))", got, oracle.softmax(big), 1e-7)
    if said:
        return said, ""
    batch = np.array([[0.3, 2.9, 4.0], [1010.0, 1000.0, 990.0]])
    note = (
        "right for one sample (1-D); for a batch (2-D, a row per sample, as chapter 4's"
        " TwoLayerNet computes) it {}: take the max and the sum of each row (axis=-1,"
        " keepdims=True), as the book's common/functions.py does"
    )
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            got = _array(f(batch.copy()))
    except Exception as error:
        return "", note.format(f"raises {_brief(error)}")
    if _values("", got, oracle.softmax(batch), 1e-7):
        return "", note.format("is wrong (its rows do not each sum to 1)")
    return "", ""


def _cross_entropy_error(f, namespace) -> tuple[str, str]:
    ordered = _book_order(f)
    reason, note = _cross_entropy_error_of(ordered)
    if ordered is not f:
        names = ", ".join(list(inspect.signature(f).parameters)[:2])
        order = f"it takes ({names}), the targets first: called so (the book's is (y, t))"
        note = f"{order}; {note}" if note else order
    return reason, note


def _book_order(f):
    """f, or f with its first two arguments swapped where their names say the targets come
    first (cross_entropy(t, y), (real, prediction), (y_true, y_pred))."""
    try:
        first, second = list(inspect.signature(f).parameters)[:2]
    except ValueError:
        return f
    if first.lower() in TARGET_NAMES and second.lower() in PREDICTION_NAMES:
        return lambda y, t: f(t, y)
    return f


def _cross_entropy_error_of(f) -> tuple[str, str]:
    one_hot, raised = _cross_entropy_one_hot(f)
    labels = _cross_entropy_labels(f)
    if not one_hot:
        note = (
            "it takes one-hot t only; the book's common/functions.py also takes labels"
            " (t = [2, 2]): y[np.arange(batch_size), t]"
        )
        return "", note if labels else ""
    if labels == "raises" or (labels and not raised):
        return one_hot, ""
    if labels:  # one-hot t raises: the learner wrote it for labels, and it is wrong with them
        return labels, ""
    return "", (
        "it takes class labels only (t = [2, 2]), as the book's version for labels of 4.2.4; with"
        f" one-hot t, as the book's examples of 4.2.2 give it, {one_hot}: the book's"
        " common/functions.py takes both, turning one-hot t into labels first (if t.size =="
        " y.size: t = t.argmax(axis=1))"
    )


def _cross_entropy_one_hot(f) -> tuple[str, bool]:
    """("", False) when f is right with one-hot t on the book's examples, else what is wrong
    and whether it raised."""
    book = {"y1": (Y1, 0.510825457099338), "y2": (Y2, 2.302584092994546)}  # the book's 4.2.2
    for name, (y, right) in book.items():
        call = f"cross_entropy_error({name}, t) of the book's 4.2.2"
        try:
            got = f(y.copy(), T.copy())
        except Exception as error:
            if not learner_frames(error):
                raise
            return f"{call} raised {_brief(error)}", True
        said = _values(call, got, np.asarray(right), 1e-3)
        got = _array(got)
        if said and got is not None and got.size == 1 and np.isnan(got).all():
            said += (
                f": log(0) is -inf where {name} is 0, and 0 * -inf is nan: add the book's small"
                " delta, np.log(y + 1e-7)"
            )
        elif said and got is not None and got.size == 1 and np.isclose(got, right / y.size):
            said += (
                f": {y.size} times too small, divided by {name}'s length: for one sample (a 1-D y)"
                " the batch size is 1; reshape y and t to (1, y.size) first (the book's 4.2.4)"
            )
        if said:
            return said, False
    y, t = np.stack([Y1, Y2]), np.stack([T, T])
    try:
        got = _array(f(y.copy(), t.copy()))
    except Exception as error:
        if not learner_frames(error):
            raise
        return f"a batch of two (y of shape (2, 10), one-hot t) raised {_brief(error)}", True
    return _batch_mean("cross_entropy_error of the batch [y1, y2] with one-hot t", got), False


def _cross_entropy_labels(f) -> str:
    """ "" when f is right with class labels t on batches of the book's y1 and y2, else what
    is wrong ("raises" where it raised)."""
    y, t = np.stack([Y1, Y2]), np.array([2, 2])
    try:
        got = _array(f(y.copy(), t))
        said = _batch_mean("cross_entropy_error of the batch [y1, y2] with labels t = [2, 2]", got)
        if said:
            return said
        got = _array(f(Y2[None].copy(), np.array([7])))  # y2 where it is right: 0.6 for class 7
    except Exception:
        return "raises"
    return _values("cross_entropy_error([y2], [7])", got, np.asarray(-np.log(0.6 + 1e-7)), 1e-3)


def _batch_mean(call: str, got) -> str:
    """ "" when got, a cross-entropy of the batch [y1, y2], is their mean, else what is wrong."""
    if got is not None and got.size == 1 and abs(float(got.reshape(())) - 2 * MEAN) <= 1e-3 * MEAN:
        return (
            f"{call} is {float(got.reshape(())):.6g}, the sum of the two: divide by the batch"
            f" size for the mean, {MEAN:.6g} (the book's 4.2.4)"
        )
    return _values(call, got, np.asarray(MEAN), 1e-3)


def _sum_squared_error(f, namespace) -> tuple[str, str]:
    for name, (y, right) in {"y1": (Y1, 0.0975), "y2": (Y2, 0.5975)}.items():  # the book's 4.2.1
        call = f"mean_squared_error({name}, t) of the book's 4.2.1"
        got = _array(f(y.copy(), T.copy()))
        for wrong, said in (
            (2 * right, f"twice the book's {right:g}: the book's is 0.5 * np.sum((y - t)**2)"),
            (
                0.5 + 2 * right,
                "0.5 + np.sum((y - t)**2), a + for the book's *: 0.5 * np.sum((y - t)**2)",
            ),
            (
                right / y.size,
                f"{y.size} times too small, divided by {name}'s length: a 1-D y is one sample"
                " (y.shape[0] is its length, not a batch size); the book's is"
                " 0.5 * np.sum((y - t)**2), divided by nothing",
            ),
        ):
            if got is not None and got.size == 1 and abs(float(got.reshape(())) - wrong) < 1e-9:
                return f"{call} is {wrong:.6g}, {said}", ""
        said = _values(call, got, np.asarray(right), 1e-9)
        if said:
            return said, ""
    return "", ""


def _sigmoid(f, namespace) -> tuple[str, str]:
    x = np.array([-1.0, 1.0, 2.0])  # the book's 3.2.4: [0.26894142 0.73105858 0.88079708]
    said = _values("sigmoid(np.array([-1.0, 1.0, 2.0]))", f(x.copy()), oracle.sigmoid(x), 1e-7)
    if not said:
        X = np.array([[-1.0, 1.0], [2.0, -3.0]])
        said = _values("sigmoid of a 2-D x", f(X.copy()), oracle.sigmoid(X), 1e-7)
    return said, ""


CHECKS: dict[str, Callable] = {  # the book's order
    "sigmoid": _sigmoid,
    "softmax": _softmax,
    "mean_squared_error": _sum_squared_error,
    "cross_entropy_error": _cross_entropy_error,
    "numerical_diff": _numerical_diff,
    "numerical_gradient": _numerical_gradient,
    "gradient_descent": _gradient_descent,
}
NAMES = {  # other names learners give them
    "mean_squared_error": ("mean_squared_error", "sum_squared_error"),
    "cross_entropy_error": ("cross_entropy_error", "cross_entropy"),
}


# -- simpleNet -------------------------------------------------------------------------------------


def _simple_net(cls, namespace) -> FunctionResult | None:
    """simpleNet's check: built with no arguments, as the book's, its loss on the book's x and t
    against the softmax cross-entropy of predict(x), and its dW by the learner's
    numerical_gradient against the derivative; None for a class that is no simpleNet (it needs
    arguments, or keeps no 2-D W)."""
    name, where = cls.__name__, _where_class(cls)
    np.random.seed(0)  # noqa: NPY002 (the book's simpleNet draws W from this generator)
    try:
        net = cls()
    except TypeError:  # it needs arguments: no simpleNet
        return None
    except Exception as error:
        return FunctionResult(name, where, False, f"{name}() raised {_brief(error)}")
    W = _weight(net)
    if W is None:  # nothing of simpleNet's to check: the file's error says what it lacks
        return None
    D, C = W.shape
    if (D, C) == (2, 3):  # the book's 4.4.2
        x, t = np.array([0.6, 0.9]), np.array([0.0, 0.0, 1.0])
    else:
        x, t = np.random.default_rng(0).random(D), np.eye(C)[C - 1]
    shown = f"x = {_list(x)}, t = {_list(t)}" if D <= 4 else f"a random x of {D} and t one-hot"
    try:
        z = _array(net.predict(x.copy()))
        loss = float(np.asarray(net.loss(x.copy(), t.copy())).reshape(()))
    except Exception as error:
        return FunctionResult(name, where, False, f"on {shown} it raised {_brief(error)}")
    if z is None or z.shape != (C,):
        return FunctionResult(
            name, where, False, f"predict(x) returns {_what(z)}, not one score per class ({C},)"
        )
    right = float(oracle.cross_entropy_error(oracle.softmax(z), t))
    if not abs(loss - right) <= 1e-3 * abs(right):
        why = (
            f"{C} times too small, divided by {C}, y's length: for one sample (a 1-D x and y) the"
            " batch size is 1; its cross-entropy reshapes y and t to (1, y.size) first (the"
            " book's 4.2.4)"
            if abs(loss * C - right) <= 1e-3 * abs(right)
            else "the book's loss is y = softmax(z); cross_entropy_error(y, t)"
        )
        return FunctionResult(
            name,
            where,
            False,
            f"on {shown}, loss(x, t) is {loss:.6g}{_nan(loss)}, the softmax cross-entropy of"
            f" predict(x) is {right:.6g}: {why}",
        )
    if not np.allclose(z, x @ W, rtol=1e-9, atol=1e-12):
        return FunctionResult(
            name,
            where,
            True,
            note="its predict(x) is not x @ W: its loss is checked, not its gradient",
        )
    own = _found(namespace, "numerical_gradient")
    gradient = own if own is not None else _xpnet_numerical_gradient
    kept = W.copy()
    try:
        dW = _array(gradient(lambda w: net.loss(x, t), W))
    except Exception as error:
        W[...] = kept
        return FunctionResult(
            name,
            where,
            False,
            f"numerical_gradient(lambda w: net.loss(x, t), net.W) raised {_brief(error)}",
        )
    W[...] = kept
    analytic = np.outer(x, oracle.softmax(x @ W) - t)
    by = "your numerical_gradient" if own is not None else "xpnet's numerical gradient"
    if dW is None or dW.shape != W.shape:
        return FunctionResult(
            name, where, False, f"dW by {by} is {_what(dW)}, not of W's shape {W.shape}"
        )
    scale = float(np.max(np.abs(analytic)))
    error = float(np.max(np.abs(dW - analytic))) / scale if scale else 0.0
    if error > 1e-4:
        return FunctionResult(
            name,
            where,
            False,
            f"dW = numerical_gradient(lambda w: net.loss(x, t), net.W) by {by} is"
            f" {_list(dW)}; the derivative of the loss is x.T (softmax(x W) - t) ="
            f" {_list(analytic)}"
            f" (relative error {error:.2g})",
        )
    return FunctionResult(name, where, True)


def _nan(loss: float) -> str:
    return " (the log of a score <= 0: softmax makes the scores probabilities)" * math.isnan(loss)


def _xpnet_numerical_gradient(f, x):
    from ..gradient import numerical_gradient

    return numerical_gradient(f, x)


def _weight(net):
    for value in (getattr(net, "W", None), getattr(net, "w", None)):
        if isinstance(value, np.ndarray) and value.ndim == 2 and value.dtype.kind == "f":
            return value
    params = getattr(net, "params", None)
    if isinstance(params, dict):
        found = [v for v in params.values() if isinstance(v, np.ndarray) and v.ndim == 2]
        if len(found) == 1 and found[0].dtype.kind == "f":
            return found[0]
    return None


# -- the parts -------------------------------------------------------------------------------------


def _found(namespace: dict, name: str):
    return _named(namespace, name)[1]


def _named(namespace: dict, name: str) -> tuple[str, object]:
    """(the learner's name, the function) of the book's function ``name``: under one of its
    NAMES, or a close one (:func:`~xpnet.check.names.book_function`); ("", None) where none."""
    books = {n for book in CHECKS for n in NAMES.get(book, (book,))}
    return book_function(namespace, NAMES.get(name, (name,)), books, _is_learners)


def _is_learners(function) -> bool:
    return is_learners_file(function.__code__.co_filename)


def _run(name: str, function, checker, namespace) -> FunctionResult:
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            reason, note = checker(function, namespace)
    except Exception as error:
        if not learner_frames(error):
            raise
        reason, note = f"on the book's example it raised {_brief(error)}", ""
    return FunctionResult(name, _where(function), not reason, reason, note)


def _gradient_mistake(call: str, got, right, forward) -> str:
    scale = max(float(np.max(np.abs(right))), 1.0)
    if float(np.max(np.abs(got - right))) <= 1e-6 * scale:
        return ""
    why = f"{call} is {_list(got)}; the gradient is {_list(right)}"
    if np.allclose(got, forward, rtol=0, atol=1e-7):
        return (
            f"{why}: the forward difference (f(x+h) - f(x)) / h; use the central difference"
            " (f(x+h) - f(x-h)) / (2*h)"
        )
    if np.allclose(got, 2 * right, rtol=1e-6, atol=1e-9):
        return f"{why}, twice as much: divide by 2*h, the central difference's width"
    if not np.any(got):
        return (
            f"{why}: 0 everywhere, so f never sees x change: change x in place"
            " (x[idx] = tmp_val + h)"
        )
    return why


def _every_entry() -> str:
    return (
        "a gradient has an entry for every entry of x; iterate over them all"
        " (np.nditer(x, flags=['multi_index']), as the book's common/gradient.py), not over"
        " range(x.size), which indexes a 2-D x by rows"
    )


def _values(call: str, got, right, rtol: float) -> str:
    got = _array(got)
    if got is None or got.size != right.size:
        return f"{call} returns {_what(got)}, not of shape {right.shape}"
    got = got.reshape(right.shape)
    if np.allclose(got, right, rtol=rtol, atol=1e-12):
        return ""
    return f"{call} is {_list(got)}; it should be {_list(right)}"


def _array(value):
    try:
        return None if value is None else np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _what(value) -> str:
    if value is None:
        return "None"
    return f"an array of shape {value.shape}" if hasattr(value, "shape") else type(value).__name__


def _list(a) -> str:
    if a is None:
        return "None"
    a = np.asarray(a)
    return (
        np.array2string(a, precision=6, separator=", ", threshold=12)
        if a.ndim
        else f"{float(a):.6g}"
    )


def _where_class(cls) -> str:
    """ "gradient_simplenet.py, line 9", or in a notebook "net.ipynb [cell 3], line 1"."""
    functions = [f for f in vars(cls).values() if inspect.isfunction(f)]
    if not functions:
        return "its file"
    file = _where(functions[0]).rpartition(", line ")[0].partition(" [cell ")[0]
    place = _place(cls)
    return f"{file} {place}" if place.startswith("[cell") else f"{file}, {place}"


def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(text, WIDTH, subsequent_indent="  ", break_on_hyphens=False))
