"""A loaded checkpoint meets a network: its TwoLayerNet configuration, its parameters copied in."""

from __future__ import annotations

from typing import Any

from .format import TWO_LAYER_SIZES, Checkpoint, CheckpointError, short_repr

__all__ = ["check_params_fit", "load_params", "refuse_learners", "two_layer_config"]


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
        The checkpoint holds another kind of network (no TwoLayerNet sizes in meta.net), or a
        learner's (``xpnet train --net``: its class and file in meta.net.learner).

    Examples
    --------
    >>> two_layer_config(Checkpoint(net={"input_size": 6, "hidden_size": 4, "output_size": 3,
    ...                                  "dtype": "float64"}, params={}))["hidden_size"]
    4
    """
    net = checkpoint.net
    refuse_learners(checkpoint, path)
    if not all(key in net for key in TWO_LAYER_SIZES):
        raise CheckpointError(
            f"{path} holds a network of another kind (parameters {sorted(checkpoint.params)},"
            f" meta.net {short_repr(net)}); xpnet reads TwoLayerNet checkpoints"
        )
    return net


def refuse_learners(checkpoint: Checkpoint, path: Any = "checkpoint", *, net=None) -> None:
    """Raise CheckpointError when the checkpoint holds a learner's network (``xpnet train
    --net``) and ``net`` is not one: a checkpoint is data and names no code to run, so xpnet's
    own TwoLayerNet is never made to stand in for the learner's class."""
    learner = checkpoint.net.get("learner")
    if not isinstance(learner, dict) or "learner" in getattr(net, "config", {}):
        return
    named = f"{learner.get('class')} of {learner.get('file')}"
    raise CheckpointError(
        f"{path} holds {named}, a learner's network (xpnet train --net), not xpnet's"
        " TwoLayerNet; a checkpoint names no code to run, so xpnet does not rebuild it: build"
        " that class's net and copy checkpoint.params into its params, or on the command line:"
        f" xpnet evaluate --net {learner.get('file')}:{learner.get('class')} {path}"
    )


def check_params_fit(checkpoint: Checkpoint, net, *, path: Any = "checkpoint") -> None:
    """Raise CheckpointError unless the checkpoint's parameters have the net's names and shapes.

    Only names and shapes are compared (metadata, no array data is read); dtypes may differ.

    Parameters
    ----------
    checkpoint : Checkpoint
        What load_checkpoint returned (or any Checkpoint: ``params`` is what is compared).
    net : object
        A TwoLayerNet, or any network with ``params`` (name -> array).
    path : object, optional
        How messages name the file ("checkpoint" by default).

    Raises
    ------
    CheckpointError
        The checkpoint holds other parameter names than net, or a parameter of another shape
        (a net built with other sizes); the message names path, the parameter and both shapes.
    TypeError
        checkpoint is not a Checkpoint (a path: load it first), or net has no params dict.

    Examples
    --------
    >>> import numpy as np, xpnet
    >>> net = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    >>> params = {name: np.zeros(value.shape) for name, value in net.params.items()}
    >>> check_params_fit(Checkpoint(net=net.config, params=params), net)  # fits: returns None
    >>> other = Checkpoint(net={}, params={"W": np.zeros(2)})
    >>> check_params_fit(other, net, path="c.npz")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    xpnet.checkpoint.CheckpointError: c.npz holds parameters ['W']; the network has ['W1', ...]
    """
    _check_arguments("check_params_fit", checkpoint, net)
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
    """Copy a checkpoint's parameters into net (replacing its dict entries, in net's dtype).

    The entries of ``net.params`` are replaced, the dict itself is kept (its layers read their
    parameters from it by name), each value put on ``net.backend``'s device in ``net.dtype``.
    Nothing is copied unless every name and shape fits.

    Parameters
    ----------
    net : object
        A TwoLayerNet, or any network with ``params`` (name -> array), ``backend``
        (:class:`xpnet.Backend`) and ``dtype``.
    checkpoint : Checkpoint
        What load_checkpoint returned.
    path : object, optional
        How messages name the file ("checkpoint" by default).

    Raises
    ------
    CheckpointError
        The names or shapes of the checkpoint's parameters do not fit net's
        (:func:`check_params_fit`), or the checkpoint holds a learner's network
        (``xpnet train --net``) and net is xpnet's own.
    TypeError
        checkpoint is not a Checkpoint (a path: load it first), or net has no params dict.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np, xpnet
    >>> path = xpnet.save_checkpoint(pathlib.Path(tempfile.mkdtemp()) / "c.npz",
    ...                              xpnet.TwoLayerNet(6, 4, 3, seed=0))
    >>> checkpoint = xpnet.load_checkpoint(path)
    >>> net = xpnet.TwoLayerNet(6, 4, 3, seed=1)
    >>> load_params(net, checkpoint, path=path)
    >>> bool(np.array_equal(net.params["W1"], checkpoint.params["W1"]))
    True
    >>> load_params(xpnet.TwoLayerNet(6, 5, 3), checkpoint)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    xpnet.checkpoint.CheckpointError: checkpoint: parameter W1 has shape (6, 4) but the ...
    """
    _check_arguments("load_params", checkpoint, net)
    refuse_learners(checkpoint, path, net=net)
    check_params_fit(checkpoint, net, path=path)
    for name, value in checkpoint.params.items():
        net.params[name] = net.backend.asarray(value, dtype=net.dtype)


CALLS = {
    "load_params": "load_params(net, xpnet.load_checkpoint(path))",
    "check_params_fit": "check_params_fit(xpnet.load_checkpoint(path), net)",
}


def _check_arguments(caller: str, checkpoint: Any, net: Any) -> None:
    """TypeError naming checkpoint or net when it is not what caller takes (a path for the
    Checkpoint, the arguments swapped), rather than an AttributeError from inside."""
    if not isinstance(checkpoint, Checkpoint):
        raise TypeError(
            f"{caller}: checkpoint must be a Checkpoint, what load_checkpoint(path) returns; got"
            f" {type(checkpoint).__name__} {short_repr(checkpoint)}: pass {CALLS[caller]}"
        )
    if not isinstance(getattr(net, "params", None), dict):
        raise TypeError(
            f"{caller}: net must be a network with params (a dict of name -> array), as xpnet's"
            f" TwoLayerNet; got {type(net).__name__}: pass {CALLS[caller]}"
        )
