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

    x_train: (N, ...) and t_train: one-hot (N, C), on net's device; batch: (batch_size,) integer
    row indices; losses: (iters_per_epoch,). grad: "backprop" or "numerical". lr: None for
    the optimizer's learning rate, or an array passed to ``optimizer.update(..., lr=lr)``.
    net.params is updated by the optimizer (in place where the library allows).
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
