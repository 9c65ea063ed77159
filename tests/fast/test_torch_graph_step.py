"""What torch.cuda.graph records of the step, checked on the CPU (torch-graph's CPU proxies).

A CUDA graph replays the kernels it captured with the arguments they had: a Python number the
step used (its index, the learning rate) would be replayed forever, and a host read inside the
captured region is an error. Here the very function the capture records,
xpnet.fast._torch.graph_step, is traced by make_fx at two steps with two learning rates: the
traces are the same program, so nothing of either is frozen into it (and the same trace of the
eager step's own inputs, a Python index and rate, differs: the check can fail). And a
TorchDispatchMode over graph_step (tests/backends/test_syncs.py's Recorder, which also notes the
Tensor methods that leave torch: on the CPU ``.cpu()``, ``.numpy()`` and ``.tolist()`` run no
op) sees nothing that reads the host or makes a tensor from Python.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from backends.test_syncs import FROM_PYTHON, HOST_READS, watching  # noqa: E402
from torch.fx.experimental.proxy_tensor import make_fx  # noqa: E402

import xpnet  # noqa: E402
from xpnet.fast._torch import graph_step  # noqa: E402
from xpnet.step import training_step  # noqa: E402
from xpnet.train import Trainer  # noqa: E402

HOST = FROM_PYTHON | HOST_READS  # ops that wait for the host, or make a tensor from Python
KEYS = ("W1", "b1", "W2", "b2")


def small_trainer() -> Trainer:
    rng = torch.Generator().manual_seed(0)
    x = torch.rand(120, 12, generator=rng, dtype=torch.float64).numpy()
    t = torch.randint(0, 5, (120,), generator=rng).numpy()
    net = xpnet.TwoLayerNet(12, 8, 5, device=torch.device("cpu"), seed=0)
    return Trainer(net, (x, t), (x[:20], t[:20]), batch_size=10, seed=0, step="eager")


@pytest.fixture(scope="module")
def trainer():
    return small_trainer()


def tensors(trainer, slot: int, lr: float) -> list:
    """The inputs of a captured step: the parameters, the data, the epoch's batch indices, the
    loss buffer, the slot and the learning rate (copies: tracing runs the step)."""
    batches, _ = trainer._epoch_batches(0)
    params = [torch.clone(trainer.net.params[key]) for key in KEYS]
    slot_tensor = torch.tensor([slot])
    lr_tensor = torch.tensor(lr, dtype=torch.float64)
    state = [trainer.x_train, trainer.t_train, batches, torch.clone(trainer._losses)]
    return [*params, *state, slot_tensor, lr_tensor]


def traced_code(trainer, slot: int, lr: float, *, frozen: bool = False) -> str:
    """make_fx's code of one step at (slot, lr): graph_step, or with frozen=True the eager
    step's own way of being told them (a Python index and the optimizer's Python rate). The
    optimizer's own rate is lr during either trace, as GraphPath.run has it (it fills its lr
    tensor from optimizer.lr): a graph_step that read the Python rate would differ."""
    net, optimizer = trainer.net, trainer.optimizer

    def step(W1, b1, W2, b2, x_train, t_train, batches, losses, slot_tensor, lr_tensor):
        twin = net._with_params(dict(zip(KEYS, (W1, b1, W2, b2), strict=True)))
        if not frozen:
            graph_step(twin, optimizer, x_train, t_train, batches, losses, slot_tensor, lr_tensor)
            return
        training_step(twin, x_train, t_train, batches[slot, :], optimizer, losses, slot)

    saved, optimizer.lr = optimizer.lr, lr
    try:
        return make_fx(step)(*tensors(trainer, slot, lr)).code
    finally:
        optimizer.lr = saved


def test_the_captured_step_freezes_neither_its_index_nor_the_learning_rate(trainer):
    here, there = traced_code(trainer, 3, 0.2), traced_code(trainer, 7, 0.05)
    assert here == there
    assert "aten.mm" in here and "index_put_" in here and "add_" in here
    assert not [op for op in HOST if op.removeprefix("aten.") + "." in here]
    assert "0.2" not in here and "0.05" not in here


def test_the_check_sees_a_frozen_index_and_learning_rate(trainer):
    """The eager step's inputs, traced alike, give two programs: what the check would catch."""
    here, there = (
        traced_code(trainer, 3, 0.2, frozen=True),
        traced_code(trainer, 7, 0.05, frozen=True),
    )
    assert here != there
    assert "0.2" in here and "0.05" in there


def test_the_captured_step_reads_nothing_back_to_the_host(trainer, monkeypatch):
    W1, b1, W2, b2, x_train, t_train, batches, losses, slot, lr = tensors(trainer, 4, 0.1)
    twin = trainer.net._with_params(dict(zip(KEYS, (W1, b1, W2, b2), strict=True)))
    recorder = watching(monkeypatch)
    with recorder:
        for _ in range(3):
            graph_step(twin, trainer.optimizer, x_train, t_train, batches, losses, slot, lr)
    assert recorder.ops["aten.mm"] == 3 * 5  # forward 2, backward 3 (no dx of x)
    assert recorder.waits == []
    assert slot.tolist() == [7]  # the step advanced its own slot, on the device
    assert bool((losses[4:7] > 0).all()) and not bool(losses[7:].any())


def test_the_capture_uses_streams_of_the_nets_gpu(monkeypatch):
    """For a net on cuda:1 every stream of the capture is cuda:1's: a stream made without a
    device is the current GPU's, and torch.cuda.graph's default capture stream is made once a
    process, on the GPU current then; the step's kernels, queued on cuda:1's own stream, would
    run at once instead of being recorded. A stand-in of torch.cuda records what
    GraphPath._capture asks for (the step itself runs eagerly, on the CPU)."""
    import contextlib

    from xpnet.fast._torch import GraphPath

    gpu, asked = torch.device("cuda", 1), []

    class Stream:
        def __init__(self, device=None):
            self.device = device
            asked.append(("Stream", device))

        def wait_stream(self, other):
            pass

    def current_stream(device=None):
        asked.append(("current_stream", device))
        return Stream.__new__(Stream)

    def graph(cuda_graph, pool=None, stream=None, **options):
        asked.append(("graph", getattr(stream, "device", None)))
        return contextlib.nullcontext()

    fakes = {
        "Stream": Stream,
        "current_stream": current_stream,
        "stream": lambda stream: contextlib.nullcontext(),
        "graph": graph,
        "CUDAGraph": object,
        "synchronize": lambda device=None: asked.append(("synchronize", device)),
    }
    for name, fake in fakes.items():
        monkeypatch.setattr(torch.cuda, name, fake)
    path = GraphPath(small_trainer(), capture=False)
    path.device = gpu  # as GraphPath(trainer) on cuda:1 has it
    path._capture()
    assert [name for name, _ in asked].count("Stream") == 2  # the warm-up's and the capture's
    assert ("graph", gpu) in asked
    assert asked and all(device == gpu for _, device in asked), asked
