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

The package: :mod:`.format` (the format's constants, :class:`Checkpoint`, :class:`CheckpointError`),
:mod:`.checks` (meta and the headers, checked before any data), :mod:`.files` (save_checkpoint,
load_checkpoint) and :mod:`.network` (a checkpoint's TwoLayerNet configuration, its parameters
copied into a net).
"""

from .files import load_checkpoint, save_checkpoint
from .format import Checkpoint, CheckpointError
from .network import check_params_fit, load_params, two_layer_config

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "check_params_fit",
    "load_checkpoint",
    "load_params",
    "save_checkpoint",
    "two_layer_config",
]
