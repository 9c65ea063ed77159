"""The second look of :func:`~xpnet.check.gradcheck.gradient_check` at a parameter that disagrees:
the numerical gradient again with a step 100 times finer (``FINE_STEP``), where the central
difference itself may be what is wrong.

Where moving an entry of W1 or b1 by h moves a hidden pre-activation ``x @ W1 + b1`` across
ReLU's kink at 0, the central difference straddles the kink and is itself wrong there (backprop
is not); on a batch of 20 MNIST images or more, some entry usually does.
:func:`straddling_entries` finds those entries exactly, and a W1 or b1 that disagrees at such
entries is checked again with a step 100 times finer (``FINE_STEP``), which straddles the kink at
far fewer of them, on the entries that this step does not straddle: a correct network passes,
with a note saying so; a mistake in backprop, which shows at every entry, still fails.
:func:`count_near_kink` counts the pre-activations near the kink (``near_kink`` of the report).

Where the gradient is large (inputs not scaled to 0..1: pixels 0..255), the central difference's
own error, about h**2 times the loss's third derivative, exceeds the book's 1e-7 on a right
network; :func:`smaller_step` checks such a parameter again with the finer step on every entry,
which shrinks that error 10**4 times. A mistake in backprop does not shrink with h.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..backends import Array, array_namespace, compute, on_device_of
from ..gradient import H
from ..numgrad import batched_numerical_gradient
from .corners import ON_THIS_X
from .diagnosis import Diagnosis
from .netcheck import FINE_STEP

__all__ = ["KINK_MARGIN", "UNCHECKED", "count_near_kink", "straddling_entries"]
# finer_at_the_kink and smaller_step: gradient_check's own steps

KINK_MARGIN = 10 * H  # a pre-activation this close to 0 may cross it when a weight moves by h
UNCHECKED = "every entry's central difference straddles ReLU's kink"  # its reason's start


def count_near_kink(net, x: Array, *, margin: float = KINK_MARGIN) -> int:
    """How many hidden pre-activations x @ W1 + b1 lie within ``margin`` of ReLU's kink at 0.

    At such a point a central difference with step h ~ margin / 10 may straddle the kink.

    Parameters
    ----------
    net : TwoLayerNet
        0 when its activation is not "relu".
    x : array, shape (N, D_in) or (N, ...)
        Inputs.
    margin : float
        How close to 0 counts.

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> from xpnet import TwoLayerNet
    >>> net = TwoLayerNet(2, 3, 2, seed=0)
    >>> count_near_kink(net, np.array([[0.0, 0.0], [1.0, 2.0]]))  # b1 = 0: the first row
    3
    """
    if net.config.get("activation") != "relu":
        return 0
    xp = array_namespace(x)
    with on_device_of(x):
        x = xp.reshape(x, (x.shape[0], -1))
        hidden = x @ net.params["W1"] + net.params["b1"]
        return int(xp.count_nonzero(xp.abs(hidden) < margin))


def straddling_entries(net, x: Array, *, h: float = H) -> dict[str, np.ndarray]:
    """The entries of W1 and b1 whose central difference with step h straddles ReLU's kink.

    Moving ``W1[i, j]`` by +-h moves hidden pre-activation ``a[n, j] = (x @ W1 + b1)[n, j]`` by
    +-h x[n, i], and ``b1[j]`` moves it by +-h: the entry straddles the kink when, for some
    sample n, that step reaches across 0 (``|a[n, j]| < h |x[n, i]|``, resp. ``< h``). There
    the loss has a corner and the central difference is not its derivative; elsewhere the loss
    is smooth along the step. Which entries is data-dependent, so it is found on a host copy.

    Parameters
    ----------
    net : TwoLayerNet
        {} when its activation is not "relu".
    x : array, shape (N, D_in) or (N, ...)
        Inputs.
    h : float
        The step of the central difference.

    Returns
    -------
    dict of str to numpy.ndarray
        "W1": bool (D_in, H), "b1": bool (H,); True where the entry straddles the kink.

    Examples
    --------
    >>> import numpy as np
    >>> from xpnet import TwoLayerNet
    >>> net = TwoLayerNet(2, 3, 2, seed=0)  # b1 = 0
    >>> kink = straddling_entries(net, np.array([[0.0, 0.0], [1.0, 2.0]]))
    >>> kink["b1"].tolist(), bool(kink["W1"].any())  # the zero image sits on the kink
    ([True, True, True], False)
    """
    if net.config.get("activation") != "relu":
        return {}
    xp = array_namespace(x)
    with on_device_of(x):
        x = xp.reshape(x, (x.shape[0], -1))
        x, a = compute(x, x @ net.params["W1"] + net.params["b1"])  # host NumPy from here
    distance = np.abs(a)  # (N, H): how far each pre-activation is from the kink
    b1 = np.any(distance < h, axis=0)
    rows, units = np.nonzero(distance < h * np.max(np.abs(x), axis=1, keepdims=True))
    crossed = h * np.abs(x[rows, :]) > distance[rows, units][:, None]  # (pairs, D_in)
    W1 = crossed.T @ (units[:, None] == np.arange(a.shape[1]))  # bool matmul: any over pairs
    return {"W1": W1, "b1": b1}


def finer_at_the_kink(net, x, t, parameters, diagnosis, notes) -> tuple:
    """W1 and b1 that disagree at entries whose central difference straddles ReLU's kink,
    again with a step FINE_STEP, on the entries that this step does not straddle (and the
    notes that say so). The entries that straddle shrink with h; a mistake does not."""
    coarse = straddling_entries(net, x, h=H)
    again = [
        p.name
        for p in parameters
        if not p.passed and p.name in coarse and p.gradient_shape == p.shape
        and np.any(coarse[p.name])
    ]  # fmt: skip
    if not again:
        return parameters
    xp = net.backend.xp
    x2 = xp.reshape(x, (x.shape[0], -1))
    fine = batched_numerical_gradient(net.params, "relu", x2, t, h=FINE_STEP)
    fine = dict(zip(again, compute(*(fine[name] for name in again)), strict=True))
    kink = straddling_entries(net, x, h=FINE_STEP)
    results, agree, disagree, left_out = {}, [], [], []
    for name in again:
        keep = ~kink[name]
        if not np.any(keep):
            results[name] = replace(
                diagnosis.parameter(name, diagnosis.numerical[name]),
                reason=f"{UNCHECKED}, with h={FINE_STEP:g} too (a hidden pre-activation is 0 or"
                f" within h of it): {ON_THIS_X}",
                judged=False,
            )
            continue
        check = Diagnosis(
            grads={name: diagnosis.grads[name][keep]},
            numerical={name: fine[name][keep]},
            batch_size=diagnosis.batch_size,
            criterion=diagnosis.criterion,
            tolerance=diagnosis.tolerance,
        ).parameter(name, fine[name][keep])
        if check.passed:
            results[name] = replace(check, shape=fine[name].shape, gradient_shape=fine[name].shape)
            agree.append(name)
            if not np.all(keep):
                left_out.append(f"{int(np.count_nonzero(kink[name]))} of {name}'s")
        else:
            disagree.append(name)
    if agree:
        counts = " and ".join(f"{int(np.count_nonzero(coarse[n]))} of {n}'s" for n in agree)
        figures = "; ".join(f"{p.mean_abs:.2g}" for p in parameters if p.name in agree)
        but = f", leaving out the {' and '.join(left_out)} entries it too moves across the kink"
        they = "they agree" if len(agree) > 1 else "it agrees"
        notes.append(
            f"{', '.join(agree)} disagreed with h={H:g} (mean abs {figures}): moving {counts}"
            " entries by h moves a hidden pre-activation x @ W1 + b1 across ReLU's kink at 0,"
            f" where the central difference is itself wrong. With h={FINE_STEP:g}"
            f" {they} (the figures above{but if left_out else ''}): backprop is right"
        )
    if disagree:
        notes.append(
            f"{', '.join(disagree)} disagree{'' if len(disagree) > 1 else 's'} with"
            f" h={FINE_STEP:g} too, on the entries that this step keeps off ReLU's kink: the kink"
            " does not explain it"
        )
    return tuple(results.get(p.name, p) for p in parameters)


def smaller_step(net, x, t, parameters, diagnosis, notes) -> tuple:
    """Parameters that disagree without a factor to show for it (and not on ReLU's kink,
    which :func:`finer_at_the_kink` judged), again with the step FINE_STEP on every entry, and
    the note that says why they agree then. The central difference's own error, about h**2
    times the loss's third derivative, grows with the gradient (unscaled inputs) and shrinks
    10**4 times with h; a mistake in backprop does not shrink."""
    again = [
        p.name
        for p in parameters
        if not p.passed and p.judged and p.factor is None and p.gradient_shape == p.shape
    ]
    if not again:
        return parameters
    xp = net.backend.xp
    x2 = xp.reshape(x, (x.shape[0], -1))
    fine = batched_numerical_gradient(net.params, net.config["activation"], x2, t, h=FINE_STEP)
    fine = dict(zip(again, compute(*(fine[name] for name in again)), strict=True))
    results, agree = {}, []
    for name in again:
        check = Diagnosis(
            grads={name: diagnosis.grads[name]},
            numerical={name: fine[name]},
            batch_size=diagnosis.batch_size,
            criterion=diagnosis.criterion,
            tolerance=diagnosis.tolerance,
        ).parameter(name, fine[name])
        if check.passed:
            results[name] = check
            agree.append(name)
    if not agree:
        return parameters
    figures = "; ".join(
        f"{p.name}: mean abs {p.mean_abs:.2g}, largest |entry| {p.numerical_max:.3g}"
        for p in parameters
        if p.name in agree
    )
    largest = float(np.max(np.abs(compute(x2)[0])))
    scale = (
        f"; x's largest |value| is {largest:g}: pixels 0..255? The book's"
        " load_mnist(normalize=True) divides them by 255"
        if largest > 10
        else ""
    )
    they = "they agree" if len(agree) > 1 else "it agrees"
    notes.append(
        f"{', '.join(agree)} disagreed with h={H:g} ({figures}) by the central"
        " difference's own error, about h**2 times the loss's third derivative, which grows"
        f" with the gradient{scale}. With h={FINE_STEP:g}, which shrinks that error 10**4"
        f" times, {they} (the figures above): the backprop of {', '.join(agree)} is right"
    )
    return tuple(results.get(p.name, p) for p in parameters)
