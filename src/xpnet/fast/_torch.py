"""torch-graph: the whole training step captured once by ``torch.cuda.graph``, then replayed.

A CUDA graph replays the kernels it recorded, on the memory it recorded, with the numbers it
recorded. So the step it records, :func:`graph_step`, is :func:`xpnet.step.training_step` fed
only with device tensors that stay where they are:

- the epoch's batch indices in one static (iters_per_epoch, batch_size) buffer, copied in when
  an epoch begins; the step gathers its row at ``slot``, a (1,) int64 tensor that the step
  itself advances (a Python step index would be frozen into the graph);
- the learning rate in a 0-d tensor (a Python float would be frozen too);
- the parameters, updated in place by SGD (``params[k] -= lr * dW``: a graph keeps writing into
  the tensors it captured), the data set and the Trainer's loss buffer, never rebound.

The graph is recaptured when the net's dict holds other tensors than those captured (after
``load_params`` on resume, say). Before the capture the step runs twice on a side stream on a
copy of the net, so that cuBLAS and the caching allocator are warm and the net's parameters are
not touched. Both streams are made on the net's GPU and the capture's is passed to
``torch.cuda.graph``: a stream made without a device is the current GPU's (cuda:0 for a net on
cuda:1), and torch.cuda.graph's own default is made once a process, on whichever GPU was current
then; the net's kernels, queued on their own GPU's stream, would run at once instead of being
recorded. On the CPU, ``GraphPath(trainer, capture=False)`` runs the very same graph_step
eagerly: the tests compare it with the reference step, trace it with make_fx to show that no
Python number is frozen into it, and record its ops to show that it never reads the host.
"""

from __future__ import annotations

import time

from array_api_compat import is_torch_namespace

from ..backends import array_namespace
from ..step import training_step

__all__ = ["GraphPath", "graph_step"]

WARM_UP_STEPS = 2


def graph_step(net, optimizer, x_train, t_train, batches, losses, slot, lr) -> None:
    """One training step of net, with every value that changes from step to step in a device
    tensor: row ``slot`` of ``batches`` (E, batch_size) is the batch, ``losses[slot]`` gets its
    loss, then slot advances by one; lr: a 0-d tensor. The tensors are written in place."""
    xp = array_namespace(x_train)
    batch = xp.reshape(xp.take(batches, slot, axis=0), (-1,))
    training_step(net, x_train, t_train, batch, optimizer, losses, slot, lr=lr)
    slot += 1  # in place: the next replay's slot


class GraphPath:
    """``run(i0, i1)``: steps i0..i1-1 of trainer as replays of one captured step (capture=False:
    the same step eagerly, for a CPU). ``capture_seconds``: the last capture's time, warm-up
    included."""

    name = "torch-graph"

    def __init__(self, trainer, *, capture: bool = True) -> None:
        from .path import FastPathUnavailable

        backend = trainer.net.backend
        on_cuda = is_torch_namespace(backend.xp) and backend.device.type == "cuda"
        if capture and not on_cuda:
            where = f"{backend.name} on {backend.device}"
            raise FastPathUnavailable(
                self.name, f"torch.cuda.graph needs a torch network on CUDA; this one is {where}"
            )
        self.trainer, self.capture = trainer, capture
        xp, device, net = backend.xp, backend.device, trainer.net
        self.device = device  # the GPU whose streams the capture uses
        shape = (trainer.iters_per_epoch, trainer.batch_size)
        self.batches = xp.zeros(shape, dtype=xp.int64, device=device)
        self.slot = xp.zeros((1,), dtype=xp.int64, device=device)
        self.lr = xp.full((), trainer.optimizer.lr, dtype=net.dtype, device=device)
        self._copied = None  # the epoch's batch indices last copied into self.batches
        self._captured: dict = {}  # the tensors the graph was captured on
        self.graph = None
        self.capture_seconds = None
        if capture:
            self._capture()

    def _arguments(self, net, losses, slot) -> tuple:
        t = self.trainer
        return (net, t.optimizer, t.x_train, t.t_train, self.batches, losses, slot, self.lr)

    def _capture(self) -> None:
        import torch

        start = time.perf_counter()
        t, device = self.trainer, self.device
        twin, losses, slot = t.net.copy(), t._losses.clone(), self.slot.clone()
        side = torch.cuda.Stream(device=device)
        side.wait_stream(torch.cuda.current_stream(device))
        with torch.cuda.stream(side):  # warm-up on copies: cuBLAS handles, allocator, kernels
            for _ in range(WARM_UP_STEPS):
                slot.zero_()
                graph_step(*self._arguments(twin, losses, slot))
        torch.cuda.current_stream(device).wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        capture = torch.cuda.Stream(device=device)  # not torch.cuda.graph's own: see above
        with torch.cuda.graph(graph, stream=capture):  # records; runs nothing
            graph_step(*self._arguments(t.net, t._losses, self.slot))
        torch.cuda.synchronize(device)
        self.graph = graph
        self._captured = self._tensors()
        self.capture_seconds = time.perf_counter() - start

    def _tensors(self) -> dict:
        t = self.trainer
        return {**t.net.params, "losses": t._losses, "x_train": t.x_train, "t_train": t.t_train}

    def _stale(self) -> bool:
        """Whether the trainer now holds tensors the graph was not captured on."""
        now = self._tensors()
        return now.keys() != self._captured.keys() or any(
            now[key] is not value for key, value in self._captured.items()
        )

    def run(self, i0: int, i1: int) -> int:
        t = self.trainer
        batches, j0 = t._epoch_batches(i0)
        if batches is not self._copied:  # a new epoch's draws: into the static buffer
            self.batches.copy_(batches)
            self._copied = batches
        if self.capture and self._stale():
            self._capture()
        self.slot.fill_(j0)
        self.lr.fill_(t.optimizer.lr)
        for i in range(i0, i1):
            if self.capture:
                self.graph.replay()
            else:
                graph_step(*self._arguments(t.net, t._losses, self.slot))
            if t._stop:  # Ctrl-C: stop at the end of the step, as the eager loop does
                return i + 1
        return i1
