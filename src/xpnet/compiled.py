"""The training step compiled: batch, loss, gradients and the SGD update as one pure function.

On a library that compiles (JAX, through :meth:`Backend.compile`), the Trainer's step -- gather
the batch, forward, backward, ``W <- W - lr * dW`` -- is written as one pure function of
(params, data, batch indices) returning (new params, loss), traced once through xpnet's own
layers (the very code the eager step runs) and compiled: one dispatch per step instead of one
per operation; on a GPU, a few fused kernels instead of ~35 launches. The parameters' buffers
are donated to the step, so the update may write into them instead of allocating new ones.

The network's dict stays the one owner of its parameters: the step's new arrays are put into
``net.params`` after each call. The arrays it held before are donated, so they are invalid
after the step: keep a copy (``xp.asarray(p, copy=True)``), not a reference, to compare.
"""

from __future__ import annotations

import copy

from .backend import Array
from .optim import SGD

__all__ = ["CompiledStep", "compiled_step"]


class CompiledStep:
    """``step(x_train, t_train, batch) -> loss``: one compiled SGD step of net, in place of
    net.params. x_train (N, ...), t_train one-hot (N, C): the whole training set on the net's
    device; batch: (batch_size,) row indices; loss: the batch's 0-d loss before the update."""

    def __init__(self, net, optimizer: SGD) -> None:
        self.net = net

        def step(params, x_train, t_train, batch):  # pure: arrays in, arrays out
            xp = net.backend.xp
            twin = copy.copy(net)  # the same network on the traced parameters, its own layers
            twin.params = dict(params)
            twin._build_layers()
            x = xp.take(x_train, batch, axis=0)
            t = xp.take(t_train, batch, axis=0)
            loss, grads = twin._loss_and_gradient(x, t)
            optimizer.update(twin.params, grads)  # SGD: rebinds each entry, W - lr * dW
            return twin.params, loss

        self._step = net.backend.compile(step, donate=(0,))

    def __call__(self, x_train: Array, t_train: Array, batch: Array) -> Array:
        params, loss = self._step(dict(self.net.params), x_train, t_train, batch)
        self.net.params.update(params)  # the dict the layers read stays the owner
        return loss


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
