"""Checking a learner's net as their code takes it: class labels or one-hot rows, away from kinks.

:func:`check_learner` runs :func:`~xpnet.check.check_network` on the first :data:`SAMPLES` images of
the bundled MNIST sample with class labels, then with one-hot rows where the labels raise in the
learner's code (:func:`_form_mismatch` tells what the wrong form raises) or fail where one-hot
passes; the :class:`LearnerCheck` says which form the net takes. A check whose wrong parameters
disagree in a few entries only (ReLU's kink, :func:`_at_kinks`) is made again on the next images.
The learner's exceptions pass through, with what xpnet can add (:func:`_hinted`: a layer method
that returns nothing).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .locating import _brief, _where, learner_frames
from .quiet import kept
from .timelimit import CheckTimeout, limit

if TYPE_CHECKING:
    from .found import Learner

__all__ = ["SAMPLES", "LearnerCheck", "check_learner"]

SAMPLES = 3
KINK_TRIES = 3  # batches of SAMPLES images tried when a check fails at ReLU's kink only
NUM_CLASSES = 10


@dataclass
class LearnerCheck:
    """The check of a learner's net and what a learner should be told beside it: the form of
    targets the net takes ("labels" or "one-hot") and the notes."""

    check: object
    form: str
    notes: list[str]


def check_learner(
    net,
    learner: Learner,
    x=None,
    labels=None,
    *,
    num_classes: int = NUM_CLASSES,
    time_limit: float | None = None,
) -> LearnerCheck:
    """check_network on the learner's net with class labels, then with one-hot rows where the
    labels raise in the learner's code (or fail where one-hot passes: said in a note).
    x, labels default to the first images of the bundled sample, SAMPLES at a time: a check
    whose wrong parameters disagree in a few entries only (ReLU's kink) is made again on the
    next SAMPLES images, up to KINK_TRIES batches. The learner's exceptions pass through (those
    of the labels when both forms raise). ``time_limit``: seconds each check may run (None: no
    limit); past it, CheckTimeout is raised in the learner's code (:mod:`xpnet.check.timelimit`)."""
    from ..datasets import load_mnist_sample

    if x is None:
        (x_train, t_train), _ = load_mnist_sample()
        x, labels = x_train[: SAMPLES * KINK_TRIES], t_train[: SAMPLES * KINK_TRIES]
    result = _check_learner(net, learner, x[:SAMPLES], labels[:SAMPLES], num_classes, time_limit)
    for start in range(SAMPLES, x.shape[0] - SAMPLES + 1, SAMPLES):
        if result.check.passed or not _at_kinks(result.check):
            break  # a kink moves with the images; a mistake stays
        again = _check_learner(
            net,
            learner,
            x[start : start + SAMPLES],
            labels[start : start + SAMPLES],
            num_classes,
            time_limit,
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
    """Whether every wrong parameter disagrees in a few entries only (ReLU's kink), or cannot
    be judged on these images (every entry that disagrees on the kink)."""
    wrong = [p for p in check if not p.passed]
    return (
        bool(wrong)
        and not check.problems
        and all(p.reason.startswith("only ") or not p.judged for p in wrong)
    )


def _check_learner(net, learner, x, labels, num_classes, time_limit) -> LearnerCheck:
    from .netcheck import check_network as unlimited

    def check_network(*args, **kwargs):  # each check of the learner's code: at most time_limit
        with limit(time_limit, CheckTimeout):
            return unlimited(*args, **kwargs)

    one_hot = np.eye(num_classes)[labels]
    method, notes = learner.method, []
    if method == "numerical_gradient" and learner.placeholder_gradient:
        notes.append(
            f"{learner.cls.__name__}.gradient is a placeholder (its body does nothing:"
            f" {_where(learner.cls.gradient)}): checked its numerical_gradient(x, t) against"
            " xpnet's; write gradient(x, t) by backprop (chapter 5) to check that"
        )
    elif method == "numerical_gradient":
        notes.append(
            f"{learner.cls.__name__} has numerical_gradient(x, t) but no gradient(x, t)"
            " (backprop, chapter 5): checked its numerical gradient against xpnet's"
        )
    try:
        with kept():  # a learner's debug prints, 80,000 times
            check = check_network(net, x, labels, method=method)
    except Exception as error:
        if not learner_frames(error):
            raise
        try:
            with kept():
                check = check_network(net, x, one_hot, method=method)
        except Exception as other:
            if not (_form_mismatch(error) and learner_frames(other)) or _same(error, other):
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
            with kept():
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


def _same(error: BaseException, other: BaseException) -> bool:
    """Whether two errors are one: the same type and message (one-hot rows got no further)."""
    return type(error) is type(other) and str(error) == str(other)


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
    raised_in = _layer_that_raised(error, net)
    if raised_in is not None and isinstance(error, ValueError | IndexError):
        error.xpnet_hint = raised_in
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


def _layer_that_raised(error: BaseException, net) -> str | None:
    """Which of the net's layers raised error in its forward or backward, with the shapes it
    had and what they should give (for y = x @ W + b: dx = dout @ W.T, dW = x.T @ dout)."""
    from .layers import find_layers

    names = {id(layer): name for name, layer in find_layers(net)}
    tb, frame = error.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_name in ("forward", "backward"):
            frame = tb.tb_frame if id(tb.tb_frame.f_locals.get("self")) in names else frame
        tb = tb.tb_next
    if frame is None:
        return None
    layer, method = frame.f_locals["self"], frame.f_code.co_name
    shapes = [
        f"{n} {tuple(v.shape)}"
        for n in ("x", "dout", "W", "b")
        for v in [frame.f_locals.get(n, getattr(layer, n, None))]
        if hasattr(v, "shape")
    ]
    place = _where(getattr(type(layer), method))
    said = (
        f"{names[id(layer)]} ({type(layer).__name__}.{method}, {place}) raised it, with"
        f" {', '.join(shapes)}"
    )
    if method == "backward" and hasattr(getattr(layer, "W", None), "shape"):
        said += (
            ": for y = x @ W + b, dx = dout @ W.T has the shape of x, dW = x.T @ dout the shape"
            " of W, db = sum(dout, axis=0) the shape of b"
        )
    return said


def _returns_nothing(function) -> bool:
    import ast
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (TypeError, OSError, SyntaxError):
        return False
    return not any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(tree))
