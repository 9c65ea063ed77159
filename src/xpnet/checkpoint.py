"""Checkpoints: a network's parameters and a training run's state, as data, never code.

A checkpoint is an ``.npz`` file holding host NumPy arrays (``params/W1`` ..., ``arrays/...``)
and one JSON document (``meta``: the network's configuration, the run's settings, the iteration
count and the host random generator's state). It is written atomically (:mod:`xpnet.atomic`:
a temporary file in the same folder, then a rename), so a failure while writing leaves the
previous good file in place.

A checkpoint is a file users pass around, so reading it trusts nothing (:mod:`xpnet.npyfiles`):
the zip directory first (member names, duplicates, compression, sizes), then meta (bounded),
then each member's ``.npy`` header, compared with the network configuration in meta and with
the memory this process may allocate; only then any array data, never with pickle. Every
refusal is a :class:`CheckpointError` naming the file, the member, what it declares and what
was expected.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_write
from .backends import to_numpy
from .errors import Explained, Use
from .npyfiles import Archive, Header, UnreadableFile, memory_available, size_text

__all__ = ["Checkpoint", "CheckpointError", "load_checkpoint", "save_checkpoint"]

FORMAT = "xpnet-checkpoint/1"
PARAM_DTYPES = ("float32", "float64")
MEMBER = re.compile(r"meta\.npy|(?:params|arrays)/[A-Za-z_][A-Za-z0-9_]{0,63}\.npy")
MEMBER_RULE = "a checkpoint's members are meta.npy, params/NAME.npy and arrays/NAME.npy"
MAX_META_CHARS = 2**20  # meta's JSON: a few thousand characters in a checkpoint of xpnet train
MAX_NDIM = 8
MAX_HISTORY = 2**27  # values in one history array (one per step): 1 GiB of float64
MAX_SIZE = 2**31 - 1  # a layer's size in meta.net
TWO_LAYER_PARAMS = ("W1", "b1", "W2", "b2")
TWO_LAYER_SIZES = ("input_size", "hidden_size", "output_size")
BOOK_SIZES = {"input_size": 784, "hidden_size": 50, "output_size": 10}
ACTIVATIONS = ("relu", "sigmoid")
LOAD_COPIES = 3  # a net being loaded holds its own initial parameters, the file's and the copy


class CheckpointError(Explained, ValueError):
    """A file that is not a usable xpnet checkpoint (corrupt, foreign, or for another net); the
    message names the file, the member, what it declares and what was expected."""


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
    ValueError
        meta's JSON would be longer than load_checkpoint reads (MAX_META_CHARS).

    Examples
    --------
    >>> import tempfile, pathlib, xpnet
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.npz"
    >>> save_checkpoint(path, xpnet.TwoLayerNet(6, 4, 3, seed=0), state={"iteration": 7}).name
    'c.npz'
    """
    path = Path(path)
    contents = {f"params/{k}": np.ascontiguousarray(to_numpy(v)) for k, v in net.params.items()}
    for name, value in (arrays or {}).items():
        contents[f"arrays/{name}"] = np.ascontiguousarray(value)
    meta = json.dumps({"format": FORMAT, "net": net.config, "state": state or {}})
    if len(meta) > MAX_META_CHARS:
        raise ValueError(
            f"the checkpoint's meta would be {len(meta)} characters of JSON; load_checkpoint"
            f" reads at most {MAX_META_CHARS}: keep large values in arrays"
        )
    contents["meta"] = np.array(meta)
    atomic_write(path, lambda handle: np.savez(handle, **contents))
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
    path = Path(path)
    try:
        with Archive(path, kind="checkpoint", allowed=MEMBER.fullmatch, rule=MEMBER_RULE) as zf:
            meta = _read_meta(zf)
            headers = {name: zf.header(name) for name in zf.names if name != "meta.npy"}
            _check_headers(zf, meta["net"], headers)
            contents = {name: zf.read(name, header) for name, header in headers.items()}
    except UnreadableFile as error:
        raise CheckpointError(str(error)) from None
    params = {_key(k): v for k, v in contents.items() if k.startswith("params/")}
    arrays = {_key(k): v for k, v in contents.items() if k.startswith("arrays/")}
    for name, value in params.items():
        bad = int(value.size - np.count_nonzero(np.isfinite(value)))
        if bad:
            raise CheckpointError(
                f"{path}: parameter {name} holds {bad} NaN or infinite values of {value.size}, so "
                "it cannot be loaded (a run that diverged); use an earlier checkpoint, or train "
                "again with a smaller learning rate"
            )
    return Checkpoint(net=meta["net"], params=params, state=meta.get("state", {}), arrays=arrays)


def _key(member: str) -> str:
    """params/W1.npy -> W1"""
    return member.split("/", 1)[1].removesuffix(".npy")


def _read_meta(zf: Archive) -> dict:
    """meta's JSON object, its text bounded by MAX_META_CHARS before it is read."""
    path = zf.path
    if "meta.npy" not in zf.members:
        raise zf.refuse(None, "is an .npz file but not an xpnet checkpoint (it has no meta)")
    header = zf.header("meta.npy")
    if header.dtype.kind != "U" or header.shape != ():
        raise zf.refuse(
            None,
            f"is an .npz file but not an xpnet checkpoint (its meta is {header}, not one JSON"
            " text)",
        )
    chars = header.dtype.itemsize // 4
    if chars > MAX_META_CHARS:
        raise zf.refuse(
            "meta.npy",
            f"declares a text of {chars} characters ({size_text(header.nbytes)}); the meta of"
            f" an xpnet checkpoint has a few thousand, at most {MAX_META_CHARS}",
        )
    text = str(zf.read("meta.npy", header)[()])
    try:
        meta = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, nested too deep, an integer too long
        raise zf.refuse(None, "is an .npz file but not an xpnet checkpoint") from None
    if not isinstance(meta, dict):
        raise zf.refuse(
            None,
            f"is an .npz file but not an xpnet checkpoint (its meta is JSON "
            f"{type(meta).__name__}, not an object)",
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
    return meta


def _check_headers(zf: Archive, net: dict, headers: dict[str, Header]) -> None:
    """Every member's header against its kind, meta.net and the memory left, before any read."""
    for member, header in headers.items():
        kind, name = member.split("/", 1)[0], _key(member)
        if header.fortran_order:
            raise zf.refuse(
                member,
                f"declares Fortran order for {header}; save_checkpoint writes C order, so this"
                " member was not written by xpnet and its values would be read transposed",
            )
        if len(header.shape) > MAX_NDIM:
            raise zf.refuse(member, f"declares {len(header.shape)} dimensions; at most {MAX_NDIM}")
        if kind == "params" and header.dtype.name not in PARAM_DTYPES:
            raise zf.refuse(
                member, f"parameter {name} has dtype {header.dtype}; expected float32 or float64"
            )
        if kind == "arrays":
            if header.dtype.kind not in "biuf" or len(header.shape) > 2:
                raise zf.refuse(
                    member,
                    f"declares {header}; a history array holds numbers in 1 or 2 dimensions",
                )
            if math.prod(header.shape) > MAX_HISTORY:
                raise zf.refuse(
                    member,
                    f"declares {header}; a history array holds at most {MAX_HISTORY} values",
                )
    _check_network(zf, net, headers)
    total, available = sum(h.nbytes for h in headers.values()), memory_available()
    if total > available:
        raise zf.refuse(
            None,
            f"declares {size_text(total)} of arrays in all; this process can allocate about"
            f" {size_text(available)}, so it is not read",
        )


def _check_network(zf: Archive, net: dict, headers: dict[str, Header]) -> None:
    """A TwoLayerNet's configuration in meta.net (when the checkpoint holds one) is whole and
    sane, and its parameters' headers declare the shapes and dtype it gives."""
    params = {_key(m): h for m, h in headers.items() if m.startswith("params/")}
    if set(params) != set(TWO_LAYER_PARAMS) and not any(k in net for k in TWO_LAYER_SIZES):
        return  # another network's checkpoint: load_params compares it with that network
    missing = [key for key in (*TWO_LAYER_SIZES, "dtype") if key not in net]
    if missing:
        raise zf.refuse(
            "meta.npy",
            f"its network configuration (meta.net) lacks {', '.join(missing)}; a TwoLayerNet's"
            " has input_size, hidden_size, output_size, activation and dtype",
        )
    for key in TWO_LAYER_SIZES:
        value = net[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_SIZE:
            raise CheckpointError(
                f"{zf.path}: member meta.npy: meta.net declares {key} {_show(value)}; expected a"
                f" positive integer up to {MAX_SIZE} (the book's is {{book}})",
                book=Use(key, BOOK_SIZES[key]),
            )
    dtype, activation = net["dtype"], net.get("activation", "relu")
    if dtype not in PARAM_DTYPES:
        raise zf.refuse(
            "meta.npy", f"meta.net declares dtype {_show(dtype)}; expected float32 or float64"
        )
    if activation not in ACTIVATIONS:
        raise zf.refuse(
            "meta.npy",
            f"meta.net declares activation {_show(activation)}; expected 'relu' or 'sigmoid'",
        )
    i, h, o = (net[key] for key in TWO_LAYER_SIZES)
    network = f"{i}-{h}-{o} {activation}, {dtype}"
    expected = {"W1": (i, h), "b1": (h,), "W2": (h, o), "b2": (o,)}
    nbytes = sum(math.prod(shape) for shape in expected.values()) * np.dtype(dtype).itemsize
    available = memory_available()
    if nbytes * LOAD_COPIES > available:
        raise zf.refuse(
            "meta.npy",
            f"meta.net declares a {network} network, whose parameters take {size_text(nbytes)}"
            f" ({LOAD_COPIES} copies while loading); this process can allocate about"
            f" {size_text(available)}",
        )
    if set(params) != set(TWO_LAYER_PARAMS):
        raise zf.refuse(
            None,
            f"holds parameters {sorted(params)}; the TwoLayerNet in its meta ({network}) has"
            " W1, b1, W2 and b2",
        )
    for key, shape in expected.items():
        header = params[key]
        if header.shape != shape or header.dtype.name != dtype:
            raise zf.refuse(
                f"params/{key}.npy",
                f"declares {header}; the network in meta ({network}) expects shape {shape} {dtype}",
            )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def two_layer_config(checkpoint: Checkpoint, path: Any = "checkpoint") -> dict:
    """The TwoLayerNet configuration of a checkpoint, as load_checkpoint checked it.

    Parameters
    ----------
    checkpoint : Checkpoint
        What load_checkpoint returned.
    path : object, optional
        How messages name the file.

    Returns
    -------
    dict
        meta.net: input_size, hidden_size, output_size, dtype (and activation, weight_init_std).

    Raises
    ------
    CheckpointError
        The checkpoint holds another kind of network (no TwoLayerNet sizes in meta.net).

    Examples
    --------
    >>> two_layer_config(Checkpoint(net={"input_size": 6, "hidden_size": 4, "output_size": 3,
    ...                                  "dtype": "float64"}, params={}))["hidden_size"]
    4
    """
    net = checkpoint.net
    if not all(key in net for key in TWO_LAYER_SIZES):
        raise CheckpointError(
            f"{path} holds a network of another kind (parameters {sorted(checkpoint.params)},"
            f" meta.net {_show(net)}); xpnet reads TwoLayerNet checkpoints"
        )
    return net


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
