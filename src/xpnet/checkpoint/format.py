"""What a checkpoint is: its format's constants, the Checkpoint it loads to, its one error.

A checkpoint is an ``.npz`` file holding host NumPy arrays (``params/W1`` ..., ``arrays/...``)
and one JSON document (``meta``: the network's configuration, the run's settings, the iteration
count and the host random generator's state). The bounds here are what a reader of one accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import Explained

__all__ = ["Checkpoint", "CheckpointError", "array_name", "short_repr"]

FORMAT = "xpnet-checkpoint/1"
PARAM_DTYPES = ("float32", "float64")
MEMBER = re.compile(r"meta\.npy|(?:params|arrays)/[A-Za-z_][A-Za-z0-9_]{0,63}\.npy")
MEMBER_RULE = "a checkpoint's members are meta.npy, params/NAME.npy and arrays/NAME.npy"
MAX_META_CHARS = 2**20  # meta's JSON: a few thousand characters in a checkpoint of xpnet train
MAX_NDIM = 8
MAX_HISTORY = 2**27  # values in one history array (one per step): 1 GiB of float64
TWO_LAYER_PARAMS = ("W1", "b1", "W2", "b2")
TWO_LAYER_SIZES = ("input_size", "hidden_size", "output_size")
BOOK_SIZES = {"input_size": 784, "hidden_size": 50, "output_size": 10}
ACTIVATIONS = ("relu", "sigmoid")
LOAD_COPIES = 3  # a net being loaded holds its own initial parameters, the file's and the copy


class CheckpointError(Explained, ValueError):
    """A file that is not a usable xpnet checkpoint (corrupt, foreign, or for another net); the
    message names the file, the member, what it declares and what was expected."""

    __module__ = "xpnet.checkpoint"  # tracebacks name it where it is imported from


@dataclass
class Checkpoint:
    """What a checkpoint holds, on the host.

    load_checkpoint returns one; building one by hand gives :func:`load_params` and
    :func:`two_layer_config` parameters that come from no file.

    Parameters
    ----------
    net : dict
        The network's configuration (TwoLayerNet's ``config``, meta.net of the file):
        input_size, hidden_size, output_size, dtype, ...
    params : dict of str to numpy.ndarray
        The parameters by name ("W1", "b1", "W2", "b2"), host NumPy arrays.
    state : dict, optional
        The run's JSON state (settings, iteration, RNG state); empty by default.
    arrays : dict of str to numpy.ndarray, optional
        Other named arrays (the per-step losses and per-epoch accuracies); empty by default.

    Examples
    --------
    >>> import numpy as np
    >>> checkpoint = Checkpoint(net={"input_size": 2}, params={"W1": np.zeros((2, 3))})
    >>> checkpoint.params["W1"].shape, checkpoint.state, checkpoint.arrays
    ((2, 3), {}, {})
    """

    net: dict
    params: dict[str, np.ndarray]
    state: dict = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


def array_name(member: str) -> str:
    """params/W1.npy -> W1"""
    return member.split("/", 1)[1].removesuffix(".npy")


def short_repr(value: Any) -> str:
    """repr(value), cut to 40 characters for a message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
