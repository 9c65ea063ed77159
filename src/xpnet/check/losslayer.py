"""Chapter 5's SoftmaxWithLoss on its own, with one-hot t and with class labels.

:func:`_loss` holds ``forward(x, t)`` to ``cross_entropy_error(softmax(x), t)`` and
``backward(1)`` to the numerical derivative of the forward; a layer right with one form of t
only is right with a note, and one that returns the pair (y, loss) is read for its loss.
"""

from __future__ import annotations

import numpy as np

from ..gradient import numerical_gradient
from .examples import FunctionResult, _array, _what
from .layerparts import SEED, _joined, _parameters, _result, _scalar, _seeded
from .layers import _compare, softmax_loss_mistake
from .locating import learner_frames

LABELS_FIX = "dx = self.y.copy(); dx[np.arange(batch_size), self.t] -= 1; dx = dx / batch_size"


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
