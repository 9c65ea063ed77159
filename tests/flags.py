"""The suite's Backend as command-line flags, for the tests that run `xpnet` and the examples.

conftest.py's `backend` fixture follows XPNET_BACKEND; a test that starts a command hands it
``cli_flags(backend)``, so the command runs where the session does (a GPU session included).
"""

from __future__ import annotations

from xpnet.backends import Backend, get_backend

STRICT_DEVICES = ("cpu", "device1", "device2")


def device_flag(backend: Backend) -> str:
    """The --device text that get_backend(text, backend=backend.name) turns back into
    backend.device: "cpu", "device1" (array-api-strict's other devices) or "cuda:N"."""
    if backend.name in ("numpy", "dask"):
        return "cpu"
    if backend.name == "array_api_strict":
        for name in STRICT_DEVICES:
            if get_backend(name, backend="array_api_strict").device == backend.device:
                return name
    elif backend.name == "torch":
        if backend.device.type == "cpu":
            return "cpu"
        if backend.device.type == "cuda":
            index = backend.device.index
            if index is None:  # torch.device("cuda"): the current device
                import torch

                index = torch.cuda.current_device()
            return f"cuda:{index}"
    elif backend.name == "cupy":
        return f"cuda:{backend.device.id}"
    elif backend.name == "jax":
        return "cpu" if backend.device.platform == "cpu" else f"cuda:{backend.device.id}"
    raise ValueError(f"no --device flag for {backend}")


def cli_flags(backend: Backend) -> list[str]:
    """["--backend", name, "--device", device] for `xpnet train`, `xpnet gradcheck` and the
    examples."""
    return ["--backend", backend.name, "--device", device_flag(backend)]
