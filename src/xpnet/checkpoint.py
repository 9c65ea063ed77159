"""Checkpoints: a network's parameters and a training run's state, as data, never code.

A checkpoint is an ``.npz`` file holding host NumPy arrays (``params/W1`` ..., ``history/...``)
and one JSON document (``meta``: the network's configuration, the run's settings, the iteration
count and the host random generator's state). It is written atomically (a temporary file in the
same folder, then a rename), so a failure while writing leaves the previous good file in place,
and read with ``allow_pickle=False`` and checked: format, names, shapes and dtypes.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .backends import to_numpy

__all__ = ["Checkpoint", "CheckpointError", "load_checkpoint", "save_checkpoint"]

FORMAT = "xpnet-checkpoint/1"
PARAM_DTYPES = ("float32", "float64")


class CheckpointError(ValueError):
    """A file that is not a usable xpnet checkpoint (corrupt, foreign, or for another net)."""


@dataclass
class Checkpoint:
    """What a checkpoint holds, on the host.

    net: TwoLayerNet's configuration (its ``config``); params: name -> NumPy array;
    state: the run's JSON state (settings, iteration, RNG state); arrays: other named arrays
    (the per-step losses and per-epoch accuracies).
    """

    net: dict
    params: dict[str, np.ndarray]
    state: dict = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


def save_checkpoint(
    path: str | os.PathLike,
    net,
    *,
    state: dict | None = None,
    arrays: dict[str, Any] | None = None,
) -> Path:
    """Write net's parameters (and a run's state) to path atomically. Returns the path.

    net: anything with ``config`` (a JSON-able dict) and ``params`` (name -> array of any backend).
    """
    path = Path(path)
    contents = {f"params/{name}": to_numpy(value) for name, value in net.params.items()}
    for name, value in (arrays or {}).items():
        contents[f"arrays/{name}"] = np.asarray(value)
    meta = {"format": FORMAT, "net": net.config, "state": state or {}}
    contents["meta"] = np.array(json.dumps(meta))
    atomic_write(path, lambda handle: np.savez(handle, **contents))
    return path


def atomic_write(path: Path, write) -> None:
    """Call write(handle) on a temporary file beside path, then rename it over path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Read and check a checkpoint written by save_checkpoint. Raises CheckpointError."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {str(path)!r} does not exist")
    if not zipfile.is_zipfile(path):
        raise CheckpointError(
            f"{path} is not a readable checkpoint (truncated or not an .npz file)"
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            contents = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        if "pickle" in str(error):  # an object array: loading it would need pickle
            raise CheckpointError(
                f"{path} holds an object array, which xpnet never loads (it could run code)"
            ) from None
        raise CheckpointError(
            f"{path} is not a readable checkpoint (truncated or not an .npz file: {error})"
        ) from None
    try:
        meta = json.loads(str(contents.pop("meta")))
    except (KeyError, json.JSONDecodeError):
        raise CheckpointError(f"{path} is an .npz file but not an xpnet checkpoint") from None
    if not isinstance(meta, dict):
        raise CheckpointError(
            f"{path} is an .npz file but not an xpnet checkpoint (its meta is JSON "
            f"{type(meta).__name__}, not an object)"
        )
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{path} has format {meta.get('format')!r}; expected {FORMAT!r}")
    for key in ("net", "state"):
        if not isinstance(meta.get(key, {}), dict):
            raise CheckpointError(
                f"{path} is damaged: its meta {key!r} is {type(meta.get(key)).__name__}, "
                "expected a JSON object"
            )
    if "net" not in meta:
        raise CheckpointError(f"{path} is damaged: its meta has no 'net' configuration")
    params = {k.removeprefix("params/"): v for k, v in contents.items() if k.startswith("params/")}
    arrays = {k.removeprefix("arrays/"): v for k, v in contents.items() if k.startswith("arrays/")}
    for name, value in params.items():
        if value.dtype.name not in PARAM_DTYPES:
            raise CheckpointError(
                f"{path}: parameter {name} has dtype {value.dtype}; expected float32 or float64"
            )
        bad = int(value.size - np.count_nonzero(np.isfinite(value)))
        if bad:
            raise CheckpointError(
                f"{path}: parameter {name} holds {bad} NaN or infinite values of {value.size}, so "
                "it cannot be loaded (a run that diverged); use an earlier checkpoint, or train "
                "again with a smaller learning rate"
            )
    return Checkpoint(net=meta["net"], params=params, state=meta.get("state", {}), arrays=arrays)


def check_params_fit(checkpoint: Checkpoint, net, *, path: Any = "checkpoint") -> None:
    """Raise CheckpointError unless the checkpoint's parameters have the net's names and shapes."""
    expected = {name: tuple(value.shape) for name, value in net.params.items()}
    got = {name: tuple(value.shape) for name, value in checkpoint.params.items()}
    if set(expected) != set(got):
        raise CheckpointError(
            f"{path} holds parameters {sorted(got)}; the network has {sorted(expected)}"
        )
    for name, shape in expected.items():
        if got[name] != shape:
            raise CheckpointError(
                f"{path}: parameter {name} has shape {got[name]} but the network expects {shape}"
                f" (checkpoint network: {checkpoint.net}); build the net with the same sizes"
            )


def load_params(net, checkpoint: Checkpoint, *, path: Any = "checkpoint") -> None:
    """Copy a checkpoint's parameters into net (replacing its dict entries, in net's dtype)."""
    check_params_fit(checkpoint, net, path=path)
    for name, value in checkpoint.params.items():
        net.params[name] = net.backend.asarray(value, dtype=net.dtype)
