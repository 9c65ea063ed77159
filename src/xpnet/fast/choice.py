"""Which step a Trainer runs: the eager reference step, or one of its backend's fast paths.

``Trainer(..., step=...)`` asks :func:`choose`:

- ``"eager"``: the Array API reference step (:func:`xpnet.step.training_step`, op by op);
- a fast path's name (:data:`PATHS`): that path, built now, or :class:`FastPathUnavailable`
  saying in one line why it cannot be built here;
- ``"auto"``: the first path of :func:`auto_paths` for the net's backend and device that can be
  built here, else the eager step; the reason the others could not is kept.

A fast path runs the steps between two log points of an epoch as one call, ``run(i0, i1) ->
the iteration reached`` (earlier than i1 only when Ctrl-C asked it to stop), and equals the
eager step to rounding (tests/fast/). It asks the Backend only its public attributes (name, xp,
device, compiles, compile); each library's path lives in its own module, imported only here.
"""

from __future__ import annotations

import warnings

from ..errors import Use
from .path import FastPath, FastPathUnavailable, FastPathWarning

__all__ = [
    "PATHS",
    "STEPS",
    "FastPath",
    "FastPathUnavailable",
    "FastPathWarning",
    "auto_paths",
    "build",
    "choose",
]

PATHS = ("jax-scan", "torch-graph", "cupy-graph", "cupy-fused")
STEPS = ("auto", "eager", *PATHS)


def auto_paths(backend) -> tuple[tuple[str, ...], str]:
    """(the paths step="auto" tries for backend, fastest first; why the eager step where none).

    From the measurements in BENCHMARKS.md ("Fast paths"): on the CPU, JAX's scan beats JAX's
    eager step by far (one XLA program for the steps between log points instead of ~35
    dispatches a step); NumPy, array-api-strict and torch on the CPU have no path faster than
    their eager step, whose calls already run straight into BLAS.

    The backend's library answers (``fast_paths_on``): JAX "jax-scan" on any device, torch
    "torch-graph" on a CUDA GPU, CuPy "cupy-graph" then "cupy-fused"; NumPy,
    array-api-strict, torch on the CPU and Dask none.

    Parameters
    ----------
    backend : Backend
        The network's backend (``net.backend``): its library and device decide.

    Returns
    -------
    paths : tuple of str
        Names from :data:`PATHS`, fastest first; empty where the eager step is the fastest.
    reason : str
        Why the eager step runs where paths is empty; "" otherwise.

    Examples
    --------
    >>> import xpnet
    >>> auto_paths(xpnet.get_backend("cpu", backend="numpy"))
    ((), 'numpy has no faster step than its eager one')
    """
    return backend.library.fast_paths_on(backend.device)


def _requirements(trainer) -> str:
    """Why no fast path can run this trainer's step ("" when one may)."""
    from ..nets import TwoLayerNet
    from ..optim import SGD

    if trainer.grad != "backprop":
        return "the numerical gradient runs eagerly (its index search has data-dependent shapes)"
    if type(trainer.optimizer) is not SGD:
        return f"only SGD's update is fused, not {type(trainer.optimizer).__name__}'s"
    if not isinstance(trainer.net, TwoLayerNet):
        return f"the fast paths build on TwoLayerNet's layers, not {type(trainer.net).__name__}'s"
    return ""


def build(name: str, trainer) -> FastPath:
    """The fast path ``name`` for trainer, built now (compiled or captured where it is built
    before the first step). Raises FastPathUnavailable with the one-line reason.

    Parameters
    ----------
    name : str
        One of :data:`PATHS` ("jax-scan", "torch-graph", "cupy-graph", "cupy-fused").
    trainer : Trainer
        The trainer whose step the path runs: its net, data, optimizer and loss buffer. Every
        path needs grad "backprop", xpnet's :class:`~xpnet.SGD` and a
        :class:`~xpnet.TwoLayerNet`.

    Returns
    -------
    FastPath
        The path, ready to ``run(i0, i1)``.

    Raises
    ------
    ValueError
        When name is none of :data:`PATHS`.
    FastPathUnavailable
        When the path cannot run this trainer's step (another grad, optimizer or network) or
        on its backend and device (a JAX path for a NumPy net, a CUDA graph without a GPU);
        its ``reason`` says which.

    Examples
    --------
    >>> import numpy as np, xpnet
    >>> x, t = np.random.default_rng(0).random((8, 4)), np.array([0, 1] * 4)
    >>> trainer = xpnet.Trainer(xpnet.TwoLayerNet(4, 3, 2, seed=0), (x, t), (x, t),
    ...                         batch_size=4, step="eager")
    >>> try:
    ...     build("jax-scan", trainer)
    ... except xpnet.fast.FastPathUnavailable as error:
    ...     print(error.reason)
    it needs a JAX network; this one is on numpy
    """
    if name not in PATHS:
        raise ValueError(f"step must be one of {', '.join(STEPS)}; got {name!r}")
    reason = _requirements(trainer)
    if reason:
        raise FastPathUnavailable(name, reason)
    if name == "jax-scan":
        from ._jax import ScanPath as path
    elif name == "torch-graph":
        from ._torch import GraphPath as path
    elif name == "cupy-fused":
        from ._cupy import FusedPath as path
    else:
        from ._cupy import GraphPath as path
    return path(trainer)


def choose(trainer, step: str) -> tuple[FastPath | None, str, str]:
    """(the fast path or None for the eager step, the name of the step in use, why not faster).

    A named path is built or raises; "auto" tries auto_paths() in order and falls back to the
    eager step. A path that fails with anything but FastPathUnavailable (a capture the
    library refused, say) is named in a FastPathWarning, and the next one is tried.

    Parameters
    ----------
    trainer : Trainer
        The trainer whose step is chosen (its net's backend and device, grad and optimizer).
    step : str
        One of :data:`STEPS`: "auto", "eager" or a path's name (what ``Trainer(step=...)``
        was given).

    Returns
    -------
    path : FastPath or None
        The path built, or None for the eager step (:func:`xpnet.step.training_step`).
    name : str
        The name of the step in use: a path's name or "eager".
    reason : str
        Why no faster step runs: the reasons the paths tried could not be built, or why none
        was tried; "" when the fastest path for the backend runs.

    Raises
    ------
    ValueError
        When step is none of :data:`STEPS`.
    FastPathUnavailable
        When step names a path that cannot be built here (see :func:`build`); "auto" never
        raises it.

    Warns
    -----
    FastPathWarning
        step "auto": a path failed to build with another error; the next one is tried.

    Examples
    --------
    >>> import numpy as np, xpnet
    >>> x, t = np.random.default_rng(0).random((8, 4)), np.array([0, 1] * 4)
    >>> trainer = xpnet.Trainer(xpnet.TwoLayerNet(4, 3, 2, seed=0), (x, t), (x, t),
    ...                         batch_size=4, step="eager")
    >>> choose(trainer, "auto")
    (None, 'eager', 'numpy has no faster step than its eager one')
    >>> choose(trainer, "eager")
    (None, 'eager', "step='eager' asks for the reference step")
    """
    if step not in STEPS:
        raise ValueError(f"step must be one of {', '.join(STEPS)}; got {step!r}")
    if step == "eager":
        return None, "eager", "step='eager' asks for the reference step"
    if step != "auto":
        return build(step, trainer), step, ""
    names, reason = auto_paths(trainer.net.backend)
    reason = _requirements(trainer) or reason
    if reason:
        return None, "eager", reason
    reasons = []
    for name in names:
        try:
            return build(name, trainer), name, "; ".join(reasons)
        except FastPathUnavailable as error:
            reasons.append(f"{name}: {error.reason}")
        except Exception as error:  # a library's refusal the path could not foresee
            reasons.append(f"{name} failed: {_one_line(error)}")
            warnings.warn(
                FastPathWarning(
                    "{step} failed to build ({error}); trying the next step",
                    step=Use("step", name),
                    error=_one_line(error),
                ),
                stacklevel=3,
            )
    return None, "eager", "; ".join(reasons)


def _one_line(error: Exception) -> str:
    """``Type: message``, the message cut to its first line that says something (a compiler's
    error can carry its whole log), so the header and the warning stay one line each."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = (lines[0] + (" ..." if len(lines) > 1 else "")) if lines else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
