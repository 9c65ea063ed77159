"""The `backend` / `xp` fixtures: every array test runs on every importable backend.

XPNET_BACKEND (set by each nox session) narrows the list to one backend name. array-api-strict
runs on its default device and on "device1", so a missing ``device=`` fails here on a laptop.
CuPy runs only where a GPU is usable.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from xpnet.backend import Backend, DeviceUnavailableError, get_backend, to_numpy

CANDIDATES = [
    ("numpy", "cpu"),
    ("array_api_strict", "cpu"),
    ("array_api_strict", "device1"),
    ("torch", "cpu"),
    ("cupy", "cuda"),
]


def _params():
    wanted = os.environ.get("XPNET_BACKEND")
    params = []
    for name, device in CANDIDATES:
        if wanted and name != wanted:
            continue
        marks = []
        if name != "numpy" and importlib.util.find_spec(name) is None:
            marks.append(pytest.mark.skip(reason=f"{name} is not installed"))
        params.append(pytest.param((name, device), id=f"{name}-{device}", marks=marks))
    if not params:
        raise pytest.UsageError(f"XPNET_BACKEND={wanted!r} names no backend of {CANDIDATES}")
    return params


@pytest.fixture(params=_params())
def backend(request) -> Backend:
    name, device = request.param
    try:
        return get_backend(device, backend=name)
    except DeviceUnavailableError as error:
        pytest.skip(str(error))


@pytest.fixture
def xp(backend):
    return backend.xp


def assert_close(actual, expected, *, rtol=1e-7, atol=0.0):
    """Compare an array of any backend with host data."""
    if not isinstance(expected, (list, tuple, float, int, np.ndarray)):
        expected = to_numpy(expected)
    np.testing.assert_allclose(to_numpy(actual), expected, rtol=rtol, atol=atol)


def assert_on(result, backend: Backend, dtype=None):
    """result lives in backend's namespace and on its device (and has dtype, if given)."""
    from array_api_compat import array_namespace
    from array_api_compat import device as device_of

    from xpnet.backend import namespace_name

    assert namespace_name(array_namespace(result)) == backend.name
    assert device_of(result) == backend.device
    if dtype is not None:
        assert result.dtype == dtype
