"""A checkpoint's checks before any array is read: meta (bounded), then every member's header.

The headers are compared with their kind (parameters are float32 or float64, history arrays
hold numbers in 1 or 2 dimensions), with the TwoLayerNet configuration in meta.net and with the
memory this process may allocate. Every refusal names the file, the member, what it declares and
what was expected.
"""

from __future__ import annotations

import json
import math

import numpy as np

from ..arguments import MAX_LAYER_SIZE
from ..errors import Do
from ..npyfiles import Archive, Header, memory_available, size_text
from .format import (
    ACTIVATIONS,
    BOOK_SIZES,
    FORMAT,
    LOAD_COPIES,
    MAX_HISTORY,
    MAX_META_CHARS,
    MAX_NDIM,
    PARAM_DTYPES,
    TWO_LAYER_PARAMS,
    TWO_LAYER_SIZES,
    CheckpointError,
    array_name,
    short_repr,
)

__all__ = ["check_headers", "read_meta"]


def read_meta(zf: Archive) -> dict:
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
    except RecursionError:
        raise zf.refuse(
            None,
            "is an .npz file but not an xpnet checkpoint (its meta is JSON nested too deep to"
            " read; an xpnet meta is three levels deep)",
        ) from None
    except ValueError as error:  # not JSON, or an integer past Python's digit limit
        said = str(error).split(":" if isinstance(error, json.JSONDecodeError) else ";")[0]
        raise zf.refuse(
            None, f"is an .npz file but not an xpnet checkpoint (its meta is not JSON: {said})"
        ) from None
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


def check_headers(zf: Archive, net: dict, headers: dict[str, Header]) -> None:
    """Every member's header against its kind, meta.net and the memory left, before any read."""
    for member, header in headers.items():
        kind, name = member.split("/", 1)[0], array_name(member)
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
    params = {array_name(m): h for m, h in headers.items() if m.startswith("params/")}
    if "learner" in net:  # xpnet train --net: a learner's class, compared with it when built
        return
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
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_LAYER_SIZE:
            raise CheckpointError(
                f"{zf.path}: member meta.npy: meta.net declares {key} {short_repr(value)};"
                f" expected a positive integer up to {MAX_LAYER_SIZE} (the book's is"
                f" {BOOK_SIZES[key]})."
                " The checkpoint is damaged or was not written by xpnet: {remake}",
                remake=Do("remake_checkpoint"),
            )
    dtype, activation = net["dtype"], net.get("activation", "relu")
    if dtype not in PARAM_DTYPES:
        raise zf.refuse(
            "meta.npy", f"meta.net declares dtype {short_repr(dtype)}; expected float32 or float64"
        )
    if activation not in ACTIVATIONS:
        raise zf.refuse(
            "meta.npy",
            f"meta.net declares activation {short_repr(activation)}; expected 'relu' or 'sigmoid'",
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
