"""The book's interface, held to before check_network compares a figure.

:func:`~xpnet.check.check_network` compares gradients only of a net that keeps the book's
contract; what breaks it is said as a problem or an error, not as a wrong parameter:

- ``params``: a non-empty dict of floating-point arrays (:func:`_params_of`, :func:`_dtype_name`:
  "float64", or "float32" when any is), writable in place where the library's arrays are
  (:func:`_write`); x takes the parameters' float64 (:func:`_as_dtype`);
- ``loss(x, t)``: a scalar (:func:`_not_scalar`), read as one (:func:`_scalar`);
- ``gradient(x, t)`` (or ``numerical_gradient``, :data:`METHODS`): a dict keyed like params
  (:func:`_gradients`, which copies it: layers may reuse their arrays);
- neither changes x, t or the parameters (:class:`_Watch`, a with-block around each call).

gradient_check, for xpnet's own TwoLayerNet, holds its net, x and t to the same words
(:func:`check_own_net_arguments`).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..backends import Array, Backend, array_namespace
from ..placement import check_array
from .locating import is_learners_file

__all__ = ["METHODS"]

METHODS = ("gradient", "numerical_gradient")


def _params_of(net: Any, checked: str) -> dict[str, Array]:
    if checked not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {checked!r}")
    name = type(net).__name__
    return book_params(
        net,
        ("loss", checked),
        lambda method: f"a method {method}(x, t), as the book's TwoLayerNet does; {name} has none",
    )


def book_params(
    net: Any, methods: tuple[str, ...], lacking: Callable[[str], str]
) -> dict[str, Array]:
    """A copy of ``net.params`` of a net with the book's ``methods``; a TypeError otherwise,
    "net must have " + ``lacking(method)`` (the caller's words) for a missing method."""
    for method in methods:
        if not callable(getattr(net, method, None)):
            raise TypeError(f"net must have {lacking(method)}")
    params = getattr(net, "params", None)
    if not isinstance(params, dict) or not params:
        raise TypeError(
            f"net.params must be a non-empty dict of parameter name -> array; got "
            f"{type(params).__name__}"
        )
    return dict(params)


def check_own_net_arguments(caller: str, net: Any, x: Array, t: Array) -> None:
    """TypeError naming net, x or t where caller (a check of xpnet's own TwoLayerNet) cannot
    run, in the words of check_network (for net) and of the network's own methods (x and t)."""
    name = type(net).__name__
    params = book_params(
        net,
        ("loss", "gradient", "numerical_gradient"),
        lambda method: f"a method {method}(x, t), as xpnet's TwoLayerNet does; {name} has none",
    )
    if not isinstance(getattr(net, "backend", None), Backend) or not callable(
        getattr(net, "copy", None)
    ):
        raise TypeError(
            f"{caller} checks xpnet's TwoLayerNet (it needs net.backend and"
            f" net.copy(dtype=)); got {name}. Check a network of your own with"
            " xpnet.check_network(net, x, t)"
        )
    param = next(iter(params.values()))
    check_array(x, "x", net.backend, param)
    check_array(t, "t", net.backend, param)


def _write(name: str, p: Array, value: Array) -> None:
    """p[...] = value, or a TypeError naming the parameter when p cannot be written in place."""
    try:
        p[...] = value
    except (TypeError, ValueError, NotImplementedError) as error:
        raise TypeError(
            f"check_network perturbs net.params[{name!r}] in place, as the book's numerical"
            f" gradient does, but this {type(p).__name__} cannot be written in place ({error})."
            " Check the network with NumPy or PyTorch arrays"
        ) from None


def _gradients(grads, params, problems, notes, call) -> dict[str, Array]:
    """The backprop gradients, copied (layers may reuse their arrays), or {} with a problem."""
    if not isinstance(grads, dict):
        problems.append(
            f"{call} must return a dict name -> array like params; got {type(grads).__name__}"
        )
        return {}
    extra = [name for name in grads if name not in params]
    if extra:
        notes.append(f"{call} also returns {', '.join(map(str, extra))}, not in params")
    return {name: _copy(g) if hasattr(g, "shape") else g for name, g in grads.items()}


class _Watch:
    """A with-block that notes a problem when it changed x and t (or the params dict's arrays)."""

    def __init__(self, x, t, call: str, problems: list[str]) -> None:
        self.call, self.problems, self.params = call, problems, isinstance(x, dict)
        self.items = x.items() if self.params else (("x", x), ("t", t))
        self.saved = [(name, a, _copy(a)) for name, a in self.items if hasattr(a, "shape")]

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            return
        for name, a, copy in self.saved:
            if not _equal(a, copy):
                self.problems.append(
                    f"{self.call} changes params[{name!r}]: computing a gradient must not"
                    " update the parameters (the optimizer does that)"
                    if self.params
                    else f"{self.call} changes {name} in place: work on a copy (x = x - m,"
                    f" not x -= m), or every later call sees other data"
                )


def _equal(a, b) -> bool:
    xp = array_namespace(b)
    return tuple(a.shape) == tuple(b.shape) and bool(xp.all((a == b) | (a != a)))


def _copy(a: Array) -> Array:
    return array_namespace(a).asarray(a, copy=True)


def _not_scalar(loss, again: Callable[[], Any] | None = None) -> str:
    """The problem of a loss that is no scalar; "" for a scalar. ``again``: loss(x, t) called
    once more, to find the learner's function whose None it returns."""
    if loss is None:
        culprit = _none_from(again) if again is not None else ""
        if culprit:
            return (
                f"loss(x, t) returns None, what {culprit} returned: a return statement missing"
                " there?"
            )
        return "loss(x, t) returns None: it must return the loss (a return statement missing?)"
    if isinstance(loss, int | float):
        return ""
    shape = tuple(getattr(loss, "shape", ()))
    if math.prod(shape) != 1:
        return (
            f"loss(x, t) must return a scalar; got shape {shape}: one value per sample?"
            " Take the mean over the batch"
        )
    return ""


def _none_from(call: Callable[[], Any]) -> str:
    """ "cross_entropy_error (functions.py, line 97)": the last function of the learner's files
    that returned None to the function ``call`` runs (loss), as it runs once more; "" where
    none did (the loss itself has no return)."""
    outer, found = None, []

    def profile(frame, event, arg):
        nonlocal outer
        if event == "call" and outer is None and is_learners_file(frame.f_code.co_filename):
            outer = frame  # the learner's loss
        elif event == "return" and arg is None and frame.f_back is outer and outer is not None:
            code = frame.f_code
            if is_learners_file(code.co_filename):
                found.append(f"{code.co_name} ({Path(code.co_filename).name}, line"
                             f" {code.co_firstlineno})")  # fmt: skip

    sys.setprofile(profile)
    try:
        call()
    except Exception:
        return ""
    finally:
        sys.setprofile(None)
    return found[-1] if found else ""


def _scalar(loss):
    return loss if isinstance(loss, int | float) else array_namespace(loss).reshape(loss, ())


def _dtype_name(params: dict[str, Array]) -> str:
    names = set()
    for name, p in params.items():
        xp = array_namespace(p)
        if not xp.isdtype(p.dtype, "real floating"):
            raise TypeError(
                f"net.params[{name!r}] must be a floating-point array; got dtype {p.dtype}."
                " Build the parameters with floats (the book: weight_init_std * randn)"
            )
        names.add("float64" if p.dtype == xp.float64 else "float32")
    return "float32" if "float32" in names else "float64"


def _as_dtype(x: Array, param: Array) -> Array:
    """x in float64 when the parameters are float64 and x is floating-point; else x as it is."""
    xp = array_namespace(x)
    if xp.isdtype(x.dtype, "real floating") and param.dtype == array_namespace(param).float64:
        return xp.astype(x, xp.float64)
    return x
