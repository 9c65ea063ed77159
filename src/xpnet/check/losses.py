"""The book's functions of chapters 3-4 that are no gradient: sigmoid, softmax and the two losses.

Each check takes the learner's function and returns ``(reason, note)``: "" where it is right on
the book's examples (3.2.4, 3.5, 4.2) and xpnet's own functions, else what is wrong with its
likely cause (exp overflowing, a sum for the mean, ``0.5 + np.sum``, ``log(y)`` without the book's
``+ 1e-7``, a 1-D y divided by its length); a note where a right one is limited (one sample only,
one form of targets only, the targets first; a softmax of batches only, a cross-entropy of one
sample only).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import warnings

import numpy as np

from .. import functions as oracle
from .examples import MEAN, Y1, Y2, T, _array, _list, _values
from .locating import _brief, learner_frames

TARGET_NAMES = {  # the first parameter's name of a cross-entropy that takes the targets first
    *("t", "real", "label", "labels", "target", "targets", "true", "truth", "answer", "correct"),
    *("y_true", "true_label", "true_labels", "gt", "ground_truth", "y_label", "one_hot"),
}
PREDICTION_NAMES = {  # and its second's
    *("y", "p", "pred", "preds", "prediction", "predictions", "predict", "output", "outputs"),
    *("y_pred", "y_hat", "yhat", "y_predict", "prob", "probs", "probability", "probabilities"),
}


def _sigmoid(f, namespace) -> tuple[str, str]:
    x = np.array([-1.0, 1.0, 2.0])  # the book's 3.2.4: [0.26894142 0.73105858 0.88079708]
    said = _values("sigmoid(np.array([-1.0, 1.0, 2.0]))", f(x.copy()), oracle.sigmoid(x), 1e-7)
    if not said:
        X = np.array([[-1.0, 1.0], [2.0, -3.0]])
        said = _values("sigmoid of a 2-D x", f(X.copy()), oracle.sigmoid(X), 1e-7)
    return said, ""


def _softmax(f, namespace) -> tuple[str, str]:
    a = np.array([0.3, 2.9, 4.0])  # the book's 3.5.1: [0.01821127 0.24519181 0.73659691]
    try:
        one = f(a.copy())
    except Exception as error:  # np.max(x, axis=1): a softmax of batches only, as the net's
        note = _batch_only(f, error)
        if note:
            return "", note
        raise
    said = _values("softmax(np.array([0.3, 2.9, 4.0]))", one, oracle.softmax(a), 1e-7)
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


def _batch_only(f, error: Exception) -> str:
    """The note of a softmax that raised ``error`` on one sample (1-D) and is right on a batch
    (2-D, a row per sample, what TwoLayerNet's predict gives it); "" where it is not."""
    batch = np.array([[0.3, 2.9, 4.0], [1010.0, 1000.0, 990.0]])
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            got = _array(f(batch.copy()))
    except Exception:
        return ""
    if got is None or _values("", got, oracle.softmax(batch), 1e-7):
        return ""
    return (
        "right for a batch (2-D, a row per sample, as chapter 4's TwoLayerNet computes); for one"
        f" sample (1-D, the book's softmax(np.array([0.3, 2.9, 4.0]))) it raises {_brief(error)}:"
        " take the max and the sum over axis=-1 with keepdims=True, as the book's"
        " common/functions.py does, for both"
    )


def _sum_squared_error(f, namespace) -> tuple[str, str]:
    for name, (y, right) in {"y1": (Y1, 0.0975), "y2": (Y2, 0.5975)}.items():  # the book's 4.2.1
        call = f"mean_squared_error({name}, t) of the book's 4.2.1"
        returned = f(y.copy(), T.copy())
        got = _array(returned)
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
        said = _values(call, returned, np.asarray(right), 1e-9)
        if said:
            return said, ""
    return "", ""


def _cross_entropy_error(f, namespace) -> tuple[str, str]:
    ordered = _book_order(f)
    reason, note = _judged(ordered, f)
    names = (
        ", ".join(list(inspect.signature(f).parameters)[:2]) if ordered is not f or reason else ""
    )
    if ordered is not f:
        order = f"it takes ({names}), the targets first: called so (the book's is (y, t))"
        note = f"{order}; {note}" if note else order
    elif reason and not _judged(lambda y, t: f(t, y), f)[0]:
        reason += (  # (x, y) with x the targets: right in its own order, which no name says
            "; called with its arguments swapped it is right: it takes the targets first, which"
            f" its parameters' names ({names}) do not say. The book's code calls"
            " cross_entropy_error(y, t): take (y, t), or name them (t, y)"
        )
    return reason, note


def _judged(call, f) -> tuple[str, str]:
    """(reason, note) of ``call``, the learner's cross-entropy ``f`` in an order: a sum over the
    batch is right, with a note, where f is written for one sample (the book's own of 4.2.2)."""
    reason, note = _cross_entropy_error_of(call)
    if "with one-hot t is" in reason and "the sum of the two" in reason and _one_sample_only(f):
        return "", (  # as a softmax of one sample, chapter 3's
            "right for one sample (1-D), as the book's 4.2.2 writes it; for a batch (2-D, a row"
            f" per sample) it is the sum of the samples' losses ({2 * MEAN:.6g} for [y1, y2]),"
            f" not their mean ({MEAN:.6g}): divide by the batch size, as the book's 4.2.4 does"
        )
    return reason, note


def _one_sample_only(f) -> bool:
    """Whether f, a cross-entropy, is written for one sample, as the book's of 4.2.2: its code
    reads no batch size (no shape, ndim, size, reshape nor len); False where it cannot be read."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(f)))
    except (OSError, TypeError, SyntaxError):
        return False
    read = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    read |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return not read & {"shape", "ndim", "size", "reshape", "len"}  # comments are no code


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
        got = f(y.copy(), t.copy())
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
        got = f(y.copy(), t)
        said = _batch_mean("cross_entropy_error of the batch [y1, y2] with labels t = [2, 2]", got)
        if said:
            return said
        got = f(Y2[None].copy(), np.array([7]))  # y2 where it is right: 0.6 for class 7
    except Exception:
        return "raises"
    return _values("cross_entropy_error([y2], [7])", got, np.asarray(-np.log(0.6 + 1e-7)), 1e-3)


def _batch_mean(call: str, got) -> str:
    """ "" when got, a cross-entropy of the batch [y1, y2], is their mean, else what is wrong."""
    value = _array(got)
    if (
        value is not None
        and value.size == 1
        and abs(float(value.reshape(())) - 2 * MEAN) <= 1e-3 * MEAN
    ):
        return (
            f"{call} is {float(value.reshape(())):.6g}, the sum of the two: divide by the batch"
            f" size for the mean, {MEAN:.6g} (the book's 4.2.4)"
        )
    return _values(call, got, np.asarray(MEAN), 1e-3)
