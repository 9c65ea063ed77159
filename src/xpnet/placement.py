"""Where a network's arrays live: the Backend its arguments name, and the checks that its
parameters and every input are arrays of that library, on that device.

The checks read metadata only (library, device), never values, so they cost no GPU sync; the
networks' public methods run them first, and Trainer.run once.
"""

from __future__ import annotations

from typing import Any

from array_api_compat import device as device_of

from .backends import BACKENDS, Array, Backend, array_namespace, get_backend, library_for
from .errors import Arg, XpnetTypeError

__all__ = ["backend_for", "check_array", "check_params"]


def check_array(a: Any, name: str, backend: Backend, param: Array) -> None:
    """Raise unless a is an array of backend's library on the device of param (one of the net's
    parameters). name: the argument's name, for the message. Reads metadata only: no GPU sync."""
    want = backend.library
    try:
        if array_namespace(a) is backend.xp and device_of(a) == backend.device:
            return  # the common case, answered without a library lookup
    except TypeError:
        pass
    got = library_for(a)
    if got is None:
        raise TypeError(
            f"{name} must be {want.array_kind[0]}; got {type(a).__name__}."
            f" Move it with {name} = net.backend.asarray({name})"
        )
    if got is not want:
        raise TypeError(
            f"{name} is {got.array_kind[0]} but the network's parameters are"
            f" {want.array_kind[1]}; create the net with xp=... / device=... or move {name}"
            " with net.backend.asarray"
        )
    here = device_of(param)
    if device_of(a) != here:
        raise ValueError(
            f"{name} is on device {device_of(a)} but the network's parameters are on {here};"
            f" move {name} there first: array_api_compat.to_device({name}, net.backend.device)"
        )


def backend_for(caller: str, backend: Backend | None, xp: Any, device: Any) -> Backend:
    """The Backend a network's arguments name: backend= as it is, else get_backend(device, xp=xp).

    Raises
    ------
    TypeError
        When backend= comes with xp= or device=, or is no Backend.
    """
    if backend is None:
        return get_backend(device, xp=xp)
    if xp is not None or device is not None:
        given = [key for key, value in (("xp", xp), ("device", device)) if value is not None]
        raise XpnetTypeError(
            "{caller}: got {backend}= and {given}; give either {backend}= (a Backend) or"
            " {xp}=/{device}=, not both",
            caller=caller,
            backend=Arg("backend"),
            xp=Arg("xp"),
            device=Arg("device"),
            given=" and ".join(f"{key}=" for key in given),
        )
    if not isinstance(backend, Backend):
        example = f"'cpu', backend={backend!r}" if backend in BACKENDS else "'cpu'"
        raise XpnetTypeError(
            "{caller}: {backend} must be a Backend, such as xpnet.get_backend({example}); got"
            " {got!r}",
            caller=caller,
            backend=Arg("backend"),
            example=example,
            got=backend,
        )
    return backend


def check_params(params: dict, backend: Backend) -> None:
    """Check that every parameter is an array of backend's library, on one device.

    Reads metadata only: no GPU sync. The nets' public methods and Trainer.run call it.

    Parameters
    ----------
    params : dict
        The net's parameters, name -> array (``net.params``).
    backend : Backend
        The net's backend (``net.backend``).

    Raises
    ------
    TypeError
        Naming a parameter that is no array of backend's library (one replaced by another
        library's array, or by a list), its library and the fix.
    ValueError
        Naming a parameter on another device than the first parameter.

    Examples
    --------
    >>> from xpnet import TwoLayerNet
    >>> net = TwoLayerNet(6, 4, 3)
    >>> net.params["W2"] = [[0.0] * 3] * 4
    >>> check_params(net.params, net.backend)
    Traceback (most recent call last):
    TypeError: net.params['W2'] is a list, not an array of the network's library (numpy arrays); put it back with net.params['W2'] = net.backend.asarray(value)
    """  # noqa: E501
    want, here = backend.library.array_kind[1], None
    for name, value in params.items():
        fix = f"put it back with net.params[{name!r}] = net.backend.asarray(value)"
        got = library_for(value)
        if got is None:
            raise TypeError(
                f"net.params[{name!r}] is {_a(type(value).__name__)}, not an array of the"
                f" network's library ({want}); {fix}"
            )
        if got is not backend.library:
            raise TypeError(
                f"net.params[{name!r}] is {got.array_kind[0]} but the network's other"
                f" parameters are {want}; {fix}, or build the net on {got.name}"
                " (xp=... / device=...)"
            )
        here = device_of(value) if here is None else here
        if device_of(value) != here:
            raise ValueError(
                f"net.params[{name!r}] is on device {device_of(value)} but the network's"
                f" parameters are on {here}; {fix}"
            )


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"
