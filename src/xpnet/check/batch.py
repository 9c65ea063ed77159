"""Whether a network treats each image of a batch alone: its loss of a batch is the mean of its
images' own losses.

The book's networks of chapters 4 and 5 (and 6's with weight decay or, at test time, dropout
and batch normalization) compute each image's output from that image alone, and their loss of
a batch is the mean over its images (4.2.4: ``cross_entropy_error`` divides by the batch size).
So ``loss(x, t)`` of N images equals the mean of ``loss(x[i:i+1], t[i:i+1])`` over i, to
rounding, whatever the learner's layers are. A net that breaks this is wrong in a way its own
gradient cannot show: a chapter-4 net checked by its own ``numerical_gradient`` (the gradient
of a wrong loss, exactly), or a loss layer that sums over the batch with a backward that does
not divide by it. The typical causes, named from the figures:

- the sum over the batch, not the mean (the batch's loss is N times the mean);
- ``predict(x)`` mixing the images: chapter 3's softmax of one sample (``np.max``, ``np.sum``
  without ``axis``) on a batch, whose outputs sum to 1 over the whole batch;
- a softmax loss layer that does the same, found from ``predict(x)``'s scores.

No claim is made where the loss is random (Dropout in training mode: two calls differ), where
the net keeps a batch-normalization layer, or where a batch of one cannot be computed.
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from ..backends import Array, to_numpy
from .interface import _copy, _scalar
from .layers import find_layers, softmax_loss_cause
from .locating import _where

__all__ = ["RTOL", "batch_mistake"]

RTOL = {"float64": 1e-6, "float32": 1e-3}  # rounding of a batch's matmul against one row's

WHOLE_BATCH_SOFTMAX = (
    "its softmax is taken over the whole batch, not row by row (np.max and np.sum without axis,"
    " chapter 3's softmax of one sample): take the max and the sum of each row (axis=-1,"
    " keepdims=True), as the book's common/functions.py does"
)


def batch_mistake(net, x: Array, t: Array, loss, dtype: str = "float64") -> str:
    """ "" when ``loss``, ``net.loss(x, t)``, is the mean of the images' own losses (or when
    nothing can be said); else the figures and the likely cause, as one sentence."""
    N = int(x.shape[0])
    rtol = RTOL[dtype]
    if N < 2 or _normalizes_batches(net):
        return ""
    whole = float(_scalar(loss))
    try:
        if not _close(float(_scalar(net.loss(x, t))), whole, rtol):
            return ""  # random: Dropout in training mode
        alone = [float(_scalar(net.loss(*_one(x, t, i)))) for i in range(N)]
    except Exception:  # a batch of one is not the learner's case: no claim
        return ""
    mean = math.fsum(alone) / N
    if not all(math.isfinite(v) for v in (whole, mean)) or _close(whole, mean, rtol):
        return ""
    said = (
        f"loss(x, t) of the batch of {N} images is {whole:.6g}, the mean of the images' own"
        f" losses (each alone: loss(x[i:i+1], t[i:i+1])) {mean:.6g}, where the book's loss of a"
        " batch is that mean"
    )
    cause = _cause(net, x, t, whole, mean, rtol)
    return f"{said}; {cause}" if cause else said


def _cause(net, x, t, whole: float, mean: float, rtol: float) -> str:
    N = int(x.shape[0])
    if mean and _close(whole / mean, N, rtol):
        return (
            f"it is {N} times the mean: the sum over the batch, where the book divides by the"
            " batch size (cross_entropy_error, 4.2.4: / batch_size)"
        )
    predict = getattr(net, "predict", None)
    if not callable(predict):
        return ""
    try:
        scores = predict(x)
        rows = [predict(_one(x, t, i)[0]) for i in range(N)]
        scores = to_numpy(scores).astype(np.float64)
        rows = np.concatenate([to_numpy(r).astype(np.float64) for r in rows])
    except Exception:
        return ""
    if scores.shape != rows.shape or scores.ndim != 2:
        return ""
    if not np.allclose(scores, rows, rtol=100 * rtol, atol=1e-12):
        sums = scores.sum(axis=1)
        if np.all(scores >= 0) and _close(float(sums.sum()), 1.0, rtol) and N > 1:
            return f"predict(x) is the cause{_softmax_of(net)}: {WHOLE_BATCH_SOFTMAX}"
        worst = int(np.argmax(np.abs(scores - rows).max(axis=1)))
        return (
            f"predict(x) is the cause: image {worst}'s output in the batch differs from its"
            " output alone (a sum, max or mean without axis=... mixes the images)"
        )
    try:
        right, cause = softmax_loss_cause(whole, scores, to_numpy(t))
    except Exception:  # t of neither form, or predict(x) gives no scores
        return ""
    if cause:
        return f"cross_entropy_error(softmax(predict(x)), t) is {right:.6g}: {cause}"
    return ""


def _softmax_of(net) -> str:
    """ " (softmax: common/functions.py, line 31)": the learner's softmax that net's module uses."""
    names = getattr(getattr(type(net), "predict", None), "__globals__", {})
    softmax = names.get("softmax")
    return f" (softmax: {_where(softmax)})" if inspect.isfunction(softmax) else ""


def _one(x: Array, t: Array, i: int) -> tuple[Array, Array]:
    """Image i alone, a batch of one, as copies (a learner's loss may write into its x)."""
    return _copy(x[i : i + 1, ...]), _copy(t[i : i + 1, ...])


def _normalizes_batches(net) -> bool:
    """Whether net keeps a batch-normalization layer: its loss depends on the batch by design."""
    return any("batchnorm" in type(layer).__name__.lower() for _, layer in find_layers(net))


def _close(a: float, b: float, rtol: float) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-12)
