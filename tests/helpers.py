"""Helpers that the test files of several modules share.

The fixtures and the assert_* checks are in conftest.py; the command-line flags of the session's
backend in flags.py; what the CLI tests share in cli/commands.py.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

import xpnet
from xpnet.backends import get_backend, namespace_name
from xpnet.checkpoint import save_checkpoint

# -- a small TwoLayerNet and a batch for it (test_two_layer_net, test_numgrad) -------------------


KEYS = ["W1", "b1", "W2", "b2"]


def make_net(backend, *sizes, **options):
    return xpnet.TwoLayerNet(*sizes, xp=backend.xp, device=backend.device, **options)


def batch(backend, N=6, D=7, C=4, seed=1, scale=1.0):
    rng = np.random.default_rng(seed)
    return backend.asarray(rng.normal(size=(N, D)) * scale), backend.asarray(rng.integers(0, C, N))


# -- where the data lives (test_functions, test_two_layer_net) -----------------------------------


def on_host(xp) -> bool:
    """Whether xpnet reads labels of this namespace (NumPy's only: host data)."""
    return namespace_name(xp) == "numpy"


def strict(device):
    pytest.importorskip("array_api_strict")
    return get_backend(device, backend="array_api_strict")


# -- a checkpoint file (test_checkpoint, cli/test_settings) --------------------------------------


def _checkpoint(tmp_path) -> Path:
    return save_checkpoint(tmp_path / "c.npz", xpnet.TwoLayerNet(6, 4, 3, seed=0))


# -- Ctrl-C, pressed from inside a step (test_train, cli/test_train) ------------------------------


def press_ctrl_c() -> None:
    """Send SIGINT to this process; return once its Python handler has run (or raise from it)."""
    handler = signal.getsignal(signal.SIGINT)
    os.kill(os.getpid(), signal.SIGINT)
    deadline = time.monotonic() + 5.0
    while signal.getsignal(signal.SIGINT) is handler and time.monotonic() < deadline:
        time.sleep(0.001)  # CPython runs handlers between bytecodes: at the latest, here


def pressing_ctrl_c_in_step(step: int, presses: int, seen: list):
    """A TwoLayerNet._loss_and_gradient (what the Trainer's step calls) that presses Ctrl-C
    `presses` times inside call `step`."""
    real = xpnet.TwoLayerNet._loss_and_gradient

    def loss_and_gradient(net, x, t):
        seen.append("step")
        if len(seen) == step:
            for press in range(presses):
                press_ctrl_c()
                seen.append(f"after press {press + 1}")
        return real(net, x, t)

    return loss_and_gradient
