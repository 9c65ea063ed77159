"""The `backend` / `xp` fixtures: every array test runs on every importable backend.

XPNET_BACKEND (set by each nox session) narrows the list: a backend name ("torch": its CPU and, on
a machine with a GPU, its CUDA device) or candidate ids ("torch-cuda", "cupy-cuda"), commas
between several. What the session names must run: a named backend that cannot run here (not
installed, no usable GPU) stops the session at once with one line, never a run of skips. Backends
nobody named are skipped where they cannot run. array-api-strict runs on its default device and
on "device1", so a missing ``device=`` fails here on a laptop.

tests/README.md: how the tests are laid out, their markers (skip_lazy, slow), and the fast part
of the suite, ``pytest -m "not slow"``.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import warnings

import numpy as np
import pytest

from xpnet.backends import Backend, DeviceUnavailableError, Float64Notice, get_backend, to_numpy

collect_ignore = ["learner"]  # a learner's own files, loaded by tests/check/test_learner.py

CANDIDATES = [
    ("numpy", "cpu"),
    ("array_api_strict", "cpu"),
    ("array_api_strict", "device1"),
    ("torch", "cpu"),
    ("torch", "cuda"),
    ("cupy", "cuda"),
    ("jax", "cpu"),
    ("jax", "cuda"),
    ("dask", "cpu"),
]


# What cannot run on lazy arrays (Dask), and why: a test says so on itself with
# ``@pytest.mark.skip_lazy(reason=IN_PLACE)`` (a whole module with ``pytestmark = ...``), and
# pytest_collection_modifyitems skips it where it runs on a lazy backend. Every other array test
# runs on Dask too; tests/backends/test_dask.py checks each refusal and what Dask does instead.
IN_PLACE = (
    "numerical_gradient(f, x) perturbs x in place, which xpnet refuses for a Dask x (every write"
    " grows its task graph); test_dask.py checks the refusal, and backprop against NumPy"
)
TRAINING = "mini-batch SGD refuses Dask networks (test_dask.py checks the refusal)"
LAZY = ("dask",)


def pytest_collection_modifyitems(config, items):
    """Skip, saying why, the tests marked skip_lazy where they run on a lazy backend."""
    for item in items:
        marker = item.get_closest_marker("skip_lazy")
        if marker is None:
            continue
        if not marker.kwargs.get("reason") or marker.args:
            raise pytest.UsageError(
                f"{item.nodeid}: give skip_lazy its reason as a keyword, e.g."
                " @pytest.mark.skip_lazy(reason=IN_PLACE)"
            )
        param = getattr(getattr(item, "callspec", None), "params", {}).get("backend")
        if param and param[0] in LAZY:
            item.add_marker(pytest.mark.skip(reason=f"{param[0]}: {marker.kwargs['reason']}"))


def _id(name: str, device: str) -> str:
    return f"{name}-{device}"


def selected() -> list[tuple[str, str, bool]]:
    """(backend, device, required) for each candidate XPNET_BACKEND selects. Naming a backend
    requires its first candidate (torch: the CPU) and takes its others where they can run."""
    wanted = [w.strip() for w in os.environ.get("XPNET_BACKEND", "").split(",") if w.strip()]
    chosen = []
    for name, device in CANDIDATES:
        if not wanted:
            chosen.append((name, device, False))
        elif _id(name, device) in wanted:
            chosen.append((name, device, True))
        elif name in wanted:
            first = not any(c[0] == name for c in chosen)
            chosen.append((name, device, first))
    known = {n for n, _ in CANDIDATES} | {_id(*c) for c in CANDIDATES}
    unknown = [w for w in wanted if w not in known]
    if unknown or (wanted and not chosen):
        raise pytest.UsageError(
            f"XPNET_BACKEND={','.join(wanted)} names no backend of {', '.join(sorted(known))}"
        )
    return chosen


def pytest_configure(config):
    """Stop the session at once when a backend it names cannot run here (DESIGN.md, 11)."""
    for name, device, required in selected():
        if not required:
            continue
        try:
            with warnings.catch_warnings():  # the suite turns on JAX's float64 quietly
                warnings.simplefilter("ignore", Float64Notice)
                get_backend(device, backend=name)
        except DeviceUnavailableError as error:
            raise pytest.UsageError(
                f"XPNET_BACKEND={os.environ['XPNET_BACKEND']} asks for {_id(name, device)},"
                f" which cannot run here: {error}"
            ) from None


def _params():
    try:
        chosen = selected()
    except pytest.UsageError:
        return []  # pytest_configure reports it, in one line
    params = []
    for name, device, required in chosen:
        marks = []
        if not required and name != "numpy" and importlib.util.find_spec(name) is None:
            marks.append(pytest.mark.skip(reason=f"{name} is not installed"))
        params.append(pytest.param((name, device), id=_id(name, device), marks=marks))
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


@pytest.fixture(autouse=True, scope="session")
def _sigint_as_in_a_terminal():
    """The tests run as under a terminal: Python's own SIGINT handler, even where pytest was
    started with SIGINT ignored (nohup, a background job of a non-interactive shell, which its
    subprocesses would inherit). The ignored case is tested on purpose: ``sigint_before``."""
    saved = signal.getsignal(signal.SIGINT)
    if saved == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    if saved == signal.SIG_IGN:
        signal.signal(signal.SIGINT, saved)


@pytest.fixture(params=["python's handler", "ignored"])
def sigint_before(request):
    """SIGINT's disposition before training: Python's own handler, or ignored (as under nohup
    or in a background job of a non-interactive shell); put back afterwards."""
    wanted = signal.default_int_handler if request.param == "python's handler" else signal.SIG_IGN
    saved = signal.signal(signal.SIGINT, wanted)
    yield wanted
    signal.signal(signal.SIGINT, saved)


def assert_close(actual, expected, *, rtol=1e-7, atol=0.0):
    """Compare an array of any backend with host data."""
    if not isinstance(expected, (list, tuple, float, int, np.ndarray)):
        expected = to_numpy(expected)
    np.testing.assert_allclose(to_numpy(actual), expected, rtol=rtol, atol=atol)


def assert_on(result, backend: Backend, dtype=None):
    """result lives in backend's namespace and on its device (and has dtype, if given)."""
    from array_api_compat import array_namespace
    from array_api_compat import device as device_of

    from xpnet.backends import namespace_name

    assert namespace_name(array_namespace(result)) == backend.name
    assert device_of(result) == backend.device
    if dtype is not None:
        assert result.dtype == dtype
