"""A file of chapter 5's layers with no network: each layer on its own, backward against forward.

Chapter 5 writes its layers before its network: ``layer_naive.py`` (MulLayer, AddLayer, used by
``buy_apple.py``), then ``common/layers.py`` (Relu, Sigmoid, Affine, SoftmaxWithLoss). A file of
them holds no TwoLayerNet. :func:`check_layers` finds each class of the learner's own files with
``forward`` and ``backward``, builds it as the book does and checks it alone:

- a node of two inputs (MulLayer, AddLayer): on the book's numbers of 5.4 (MulLayer's
  ``forward(100, 2)`` is 200 and its ``backward(1.1)`` (2.2, 110); AddLayer's ``forward(200,
  450)`` 650 and its ``backward(1.1)`` (1.1, 1.1)), against the derivatives of its own forward;
- a layer of one input (Relu, Sigmoid, Dropout, any other): its forward against xpnet's function
  of its name, ``dx = backward(dout)`` against the numerical derivative of ``sum(forward(x) *
  dout)``, on an x of shape (4, 5) at least 0.1 away from ReLU's kink;
- Affine, built from W (4, 3) and b (3,) (or from two sizes): ``x W + b``, dx, ``dW`` and ``db``
  against their formulas (exact: the forward was found right first);
- a loss layer (SoftmaxWithLoss): ``forward(x, t)`` against ``cross_entropy_error(softmax(x),
  t)``, ``backward(1)`` against the numerical derivative; t one-hot, and class labels for a note.

A typical mistake is said with its fix (dx and dy swapped, ReLU's mask missing or inverted,
sigmoid's ``(1 - out)`` missing, the batch size not divided by, ``np.sum(dout)`` without
``axis=0``). ``np.random`` is seeded before every forward, so that the book's Dropout is checked
too. A layer of chapters 6-7 (Convolution, Pooling, BatchNormalization), or one whose
constructor needs what xpnet cannot guess, is not checked, and :attr:`FunctionsCheck.skipped`
says so with why.
"""

from __future__ import annotations

import inspect
import re
import warnings
from functools import partial

import numpy as np

from .. import functions as oracle
from ..gradient import H, numerical_gradient
from .chapter4 import FunctionResult, FunctionsCheck, _array, _what, _where_class
from .diagnosis import _factor, _shown
from .layers import _compare, softmax_loss_mistake
from .locating import _brief, _is_theirs, learner_frames
from .names import gradient_attribute, gradient_candidates

__all__ = ["check_layers", "layer_like"]

SEED = 0
LATER = ("conv", "pool", "batchnorm", "batch_norm", "normalization")  # chapters 6-7
AFFINE = ("affine", "dense", "linear", "fc", "fullyconnected")
ARRAY_NAMES = ("w", "weight", "weights")
FLAG = r"train|fl[a]?g|training|mode"  # forward(self, x, train_flg): True
LABELS_FIX = "dx = self.y.copy(); dx[np.arange(batch_size), self.t] -= 1; dx = dx / batch_size"
# a layer of one input: its forward's value, by the name of its class
FORWARD = {
    "relu": (oracle.relu, "max(0, x)"),
    "sigmoid": (oracle.sigmoid, "1 / (1 + exp(-x))"),
    "tanh": (np.tanh, "tanh(x)"),
    "softmax": (oracle.softmax, "softmax(x), row by row"),
}
# the book's 5.4: (x, y, dout, forward's value, backward's (dx, dy), the formula)
NODES = {
    "mul": (100.0, 2.0, 1.1, 200.0, (2.2, 110.0), "dx = dout * self.y; dy = dout * self.x"),
    "add": (200.0, 450.0, 1.1, 650.0, (1.1, 1.1), "dx = dout * 1; dy = dout * 1"),
}


def check_layers(namespace: dict, *, only: type | None = None) -> FunctionsCheck | None:
    """The check of the layers in ``namespace`` (a learner's module's ``vars``): each class of
    the learner's own files with forward and backward (:func:`layer_like`); None where it holds
    none. A layer that cannot be checked is in the report's ``skipped``, with why.

    ``only``: a class named by the learner (``FILE.py:MulLayer``), checked alone.
    """
    classes = [only] if only is not None else [v for v in namespace.values() if inspect.isclass(v)]
    results, skipped = [], []
    for cls in dict.fromkeys(classes):
        if not layer_like(cls):
            if _forward_only(cls):
                skipped.append(f"{cls.__name__} ({_where_class(cls)}) has forward but no backward:"
                               " not checked")  # fmt: skip
            continue
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.filterwarnings("ignore", "numerical_gradient: ", UserWarning)
            outcome = _checked(cls)
        if isinstance(outcome, str):
            skipped.append(f"{cls.__name__} ({_where_class(cls)}) is not checked: {outcome}")
        else:
            results.append(outcome)
    if not results and not skipped:
        return None
    return FunctionsCheck(tuple(results), tuple(skipped))


def layer_like(cls) -> bool:
    """Whether cls is a layer of the learner's: a class of their own files with forward and
    backward, and no network (no gradient, predict or loss method)."""
    return (
        inspect.isclass(cls)
        and _is_theirs(cls)
        and all(callable(getattr(cls, m, None)) for m in ("forward", "backward"))
        and not any(callable(getattr(cls, m, None)) for m in ("gradient", "predict", "loss"))
    )


def _forward_only(cls) -> bool:
    """Whether cls is a layer of the learner's still being written: forward, no backward."""
    network = ("gradient", "predict", "loss", "backward")
    return (
        inspect.isclass(cls)
        and _is_theirs(cls)
        and callable(getattr(cls, "forward", None))
        and not any(callable(getattr(cls, m, None)) for m in network)
    )


def _affine_like(low: str, required: list[str]) -> bool:
    return any(w in low for w in AFFINE) or [r.lower() for r in required] == ["w", "b"]


def _checked(cls) -> FunctionResult | str:
    """The result of cls's check, or why it is not checked."""
    low = cls.__name__.lower()
    if any(word in low for word in LATER):
        return "a layer of chapters 6-7; xpnet checks chapter 5's (Relu, Sigmoid, Affine, ...)"
    required = _required(cls.__init__)
    try:
        if required and _affine_like(low, required):
            return _affine(cls, required)
        if required:
            return (
                f"its constructor needs {', '.join(required)}, which xpnet cannot guess; check"
                " it inside a network"
            )
        try:
            layer = cls()
        except Exception as error:
            return _result(cls, f"{cls.__name__}() raised {_brief(error)}")
        inputs = _inputs(cls.forward)
        if len(inputs) == 1:
            return _one_input(cls, layer)
        if len(inputs) == 2 and any(w in low for w in ("loss", "softmax", "entropy")):
            return _loss(cls, layer)
        if len(inputs) == 2:
            return _node(cls, layer)
        return (
            f"its forward takes {len(inputs)} inputs ({', '.join(inputs)}); xpnet checks a layer"
            " of one (Relu), two (MulLayer) or x and t (SoftmaxWithLoss)"
        )
    except Exception as error:
        if not learner_frames(error):  # called otherwise than it is written (backward(self))
            return f"xpnet could not call it as the book's layers are called: {_brief(error)}"
        kept = ""
        if _about_none(error) and learner_frames(error)[-1].name == "backward":
            kept = ": backward reads what forward keeps (self.out = out, self.x = x): keep it"
        return _result(cls, f"on xpnet's example it raised {_brief(error)}{kept}")


# -- a node of two inputs: MulLayer, AddLayer ------------------------------------------------------


def _node(cls, layer) -> FunctionResult:
    """A node of two inputs: at the book's numbers where its name is the book's (MulLayer,
    AddLayer), then at another point, so that only the derivatives pass, not numbers typed in."""
    low = cls.__name__.lower()
    kind = next((k for k in NODES if k in low), None)
    points = [NODES[kind]] if kind else []
    points.append((3.0, -2.0, 1.5, None, None, NODES[kind][-1] if kind else ""))
    for x, y, dout, value, book, formula in points:
        said = _node_at(layer, kind, x, y, dout, value, book, formula)
        if said:
            return _result(cls, said)
    return _result(cls, "")


def _node_at(layer, kind, x, y, dout, value, book, formula) -> str:
    """What is wrong with the node at inputs x, y and upstream gradient dout; "" if nothing.
    ``value`` and ``book``: the book's forward and backward there, where it prints them."""
    forward = _seeded(layer)
    call = f"forward({x:g}, {y:g})"
    out = _scalar(forward(x, y))
    if out is None:
        return f"{call} returns {_what(forward(x, y))}, not a number"
    operation = {"mul": x * y, "add": x + y}.get(kind)
    if operation is not None and not np.isclose(out, operation, rtol=1e-9):
        name = "x * y" if kind == "mul" else "x + y"
        book_says = ", the book's 5.4" if value is not None else ""
        return f"{call} is {out:g}; it should be {operation:g} ({name}{book_says})"
    right = book or (  # the book's derivatives, exactly; else central differences
        dout * (_scalar(forward(x + H, y)) - _scalar(forward(x - H, y))) / (2 * H),
        dout * (_scalar(forward(x, y + H)) - _scalar(forward(x, y - H))) / (2 * H),
    )
    forward(x, y)
    then = f"{call} then backward({dout:g})"
    try:
        got = layer.backward(dout)
    except Exception as error:
        if not learner_frames(error):
            raise
        kept = ": forward keeps its inputs for backward (self.x = x; self.y = y)"
        return f"{then} raised {_brief(error)}{kept * _about_none(error)}"
    pair = tuple(got) if isinstance(got, tuple | list) else ()
    numbers = tuple(_scalar(g) for g in pair)
    if len(numbers) != 2 or None in numbers:
        what = _what(_array(got)) if pair else _what(got)
        return (
            f"{then} returns {what}; a node of two inputs returns the gradient of each: return"
            " dx, dy"
        )
    if np.allclose(numbers, right, rtol=1e-6, atol=1e-9):
        return ""
    said = f"{then} is ({numbers[0]:.6g}, {numbers[1]:.6g}); it should be ({right[0]:.6g},"
    said += f" {right[1]:.6g})" + (", the book's 5.4" if book is not None else "")
    fix = f": {formula}" if formula else ""
    if np.allclose(numbers[::-1], right, rtol=1e-6, atol=1e-9):
        return f"{said}: dx and dy are swapped{fix}"
    wrong = [i for i in (0, 1) if not np.isclose(numbers[i], right[i], rtol=1e-6, atol=1e-9)]
    if all(np.isclose(numbers[i], right[i] / dout, rtol=1e-6, atol=1e-9) for i in wrong):
        names = " and ".join(("dx", "dy")[i] for i in wrong)
        leave = "leaves" if len(wrong) == 1 else "leave"
        return f"{said}: {names} {leave} out dout, which the chain rule multiplies by{fix}"
    return f"{said}: they are not the derivatives of its forward{fix}"


# -- a layer of one input: Relu, Sigmoid, Dropout, ... ---------------------------------------------


def _one_input(cls, layer) -> FunctionResult | str:
    rng = np.random.default_rng(SEED)
    x = _away_from_zero(rng.standard_normal((4, 5)))
    forward = _seeded(layer)
    given = x.copy()
    out = _array(forward(given))
    if out is None:
        return _result(cls, f"forward(x) returns {_what(forward(x.copy()))}, not an array")
    note = (
        "its forward changes its input x, the caller's array: work on a copy (out = x.copy(),"
        " as the book's Relu)"
    ) * (not np.array_equal(given, x))
    if not np.array_equal(out, _array(forward(x.copy()))):
        return (
            "its forward gives two outputs for one x (np.random seeded before each): random,"
            " from a generator of its own"
        )
    shown = "forward(x) of a random x of shape (4, 5)"
    low = cls.__name__.lower()
    for name, (function, formula) in FORWARD.items():
        if low.startswith(name):
            expected = np.asarray(function(x))
            if out.shape != expected.shape or not np.allclose(out, expected, rtol=1e-7):
                why = f"{shown} is not {formula}: {_first_wrong(x, out, expected)}"
                if out.shape == x.shape and np.allclose(out, function(-x), rtol=1e-7):
                    why += f"; it is the value at -x: a minus sign is missing or extra in {formula}"
                return _result(cls, why)
    dout = rng.standard_normal(out.shape)

    def loss(v):
        return float(np.sum(_array(forward(v.copy())) * dout))

    derivative = numerical_gradient(loss, x.copy())
    forward(x.copy())
    dx = layer.backward(dout.copy())
    dx = dx[0] if isinstance(dx, tuple) else dx
    wrong = _compare("dx", _array(dx), x, "its input x", lambda: derivative)
    if wrong is None:
        return _result(cls, "", note)
    said = f"dx = backward(dout) after {shown}: {wrong}"
    got = _array(dx)
    if dx is None:
        return _result(cls, f"{said}: backward returns nothing; return dx", note)
    if got is None or got.shape != x.shape:
        return _result(cls, said, note)
    out = _array(forward(x.copy()))
    sigmoid = "the derivative of sigmoid is out * (1 - out):"
    hints = [  # (the name it begins with, what dx is then, the hint)
        ("relu", dout, "it passes dout through unchanged: the mask is missing (dout[mask] = 0)"),
        ("relu", dout * (x <= 0), "dout is kept where x <= 0: the mask is inverted (keep x > 0)"),
        ("sigmoid", dout * out, f"{sigmoid} (1 - self.out) is missing"),
        ("sigmoid", dout * (1 - out), f"{sigmoid} self.out is missing"),
        ("", -derivative, "its sign is wrong"),
    ]  # fmt: skip
    for start, candidate, hint in hints:
        if low.startswith(start) and np.allclose(got, candidate, rtol=1e-6, atol=1e-9):
            return _result(cls, f"{said}; {hint}", note)
    factor = _factor(got, derivative)
    if factor is not None:
        said += f"; it is {_shown(factor)} times the derivative: a constant too many, or too few"
    return _result(cls, said, note)


# -- Affine ----------------------------------------------------------------------------------------


def _affine(cls, required: list[str]) -> FunctionResult | str:
    if len(required) != 2:
        return (
            f"its constructor needs {', '.join(required)}; xpnet builds an Affine from W and b"
            " (the book's), or from two sizes"
        )
    rng = np.random.default_rng(SEED)
    D, M, N = 4, 3, 2
    W, b, x = rng.standard_normal((D, M)), rng.standard_normal(M), rng.standard_normal((N, D))
    name = cls.__name__
    if required[0].lower() in ARRAY_NAMES:
        built = f"{name}(W, b) of W {W.shape}, b {b.shape}"
        layer = cls(W, b)
    else:
        built = f"{name}({D}, {M})"
        layer = cls(D, M)
        W, b = _kept(layer, "W", "w", "weight"), _kept(layer, "b", "bias")
        if W is None or b is None or W.shape != (D, M) or b.shape != (M,):
            return (
                f"built as {built}, it keeps no W of shape ({D}, {M}) and b of ({M},) (as"
                " self.W, self.b): xpnet checks the book's out = x W + b"
            )
    W, b = W.copy(), b.copy()  # the layer holds these arrays; the copies stay as they were
    forward = _seeded(layer)
    out = _array(forward(x.copy()))
    shown = f"forward(x) of x {x.shape}, {built}"
    right = x @ W + b
    if out is None or out.shape != right.shape:
        return _result(cls, f"{shown} returns {_what(out)}, not an array of shape {right.shape}")
    if not np.allclose(out, right, rtol=1e-9, atol=1e-12):
        b_missing = np.allclose(out, x @ W, rtol=1e-9)
        said = "b is not added: " if b_missing else ""
        return _result(cls, f"{shown} is not x W + b: {said}out = np.dot(x, self.W) + self.b")
    dout = rng.standard_normal(right.shape)
    forward(x.copy())
    before = dict(vars(layer))
    dx = layer.backward(dout.copy())
    dx = dx[0] if isinstance(dx, tuple) else dx
    said, notes = [], []
    for grad, got, expected, fix, others in (
        ("dx", [("dx", dx)], dout @ W.T, "dx = np.dot(dout, self.W.T)", {}),
        (
            "dW",
            gradient_candidates(layer, "W", "dW", before, W.shape),
            x.T @ dout,
            "self.dW = np.dot(self.x.T, dout)",
            {"the mean over the batch, not the sum": x.T @ dout / N},
        ),
        (
            "db",
            gradient_candidates(layer, "b", "db", before, b.shape),
            np.sum(dout, axis=0),
            "self.db = np.sum(dout, axis=0)",
            {
                "the mean over the batch, not the sum": np.mean(dout, axis=0),
                "the sum of all of dout, one number: sum over the batch only (axis=0)": np.sum(
                    dout
                ),
            },
        ),
    ):
        wrong, note = gradient_attribute(
            got, grad, partial(_formula, grad, expected=expected, fix=fix, others=others)
        )
        said += [wrong] if wrong else []
        notes += [note] if note else []
    if said:
        return _result(cls, f"backward(dout) after {shown}: " + "; ".join(said))
    return _result(cls, "", _joined(*notes))


def _formula(grad: str, got, expected, fix: str, others: dict) -> str:
    if got is None:
        kept = " keeps no" if grad != "dx" else " returns no"
        return f"backward{kept} {grad}: {fix}"
    got = _array(got)
    if got is None:
        return f"{grad} is no array: {fix}"
    for said, other in others.items():
        if got.shape == np.shape(other) and np.allclose(got, other, rtol=1e-9):
            return f"{grad} is {said}: {fix}"
    if got.shape != expected.shape:
        return f"{grad} has shape {got.shape}, not {expected.shape}: {fix}"
    if not np.allclose(got, expected, rtol=1e-9, atol=1e-12):
        return f"{grad} is not the derivative of out = x W + b: {fix}"
    return ""


def _kept(layer, *names):
    """The layer's array under the first of names it has (or in its params dict)."""
    params = getattr(layer, "params", None)
    for name in names:
        value = getattr(layer, name, None)
        if value is None and isinstance(params, dict):
            value = params.get(name)
        if value is not None:
            return value
    return None


# -- a loss layer: SoftmaxWithLoss -----------------------------------------------------------------


def _loss(cls, layer) -> FunctionResult:
    """A loss layer, with t one-hot and t as class labels: right with one form only is right,
    with a note; wrong with a form it takes (it does not raise) is wrong."""
    rng = np.random.default_rng(SEED)
    N, C = 3, 10
    x = 2 * rng.standard_normal((N, C))
    labels = np.array([2, 7, 0])
    softmax = "softmax" in cls.__name__.lower()
    forms = {"one-hot": np.eye(C)[labels]}
    if softmax:
        forms["class labels"] = labels
    forward, paired = _loss_forward(layer, x, forms["one-hot"])
    said, raised = {}, None
    for form, t in forms.items():
        try:
            said[form] = _loss_form(layer, forward, softmax, x, t, f"t {form}")
        except Exception as error:
            if not learner_frames(error) or len(forms) == 1:
                raise
            if raised is not None:  # with both forms: the first one's error is said
                raise raised from None
            said[form], raised = None, error  # it does not take this form
    one_hot, as_labels = said["one-hot"], said.get("class labels", "")
    note = paired
    if one_hot == "" and as_labels is None:
        note = _joined(
            paired,
            "it takes one-hot t only; the book's common/layers.py also takes class labels (t ="
            f" [2, 7, 0]): {LABELS_FIX}",
        )
    if as_labels == "" and one_hot is None:
        note = _joined(
            paired,
            "it takes class labels only; the book's common/layers.py also takes one-hot t: dx ="
            " (self.y - self.t) / batch_size",
        )
    return _result(cls, one_hot or as_labels or "", note)


def _loss_forward(layer, x, t):
    """(the loss layer's forward returning its loss, a note): a forward that returns the pair
    (y, loss) -- softmax's output beside the loss, by the learner's design -- is read for its
    loss, with a note that the book's returns the loss alone."""
    forward = _seeded(layer)
    try:
        out = forward(x.copy(), t.copy())
    except Exception:  # said where each form is checked
        return forward, ""
    if not isinstance(out, tuple | list) or len(out) != 2 or _scalar(out) is not None:
        return forward, ""
    shapes = [getattr(_array(part), "shape", None) for part in out]
    scalars = [_scalar(part) is not None for part in out]
    if sorted(scalars) != [False, True] or shapes[scalars.index(False)] != x.shape:
        return forward, ""
    k = scalars.index(True)
    order = "(y, loss)" if k == 1 else "(loss, y)"
    return (lambda *args: forward(*args)[k]), (
        f"forward(x, t) returns the pair {order}, softmax's output beside the loss; checked its"
        " loss. The book's returns the loss alone, which its TwoLayerNet.loss returns as the"
        " loss: return self.loss, and keep y in self.y"
    )


def _joined(*notes: str) -> str:
    """Sentences joined: each after the first with its capital."""
    said = [note for note in notes if note]
    return ". ".join([*said[:1], *(note[0].upper() + note[1:] for note in said[1:])])


def _loss_form(layer, forward, softmax: bool, x, t, form: str) -> str:
    """What is wrong with the loss layer (its forward: ``forward``) on x and t of one form; ""
    where it is right."""
    N = x.shape[0]
    shown = f"forward(x, t) of a batch of {N} (x of shape {x.shape}, {form})"
    loss = _scalar(forward(x.copy(), t.copy()))
    if loss is None:
        return f"{shown} returns {_what(forward(x.copy(), t.copy()))}, not one number"
    mistake = softmax_loss_mistake(loss, x, t) if softmax else ""
    if mistake:
        return f"{shown} {mistake}"
    derivative = numerical_gradient(lambda v: _scalar(forward(v.copy(), t.copy())), x.copy())
    forward(x.copy(), t.copy())
    dx = _backward_of_loss(layer)
    wrong = _compare("dx", _array(dx), x, "its input x", lambda: derivative)
    if wrong is None:
        return ""
    said = f"dx = backward(1) after {shown}: {wrong}"
    got = _array(dx)
    fix = ""
    if softmax:
        fix = ": dx = (self.y - self.t) / batch_size" if t.ndim == 2 else f": {LABELS_FIX}"
    if got is not None and got.shape == x.shape:
        if np.allclose(got, N * derivative, rtol=1e-4, atol=1e-9):
            return f"{said}; it is {N} times it, the batch size: divide by it{fix}"
        if np.allclose(got, -derivative, rtol=1e-4, atol=1e-9):
            return f"{said}; its sign is wrong{fix}"
    return said + fix


def _backward_of_loss(layer):
    """backward(1), as the book's net calls it; backward() where it takes no dout."""
    if _parameters(type(layer).backward) == []:
        return layer.backward()
    return layer.backward(1)


# -- the parts -------------------------------------------------------------------------------------


def _result(cls, reason: str, note: str = "") -> FunctionResult:
    return FunctionResult(cls.__name__, _where_class(cls), not reason, reason, note)


def _parameters(function) -> list[inspect.Parameter] | None:
    """function's parameters, self left out; None where it has no signature to read."""
    try:
        return list(inspect.signature(function).parameters.values())[1:]
    except (TypeError, ValueError):
        return None


def _required(function) -> list[str]:
    """The names of function's positional parameters with no default, self left out."""
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    parameters = _parameters(function) or []
    return [p.name for p in parameters if p.kind in positional and p.default is p.empty]


def _seeded(layer):
    """layer.forward with np.random seeded before each call (a Dropout of the book's repeats)
    and True for a training flag it requires (forward(self, x, train_flg))."""
    flags = (True,) * len(_flags(type(layer).forward))

    def call(*args):
        np.random.seed(SEED)  # noqa: NPY002 (the book's Dropout draws from this generator)
        return layer.forward(*args, *flags)

    return call


def _inputs(forward) -> list[str]:
    """forward's required inputs, its training flags left out."""
    required = _required(forward)
    return required[: len(required) - len(_flags(forward))]


def _flags(forward) -> list[str]:
    """The training flags among forward's last required parameters (train_flg, flg_train)."""
    required = _required(forward)
    flags = []
    while len(required) > 1 and re.search(FLAG, required[-1].lower()):
        flags.insert(0, required.pop())
    return flags


def _scalar(value) -> float | None:
    a = _array(value)
    return float(a.reshape(())) if a is not None and a.size == 1 else None


def _away_from_zero(x):
    """x with every entry at least 0.1 from 0: a numerical derivative there straddles no kink."""
    return np.where(x < 0, x - 0.1, x + 0.1)


def _about_none(error: BaseException) -> bool:
    return isinstance(error, AttributeError | TypeError) and "None" in str(error)


def _first_wrong(x, got, expected) -> str:
    """Where got differs most from expected: the x there and both values."""
    if got.shape != expected.shape:
        return f"its shape is {got.shape}, x's {x.shape}"
    i = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
    return f"where x is {x[i]:.4g}, it is {got[i]:.4g}, not {expected[i]:.4g}"
