"""The training step compiled: batch, loss, gradients and the SGD update as one pure function.

On a library that compiles (JAX, through :meth:`Backend.compile`), the Trainer's step -- take
the batch's rows of the epoch's indices, gather the batch, forward, backward,
``W <- W - lr * dW``, keep the loss in the epoch's loss buffer -- is written as one pure
function of (params, losses, data, indices, step) returning (new params, new losses), traced
once through xpnet's own layers (the very code the eager step runs) and compiled: one dispatch
per step instead of one per operation; on a GPU, a few fused kernels instead of ~35 launches.
The buffers of the parameters and the losses are donated to the step, so the update may write
into them instead of allocating new ones.

The network's dict stays the one owner of its parameters: the step's new arrays are put into
``net.params`` after each call. The arrays it held before are donated, so they are invalid
after the step: keep a copy (``xp.asarray(p, copy=True)``), not a reference, to compare. The
learning rate is read once, when the step is traced: a new rate needs a new Trainer.
"""

from __future__ import annotations

import copy

from .backends import Array, updated
from .optim import SGD

__all__ = ["CompiledStep", "compiled_step"]


class CompiledStep:
    """``step(x_train, t_train, batches, j, losses) -> losses``: one compiled SGD step of net,
    in place of net.params. x_train (N, ...), t_train one-hot (N, C): the whole training set on
    the net's device; batches (E, batch_size): the epoch's row indices, of which the step takes
    row j (a Python int: traced, so no new compile per j); losses (E,): the epoch's loss buffer,
    returned with entry j set to this batch's loss before the update (the old one is donated)."""

    def __init__(self, net, optimizer: SGD) -> None:
        self.net = net

        def step(params, losses, x_train, t_train, batches, j):  # pure: arrays in, arrays out
            xp = net.backend.xp
            twin = copy.copy(net)  # the same network on the traced parameters, its own layers
            twin.params = dict(params)
            twin._build_layers()
            batch = batches[j, :]
            x = xp.take(x_train, batch, axis=0)
            t = xp.take(t_train, batch, axis=0)
            loss, grads = twin._loss_and_gradient(x, t)
            optimizer.update(twin.params, grads)  # SGD: rebinds each entry, W - lr * dW
            return twin.params, updated(losses, j, loss)

        self._step = net.backend.compile(step, donate=(0, 1))

    def __call__(
        self, x_train: Array, t_train: Array, batches: Array, j: int, losses: Array
    ) -> Array:
        params, losses = self._step(dict(self.net.params), losses, x_train, t_train, batches, j)
        self.net.params.update(params)  # the dict the layers read stays the owner
        return losses


def compiled_step(net, optimizer, grad: str) -> CompiledStep | None:
    """The compiled step for a Trainer, or None where it runs eagerly: when the net's library
    does not compile (all but JAX), the gradient is numerical (its index search has data-
    dependent shapes), the optimizer keeps state (only SGD's update is pure), or the net is not
    a TwoLayerNet (whose layers are rebuilt on the traced parameters)."""
    from .nets import TwoLayerNet

    if grad != "backprop" or type(optimizer) is not SGD or not isinstance(net, TwoLayerNet):
        return None
    if not net.backend.compiles:
        return None
    return CompiledStep(net, optimizer)
