"""jax-scan: the steps between two log points as one ``lax.scan`` inside one ``jax.jit``.

One XLA program runs K steps: the scan's body is :func:`xpnet.step.training_step` traced
through the book's layers on the traced parameters (``net._with_params``), so it is the eager
step by construction. The scan has a static length K, so XLA knows the trip count and runs it
without going back to Python (on a GPU, without a host round trip a step); the epoch's row
``j0`` where it starts and the learning rate are traced arguments, so neither is frozen into
the program and no value of them compiles again. Each distinct K compiles once per process
(for a network of the same activation, shapes and dtype, on the same device: :data:`PROGRAMS`):
with the book's schedule (an evaluation after the first step of each epoch, the losses read
every ``log_every`` steps) K takes three or four values in a whole run. The parameters' and the
loss buffer's arrays are donated: the program may write into them, so the arrays ``net.params``
held before a call are invalid after it (keep a copy, not a reference, to compare). On the
CPU the body's weight-gradient matmuls are computed transposed (:mod:`._jax_dots`: the same
products, in the orientation XLA's CPU matmul is fast at).
"""

from __future__ import annotations

import time

from array_api_compat import is_jax_namespace

from ..step import training_step
from ._jax_dots import wide_dots_transposed

__all__ = ["PROGRAMS", "ScanPath"]

PROGRAMS: dict[tuple, object] = {}  # (activation, K, the arguments' shapes and dtypes) -> program


class ScanPath:
    """``run(i0, i1)``: steps i0..i1-1 of trainer as one compiled call. ``compile_seconds``:
    K -> seconds its program took to trace and compile (apart from the steps' own time)."""

    name = "jax-scan"

    def __init__(self, trainer) -> None:
        from .path import FastPathUnavailable

        backend = trainer.net.backend
        if not is_jax_namespace(backend.xp) or not backend.compiles:
            raise FastPathUnavailable(
                self.name, f"it needs a JAX network; this one is on {backend.name}"
            )
        self.trainer = trainer
        self.compile_seconds: dict[int, float] = {}  # of the programs this path compiled

    def run(self, i0: int, i1: int) -> int:
        trainer = self.trainer
        net = trainer.net
        batches, j0 = trainer._epoch_batches(i0)
        arguments = (
            dict(net.params),
            trainer._losses,
            j0,
            trainer.optimizer.lr,
            trainer.x_train,
            trainer.t_train,
            batches,
        )
        key = (net.config["activation"], i1 - i0, *map(_signature, jax_leaves(arguments)))
        program = PROGRAMS.get(key) or self._compile(key, i1 - i0, arguments)
        params, trainer._losses = program(*arguments)
        net.params.update(params)  # the dict the layers read stays the owner
        return i1

    def _compile(self, key: tuple, steps: int, arguments: tuple):
        """The program of ``steps`` steps, compiled ahead of its first call and timed. It reads
        of this trainer only what the key fixes: the net's activation (its layers), SGD's update
        (of the traced learning rate), the arguments' shapes and dtypes."""
        import jax

        trainer = self.trainer
        net, optimizer = trainer.net, trainer.optimizer
        on_cpu = net.backend.device.platform == "cpu"

        def run_steps(params, losses, j0, lr, x_train, t_train, batches):
            def one_step(carry, _):
                params, losses, j = carry
                twin = net._with_params(dict(params))  # the net's layers on traced parameters
                losses = training_step(
                    twin, x_train, t_train, batches[j], optimizer, losses, j, lr=lr
                )
                return (twin.params, losses, j + 1), None

            # on the CPU, x.T @ dout in the orientation XLA's matmul is fast at (_jax_dots)
            body = wide_dots_transposed(one_step) if on_cpu else one_step
            (params, losses, _), _ = jax.lax.scan(body, (params, losses, j0), None, length=steps)
            return params, losses

        start = time.perf_counter()
        program = net.backend.compile(run_steps, arguments, donate=(0, 1))
        self.compile_seconds[steps] = time.perf_counter() - start
        PROGRAMS[key] = program
        return program


def jax_leaves(tree) -> list:
    import jax

    return jax.tree_util.tree_leaves(tree)


def _signature(leaf) -> tuple:
    """What a compiled program fixes of an argument: its shape, dtype, device (or its type)."""
    if hasattr(leaf, "shape"):
        devices = getattr(leaf, "devices", None)
        return (tuple(leaf.shape), str(leaf.dtype), str(devices()) if devices else None)
    return (type(leaf).__name__,)
