"""Writing a checkpoint atomically, and reading one bounded: the two halves of its file.

save_checkpoint writes atomically (:mod:`xpnet.atomic`: a temporary file in the same folder,
then a rename), so a failure while writing leaves the previous good file in place.
load_checkpoint trusts nothing (:mod:`xpnet.npyfiles`): the zip directory first, then
:mod:`.checks` (meta, then each member's header), and only then any array data, never with
pickle.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_write
from ..backends import to_numpy
from ..npyfiles import Archive, UnreadableFile
from .checks import check_headers, read_meta
from .format import (
    FORMAT,
    MAX_META_CHARS,
    MEMBER,
    MEMBER_RULE,
    Checkpoint,
    CheckpointError,
    array_name,
    short_repr,
)

__all__ = ["load_checkpoint", "save_checkpoint"]


def save_checkpoint(
    path: str | os.PathLike,
    net,
    *,
    state: dict | None = None,
    arrays: dict[str, Any] | None = None,
) -> Path:
    """Write net's parameters (and a run's state) to path atomically.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.npz`` file to write; its folder is made if need be.
    net : object
        Anything with ``config`` (a JSON-able dict) and ``params`` (name -> array of any
        backend). Arrays are written as host NumPy arrays in C order.
    state : dict, optional
        JSON-able state (a run's settings, iteration, RNG state) kept in meta.
    arrays : dict, optional
        Other named arrays (the history), kept as ``arrays/NAME``.

    Returns
    -------
    pathlib.Path
        path.

    Raises
    ------
    OSError
        The file cannot be written (a full disk, a quota, ...); the previous file is kept.
        IsADirectoryError, naming path, when path is a folder.
    TypeError
        When path is no file name, net has no ``params`` dict and ``config`` dict, state or
        config is not JSON, or an array holds no numbers (an object array, which would be
        pickled) or a parameter is not float32 or float64.
    ValueError
        meta's JSON would be longer than load_checkpoint reads (MAX_META_CHARS), or a name of
        params or arrays is not one a checkpoint holds (a Python identifier).

    Examples
    --------
    >>> import tempfile, pathlib, xpnet
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.npz"
    >>> save_checkpoint(path, xpnet.TwoLayerNet(6, 4, 3, seed=0), state={"iteration": 7}).name
    'c.npz'
    """
    path = _checked_arguments(path, net)
    contents = {f"params/{k}": np.ascontiguousarray(to_numpy(v)) for k, v in net.params.items()}
    for name, value in (arrays or {}).items():
        contents[f"arrays/{name}"] = np.ascontiguousarray(value)
    _check_contents(contents)  # only what load_checkpoint reads back: no pickle, no ../ name
    try:
        meta = json.dumps({"format": FORMAT, "net": net.config, "state": state or {}})
    except TypeError as error:  # a NumPy int in state: "Object of type int64 is not ..."
        raise TypeError(
            f"save_checkpoint: net.config and state must be JSON (dict, list, str, int, float,"
            f" bool, None); {error}: convert NumPy values with int() or float()"
        ) from None
    if len(meta) > MAX_META_CHARS:
        raise ValueError(
            f"the checkpoint's meta would be {len(meta)} characters of JSON; load_checkpoint"
            f" reads at most {MAX_META_CHARS}: keep large values in arrays"
        )
    contents["meta"] = np.array(meta)
    atomic_write(path, lambda handle: np.savez(handle, **contents))
    return path


def _check_contents(contents: dict[str, np.ndarray]) -> None:
    """Raise unless every array is one load_checkpoint reads: a member name it accepts, numbers
    (an object array would be pickled into the file), parameters in float32 or float64."""
    for key, value in contents.items():
        kind, name = key.split("/", 1)
        if not MEMBER.fullmatch(f"{key}.npy"):
            raise ValueError(
                f"save_checkpoint: {kind} name {name!r} cannot be a checkpoint member; use a"
                " Python identifier of at most 64 characters, such as 'train_loss'"
            )
        allowed = ("float32", "float64") if kind == "params" else None
        numbers = value.dtype.kind in "biuf"
        if not numbers or (allowed and value.dtype.name not in allowed):
            raise TypeError(
                f"save_checkpoint: {kind} {name!r} has dtype {value.dtype}; a checkpoint holds"
                f" {'float32 or float64' if allowed else 'numbers (bool, int or float)'}, never"
                " objects (which would be pickled): convert it with numpy.asarray(value, float)"
            )


def _checked_arguments(path: Any, net: Any) -> Path:
    """path as a Path when it names a file and net has the params and config a checkpoint keeps;
    otherwise an error naming the argument and the fix."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"save_checkpoint: path must be a file name (str or os.PathLike); got"
            f" {type(path).__name__}. The path comes first: save_checkpoint('net.npz', net)"
        )
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(
            f"save_checkpoint: path {str(path)!r} is a folder; pass a file in it:"
            f" save_checkpoint({str(path / 'checkpoint.npz')!r}, net)"
        )
    if not isinstance(getattr(net, "params", None), dict) or not isinstance(
        getattr(net, "config", None), dict
    ):
        raise TypeError(
            f"save_checkpoint: net must have params (a dict of name -> array) and config (a dict"
            f" of its sizes), as xpnet's TwoLayerNet does; got {type(net).__name__}. Pass the"
            " network: save_checkpoint(path, net)"
        )
    return path


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Read and check a checkpoint written by save_checkpoint, bounded before any data is read.

    The zip directory is checked first, then meta (at most MAX_META_CHARS), then each member's
    ``.npy`` header against meta.net (a TwoLayerNet's sizes and dtype), the zip directory's
    sizes and the memory this process may allocate; only then are the arrays read (never with
    pickle).

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint file.

    Returns
    -------
    Checkpoint
        The network's configuration, its parameters, the run's state and the other arrays, on
        the host.

    Raises
    ------
    CheckpointError
        One line naming the file, the member, what it declares and what was expected: a
        missing or unreadable file (permission denied, a FIFO, a device), one that is no zip
        file or is damaged, unknown or repeated members, an object array, a Fortran-order
        member, a meta that is too large or no JSON object, a network configuration (meta.net)
        with missing keys or absurd sizes, headers that do not fit it, the zip directory or the
        memory this process may allocate, and parameters that are not finite.
    TypeError
        path is no file name (an int, None, a net).

    Examples
    --------
    >>> import tempfile, pathlib, xpnet
    >>> path = save_checkpoint(pathlib.Path(tempfile.mkdtemp()) / "c.npz",
    ...                        xpnet.TwoLayerNet(6, 4, 3, seed=0))
    >>> checkpoint = load_checkpoint(path)
    >>> checkpoint.net["hidden_size"], checkpoint.params["W1"].shape
    (4, (6, 4))
    >>> load_checkpoint(path.parent / "none.npz")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    xpnet.checkpoint.CheckpointError: checkpoint ... does not exist
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"load_checkpoint: path must be a file name (str or os.PathLike); got"
            f" {type(path).__name__} {short_repr(path)}: pass one, such as"
            " load_checkpoint('runs/a/checkpoint.npz')"
        )
    path = Path(path)
    try:
        with Archive(path, kind="checkpoint", allowed=MEMBER.fullmatch, rule=MEMBER_RULE) as zf:
            meta = read_meta(zf)
            headers = {name: zf.header(name) for name in zf.names if name != "meta.npy"}
            check_headers(zf, meta["net"], headers)
            contents = {name: zf.read(name, header) for name, header in headers.items()}
    except UnreadableFile as error:
        raise CheckpointError(str(error)) from None
    params = {array_name(k): v for k, v in contents.items() if k.startswith("params/")}
    arrays = {array_name(k): v for k, v in contents.items() if k.startswith("arrays/")}
    for name, value in params.items():
        bad = int(value.size - np.count_nonzero(np.isfinite(value)))
        if bad:
            raise CheckpointError(
                f"{path}: parameter {name} holds {bad} NaN or infinite values of {value.size}, so "
                "it cannot be loaded (a run that diverged); use an earlier checkpoint, or train "
                "again with a smaller learning rate"
            )
    return Checkpoint(net=meta["net"], params=params, state=meta.get("state", {}), arrays=arrays)
