"""The numerical gradient of TwoLayerNet, batched: every perturbation's loss in a few array ops.

The element-by-element loop (``numerical_gradient(f, param)``) runs the whole network twice per
parameter: 79,520 forwards for 784-50-10. But perturbing one parameter changes little:

- ``W1[i, j] += h`` moves only hidden unit j's pre-activation, by ``h * x[:, i]``;
- ``b1[j] += h`` moves it by ``h``;
- ``W2[j, k] += h`` moves only logit k, by ``h * z[:, j]``; ``b2[k] += h`` by ``h``.

So the perturbed logits are the unperturbed ones plus a rank-one change, and the loss of every
perturbation is evaluated at once on a stacked array: for W1, logits of shape (D, H, N, C),
in chunks of rows so memory stays bounded. The activation is applied to the perturbed
pre-activations exactly (ReLU's kink included), the loss is the exact log-sum-exp, and the
result is the same central difference (f(w + h) - f(w - h)) / 2h as the loop's, to rounding.
"""

from __future__ import annotations

from array_api_compat import device as device_of

from .backend import Array, array_namespace
from .functions import one_hot, relu, sigmoid, softmax
from .gradient import H

__all__ = ["batched_numerical_gradient"]

ACTIVATIONS = {"relu": relu, "sigmoid": sigmoid}
CHUNK_ELEMENTS = 2**16  # elements of one stacked (rows, H, N, C) block: 512 KiB, cache-sized


def batched_numerical_gradient(
    params: dict[str, Array], activation: str, x: Array, t: Array, *, h: float = H
) -> dict[str, Array]:
    """Central-difference gradients of TwoLayerNet's loss for every parameter, batched.

    params: W1 (D, H), b1 (H,), W2 (H, C), b2 (C,), float64. x: (N, D) float64. t: labels (N,)
    or one-hot (N, C). activation: "relu" or "sigmoid". Returns a dict keyed like params.

    With p = softmax(logits), a logit shift s changes sample n's loss by
    log(sum_c p[n, c] exp(s[n, c])) - s[n, t_n], so loss(+h) - loss(-h) needs no second
    softmax: only exp of the shifts, one dot with p per sample, and a log.
    """
    xp = array_namespace(x, params["W1"])
    act = ACTIVATIONS[activation]
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    (N, D), C = x.shape, W2.shape[1]
    a = x @ W1 + b1  # (N, H) hidden pre-activations
    z = act(a)
    logits = z @ W2 + b2  # (N, C)
    p = softmax(logits)
    T = xp.astype(t, logits.dtype) if t.ndim == 2 else one_hot(t, C, dtype=logits.dtype)
    W2_true = W2 @ T.T  # (H, N): W2[j, t_n], the true logit's weight from unit j

    def diff(shift_plus: Array, shift_minus: Array, true_plus: Array, true_minus: Array):
        """(loss(+h) - loss(-h)) / 2h per perturbation. shifts: (..., N, C); true: (..., N)."""
        change = (
            xp.log(xp.vecdot(xp.exp(shift_plus), p)) - xp.log(xp.vecdot(xp.exp(shift_minus), p))
        ) - (true_plus - true_minus)
        return xp.mean(change, axis=-1) / (2 * h)

    def unit_diff(dz_plus: Array, dz_minus: Array) -> Array:
        """Hidden unit j's output moves by dz (..., H, N): the logits by dz * W2[j, :]."""
        return diff(
            dz_plus[..., None] * W2[:, None, :],
            dz_minus[..., None] * W2[:, None, :],
            dz_plus * W2_true,
            dz_minus * W2_true,
        )

    eye = xp.eye(C, dtype=x.dtype, device=device_of(x))
    zero = xp.zeros((C, N), dtype=x.dtype, device=device_of(x))
    grads = {}
    # b2[k]: logit k moves by h for every sample. shifts: (C, 1, C)
    true_b2 = h * (zero + T.T)  # (C, N): h where k is sample n's class
    grads["b2"] = diff(h * eye[:, None, :], -h * eye[:, None, :], true_b2, -true_b2)
    # W2[j, k]: logit k moves by h * z[:, j]. shifts: (H, C, N, C)
    shift = h * z.T[:, None, :, None] * eye[None, :, None, :]
    true_w2 = h * z.T[:, None, :] * T.T[None, :, :]  # (H, C, N)
    grads["W2"] = diff(shift, -shift, true_w2, -true_w2)
    # b1[j]: pre-activation j moves by h (the activation applied exactly, kink included)
    a_t, z_t = a.T, z.T  # (H, N)
    grads["b1"] = unit_diff(act(a_t + h) - z_t, act(a_t - h) - z_t)
    # W1[i, j]: pre-activation j moves by h * x[:, i]; rows i in cache-sized blocks
    rows = max(1, CHUNK_ELEMENTS // max(1, W1.shape[1] * N * C))
    blocks = []
    for start in range(0, D, rows):
        hx = h * x[:, start : min(start + rows, D)].T[:, None, :]  # (rows, 1, N)
        blocks.append(unit_diff(act(a_t + hx) - z_t, act(a_t - hx) - z_t))
    grads["W1"] = xp.concat(blocks, axis=0)
    return {key: grads[key] for key in ("W1", "b1", "W2", "b2")}
