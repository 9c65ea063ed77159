"""Where the numerical gradient cannot judge: entries that sit on a corner of the loss.

ReLU's kink is a corner of the loss: where a hidden input is exactly 0 (an image of zeros puts
every hidden input at its bias, 0 at the start), the loss has a derivative from the left and
another from the right, and no derivative. Backprop takes one of them (the book's mask, x > 0,
the left one); the central difference takes their mean, with any step h. So both are "right",
and they differ: the check cannot judge such an entry on this x, and calling backprop wrong
there would blame a correct network.

:func:`judge_corners` takes the parameters that still disagree after the finer step
(:mod:`xpnet.check.netcheck`), and for each looks at the entries that disagree: where every one
of them has one-sided differences that differ (a corner) and backprop lies between them, the
parameter is not judged (``judged=False``), with a reason that says why and what to do. A
mistake in backprop shows where the loss is smooth, so it still fails.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..backends import compute, writes_in_place

__all__ = ["ON_THIS_X", "judge_corners"]

STEP = 1e-6  # one-sided differences: their error ~ h f'' stays far below a corner's jump
LOOKED_AT = 200  # the entries that disagree most, at most: a corner is in every one or none
ON_THIS_X = (
    "the numerical gradient cannot judge it on this x: choose a batch with nonzero inputs (an"
    " image of zeros puts every hidden input at its bias, 0 at the start, on ReLU's kink)"
)


def judge_corners(parameters: tuple, grads: dict, numerical: dict, params: dict, loss) -> tuple:
    """parameters, each that disagrees only on corners of the loss marked ``judged=False``.

    ``loss(name, W)``: the loss with ``params[name]`` perturbed in place to W (its own array).
    A parameter of an immutable library, or one of another shape or with a factor, is left."""
    judged = []
    for p in parameters:
        param = params.get(p.name)
        if (
            p.passed
            or not p.judged
            or p.factor is not None
            or p.gradient_shape != p.shape
            or param is None
            or not writes_in_place(param)
        ):
            judged.append(p)
            continue
        corners = _corners(p.name, param, grads[p.name], numerical[p.name], loss)
        if corners:
            reason = (
                f"its {corners} entries that disagree each sit on a corner of the loss (its"
                " derivatives from the left and from the right differ there, ReLU's kink), and"
                f" backprop takes one of them: {ON_THIS_X}"
            )
            p = replace(p, judged=False, reason=reason)
        judged.append(p)
    return tuple(judged)


def _corners(name: str, param, grad, numerical, loss) -> int:
    """How many entries disagree, where every one of those looked at is a corner with backprop
    between its one-sided derivatives; 0 where one is not."""
    g, n, kept = (np.array(a, dtype=np.float64) for a in compute(grad, numerical, param))
    scale = max(float(np.max(np.abs(g), initial=0.0)), float(np.max(np.abs(n), initial=0.0)))
    if scale == 0.0:
        return 0
    margin = 1e-4 * scale
    disagree = np.abs(g - n) > margin
    count = int(np.count_nonzero(disagree))
    if not count:
        return 0
    order = np.argsort(-np.abs(g - n), axis=None)[: min(count, LOOKED_AT)]
    centre = loss(name, param)
    try:
        for flat in order:
            index = np.unravel_index(int(flat), kept.shape)
            value = float(kept[index])
            param[index] = value + STEP
            right = (loss(name, param) - centre) / STEP
            param[index] = value - STEP
            left = (centre - loss(name, param)) / STEP
            param[index] = value
            low, high = min(left, right), max(left, right)
            if high - low <= margin or not low - margin <= g[index] <= high + margin:
                return 0
    finally:
        for flat in order:
            index = np.unravel_index(int(flat), kept.shape)
            param[index] = float(kept[index])
    return count
