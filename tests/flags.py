"""The suite's Backend as command-line flags, for the tests that run `xpnet` and the examples.

conftest.py's `backend` fixture follows XPNET_BACKEND; a test that starts a command hands it
``cli_flags(backend)``, so the command runs where the session does (a GPU session included).
"""

from __future__ import annotations

from xpnet.backends import Backend


def device_flag(backend: Backend) -> str:
    """The --device text that get_backend(text, backend=backend.name) turns back into
    backend.device: "cpu", "device1" (array-api-strict's other devices) or "cuda:N"."""
    return backend.device_text


def cli_flags(backend: Backend) -> list[str]:
    """["--backend", name, "--device", device] for `xpnet train`, `xpnet gradcheck` and the
    examples."""
    return ["--backend", backend.name, "--device", device_flag(backend)]
