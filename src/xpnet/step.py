"""One training step, the only one: gather the batch, loss and gradients, update, keep the loss.

:meth:`xpnet.Trainer.step` runs it eagerly, op by op through the book's layers: the Array API
reference step. Every fast path of :mod:`xpnet.fast` runs this same function too -- traced by
JAX inside a ``lax.scan``, recorded by ``torch.cuda.graph`` -- so that what a fast path
computes is the reference step by construction; the fast paths differ only in what they hand it:

- ``batch``: the batch's row indices, e.g. ``batches[j, :]`` for step j of an epoch;
- ``slot``: where the loss goes in the epoch's loss buffer: a Python int eagerly, a traced
  integer under JAX, a (1,) device tensor in a CUDA graph (a Python number would be frozen
  into the capture);
- ``lr``: the learning rate, None for the optimizer's own Python float, or a 0-d device array.
"""

from __future__ import annotations

from typing import Any

from .backends import Array, array_namespace, updated

__all__ = ["training_step"]


def training_step(
    net,
    x_train: Array,
    t_train: Array,
    batch: Array,
    optimizer,
    losses: Array,
    slot: Any,
    *,
    grad: str = "backprop",
    lr: Any = None,
) -> Array:
    """One SGD step of net on the rows ``batch`` of the training set; returns the loss buffer
    with entry ``slot`` set to the batch's loss (the buffer itself where it can be written in
    place, a new array on JAX).

    net.params is updated by the optimizer (in place where the library allows). Nothing is
    checked here: the :class:`xpnet.Trainer` checked the data, grad and the optimizer once,
    before the first step.

    Parameters
    ----------
    net : object
        A TwoLayerNet, or any network with ``params``, ``loss_and_gradient`` (grad
        "backprop"), ``loss`` and ``numerical_gradient`` (grad "numerical").
    x_train : array of shape (N, ...)
        The training images, on net's device, in net's dtype.
    t_train : array of shape (N, C)
        The training labels, one-hot, on net's device.
    batch : array of shape (batch_size,)
        Integer row indices of x_train and t_train: this step's batch.
    optimizer : object
        An :class:`xpnet.SGD`, or anything with ``update(params, grads)`` (and its keyword
        ``lr`` where lr is given).
    losses : array of shape (iters_per_epoch,)
        The epoch's loss buffer, on net's device, written at slot.
    slot : int or array
        Where the batch's loss goes in losses: a Python int eagerly, a traced integer under
        JAX, a (1,) device tensor in a CUDA graph.
    grad : {"backprop", "numerical"}, optional
        How the gradient is computed: backprop through the layers (the default), or
        ``net.numerical_gradient`` (any value other than "backprop"; slow, for tiny nets).
    lr : float or 0-d array, optional
        None (the default) for the optimizer's own learning rate, or a rate passed on as
        ``optimizer.update(..., lr=lr)`` (a 0-d device array on the fast paths).

    Returns
    -------
    array of shape (iters_per_epoch,)
        losses with entry slot set to the batch's loss: losses itself where the library writes
        in place, a new array on JAX. Use the result, never the argument.

    Examples
    --------
    >>> import numpy as np, xpnet
    >>> net = xpnet.TwoLayerNet(4, 3, 2, seed=0)
    >>> x = np.random.default_rng(0).random((6, 4))
    >>> t = np.eye(2)[[0, 1, 0, 1, 0, 1]]
    >>> losses = training_step(net, x, t, np.array([0, 2, 4]), xpnet.SGD(lr=0.1), np.zeros(3), 1)
    >>> losses.round(4).tolist()
    [0.0, 0.6932, 0.0]
    """
    xp = array_namespace(x_train)
    x_batch = xp.take(x_train, batch, axis=0)
    t_batch = xp.take(t_train, batch, axis=0)
    if grad == "backprop":
        # the data were checked once, by the Trainer: the library's net skips its per-call checks
        loss_and_gradient = getattr(net, "_loss_and_gradient", net.loss_and_gradient)
        loss, grads = loss_and_gradient(x_batch, t_batch)
    else:
        loss, grads = net.loss(x_batch, t_batch), net.numerical_gradient(x_batch, t_batch)
    if lr is None:
        optimizer.update(net.params, grads)
    else:
        optimizer.update(net.params, grads, lr=lr)
    return updated(losses, slot, loss)
