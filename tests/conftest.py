"""The `backend` / `xp` fixtures: every array test runs on every importable backend.

XPNET_BACKEND (set by each nox session) narrows the list: a backend name ("torch": its CPU and, on
a machine with a GPU, its CUDA device) or candidate ids ("torch-cuda", "cupy-cuda"), commas
between several. What the session names must run: a named backend that cannot run here (not
installed, no usable GPU) stops the session at once with one line, never a run of skips. Backends
nobody named are skipped where they cannot run. array-api-strict runs on its default device and
on "device1", so a missing ``device=`` fails here on a laptop.
"""

from __future__ import annotations

import importlib.util
import os
import warnings

import numpy as np
import pytest

from xpnet.backends import Backend, DeviceUnavailableError, Float64Notice, get_backend, to_numpy

collect_ignore = ["learner"]  # a learner's own files, loaded by tests/test_learner.py

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


# What cannot apply to lazy arrays (Dask), by test module or test function, and why. Every other
# array test runs on Dask too; tests/test_dask.py checks each refusal and what Dask does instead.
IN_PLACE = (
    "numerical_gradient(f, x) perturbs x in place, which xpnet refuses for a Dask x (every write"
    " grows its task graph); test_dask.py checks the refusal, and backprop against NumPy"
)
TRAINING = "mini-batch SGD refuses Dask networks (test_dask.py checks the refusal)"
LAZY_SKIPS = {
    "test_gradient.py": IN_PLACE,
    "test_mul_and_add_layers_backward": IN_PLACE,
    "test_relu_backward_matches_numerical_gradient": IN_PLACE,
    "test_sigmoid_backward_matches_numerical_gradient": IN_PLACE,
    "test_affine_backward_matches_numerical_gradient": IN_PLACE,
    "test_softmax_with_loss_backward_matches_numerical_gradient": IN_PLACE,
    "test_mul_and_add_layers_backward_match_numerical_gradient": IN_PLACE,
    "test_numerical_gradient_of_a_quadratic_form_is_exact": IN_PLACE,
    "test_simple_net_reproduces_the_book": IN_PLACE,
    "test_batched_numerical_gradient_equals_the_loop": IN_PLACE + " (the loop is the oracle)",
    "test_batched_numerical_gradient_with_zeros_repeats_and_small_blocks": IN_PLACE,
    "test_numerical_gradient_restores_x_after_ctrl_c": IN_PLACE,
    "test_train.py": TRAINING,
    "test_runs.py": TRAINING,
    "test_check_broken_network_prints_numpys_report_on_other_backends": IN_PLACE,
    "test_bad_training_data_of_any_backend_is_named": TRAINING + ", before it reads the data",
    "test_divergence_names_the_first_non_finite_iteration": TRAINING,
    "test_learning_rate_1000_stays_finite_at_chance_and_warns": TRAINING,
    "test_healthy_run_never_warns_on_any_backend": TRAINING,
    "test_train_writes_every_file": TRAINING,
    "test_resume_continues_to_the_same_result": TRAINING,
    "test_divergence_exits_1_and_keeps_the_files": TRAINING,
    "test_train_two_layer_net_learns_and_plots": TRAINING,
    "test_simple_net_random_W_is_seeded": IN_PLACE,
    "test_array_generic_keeps_the_callers_library_and_device": IN_PLACE,
    "test_example_prints_numpys_numbers_on_other_backends": IN_PLACE,
    "test_numerical_gradient_says_f_must_return_a_scalar": IN_PLACE,
    "test_numerical_gradient_takes_a_one_element_result": IN_PLACE,
    "test_xpnets_own_network_passes_on_every_backend": IN_PLACE + " (in check_network)",
}
LAZY = ("dask",)


def pytest_collection_modifyitems(config, items):
    """Skip, saying why, the tests of LAZY_SKIPS on a lazy backend."""
    for item in items:
        param = getattr(getattr(item, "callspec", None), "params", {}).get("backend")
        if not param or param[0] not in LAZY:
            continue
        reason = LAZY_SKIPS.get(item.originalname) or LAZY_SKIPS.get(item.path.name)
        if reason:
            item.add_marker(pytest.mark.skip(reason=f"{param[0]}: {reason}"))


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
