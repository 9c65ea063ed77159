"""What happens when…: every case a user can run into, run as the user would, its message
captured. The documentation's troubleshooting page is generated from these cases when the docs
are built (docs/_ext/xpnet_pages.py calls :func:`render`), so every message on it is what the
code says today; here each case is checked to still say the words of its ``expect``.

A case is a Python snippet (run after ``import numpy as np`` and ``import xpnet``, in a fresh
folder, offline) or shell lines starting with ``$`` (``xpnet`` is ``python -m xpnet``), run in a
fresh folder one after the other; what is shown is the exception or warning the snippet raised,
or the last line the last command printed (``pick``: the lines matching a pattern) and its exit
status. Cases run where their libraries are installed: the numpy session runs those that need
nothing more, the torch, jax and dask sessions those that need their library, and the docs
session runs them all.

Run ``python tests/test_troubleshooting.py`` to print the page.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
CLOSED_PORT = "http://127.0.0.1:1/"  # "offline": the MNIST mirrors point at a port nobody serves


@dataclass(frozen=True)
class Case:
    what: str  # what happens, in the user's words
    code: str  # a Python snippet, or shell lines "$ ..."
    expect: str  # words the message must hold (checked by the test, and when the page is built)
    needs: tuple[str, ...] = ()  # libraries the case needs besides NumPy
    pick: str | None = None  # shell: a regex choosing the output lines shown (default: the last)
    in_repository: bool = False  # shell: run in the repository (it runs its tests)
    note: str = ""  # one sentence under the message

    @property
    def shell(self) -> bool:
        return self.code.lstrip().startswith("$ ")

    @property
    def id(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.what.lower()).strip("-")[:60]


# -- the cases, by topic ---------------------------------------------------------------------------

TRAIN = "xpnet train --dataset sample --device cpu --no-plot"  # offline, no figures
A_RUN = f"$ {TRAIN} --iters 45 --out runs/a"  # a short finished run to resume or damage

SHAPES = [
    Case(
        "x and t of different batch sizes",
        "net = xpnet.TwoLayerNet(784, 50, 10)\n"
        "net.loss(np.zeros((100, 784)), np.zeros(99, dtype=int))",
        "t must have one row per sample of x",
    ),
    Case(
        "x and t of different lengths for xpnet.train",
        "(x, t), test = xpnet.load_mnist_sample()\n"
        "xpnet.train(xpnet.TwoLayerNet(784, 50, 10), (x, t[:-1]), test)",
        "x has 4000 samples but t has 3999",
    ),
    Case(
        "the wrong number of features for the network",
        "net = xpnet.TwoLayerNet(784, 50, 10)\nnet.predict(np.zeros((100, 100)))",
        "or make a net for yours, TwoLayerNet(input_size=100, ...)",
    ),
    Case(
        "the wrong number of features for xpnet.train",
        "(x, t), test = xpnet.load_mnist_sample()\n"
        "xpnet.train(xpnet.TwoLayerNet(784, 50, 10), (x[:, :100], t), test)",
        "but the network's input_size is 784",
    ),
    Case(
        "t neither labels (N,) nor one-hot (N, C)",
        "net = xpnet.TwoLayerNet(784, 50, 10)\n"
        "net.loss(np.zeros((100, 784)), np.zeros((100, 1), dtype=int))",
        "t must be labels of shape (100,) or one-hot of shape (100, 10)",
    ),
    Case(
        "float labels",
        "net = xpnet.TwoLayerNet(784, 50, 10)\n"
        "net.loss(np.zeros((3, 784)), np.array([1.0, 2.0, 3.0]))",
        "labels t must have an integer dtype",
    ),
    Case(
        "a batch of no samples",
        "net = xpnet.TwoLayerNet(784, 50, 10)\nnet.predict(np.zeros((0, 784)))",
        "empty batch",
    ),
    Case(
        "the loss of no samples",
        "xpnet.cross_entropy_error(np.zeros((0, 10)), np.zeros(0, dtype=int))",
        "the mean over no samples is undefined",
    ),
    Case(
        "softmax of no classes",
        "xpnet.softmax(np.zeros((4, 0)))",
        "softmax needs at least one class",
    ),
    Case(
        "a Python list where an array belongs",
        "xpnet.softmax([1.0, 2.0])",
        "Pass an array: numpy.asarray([1.0, 2.0])",
    ),
]

VALUES = [
    Case(
        "a one-hot row that is not one-hot (NaN, soft targets)",
        "(x, t), test = xpnet.load_mnist_sample(one_hot_label=True)\n"
        "t[3, 2] = np.nan\n"
        "xpnet.train(xpnet.TwoLayerNet(784, 50, 10), (x, t), test)",
        "must hold a single 1 per row and 0 elsewhere",
    ),
    Case(
        "labels out of range for xpnet.train",
        "(x, t), test = xpnet.load_mnist_sample()\n"
        "xpnet.train(xpnet.TwoLayerNet(784, 50, 10), (x, t + 1), test)",
        "labels t must lie in 0..9",
    ),
    Case(
        "labels out of range in a loss",
        "xpnet.cross_entropy_error(np.full((2, 3), 1 / 3), np.array([-1, 2]))",
        "labels t must lie in 0..2 for 3 classes",
        note="NumPy labels are read; labels of other libraries are not (on a GPU that would wait"
        " for the device): the loss is nan there, and one_hot's row NaN, never a plausible number.",
    ),
    Case(
        "NaN or infinity in the input data",
        "(x, t), test = xpnet.load_mnist_sample()\n"
        "x[7, 300] = np.inf\n"
        "xpnet.train(xpnet.TwoLayerNet(784, 50, 10), (x, t), test)",
        "x holds NaN or infinity (first at index (7, 300))",
    ),
    Case(
        "raw uint8 pixels (0..255) for xpnet.train",
        "(x, t), test = xpnet.load_mnist_sample(normalize=False)\n"
        "xpnet.train(xpnet.TwoLayerNet(784, 50, 10), (x, t), test)",
        "x must be floating-point",
    ),
    Case(
        "a hidden size that is no positive integer",
        "xpnet.TwoLayerNet(784, -3, 10)",
        "hidden_size must be a positive integer; got -3",
    ),
    Case(
        "a weight_init_std that is no finite number > 0",
        "xpnet.TwoLayerNet(784, 50, 10, weight_init_std=float('nan'))",
        "weight_init_std must be a finite number > 0",
    ),
    Case(
        "SimpleNet given a W of another shape",
        "xpnet.SimpleNet(W=np.zeros(6))",
        "W must have shape (2, 3)",
    ),
    Case(
        "a keyword xpnet.train does not take",
        "(x, t), test = xpnet.load_mnist_sample()\n"
        "xpnet.train(xpnet.TwoLayerNet(784, 50, 10), (x, t), test, lr=0.1)",
        "pass learning_rate=0.1",
    ),
    Case(
        "batch_size larger than the training set",
        f"$ {TRAIN} --batch-size 5000",
        "--batch-size must be an integer from 1 to the training set's size 4000",
    ),
    Case(
        "a learning rate that is not positive",
        "(x, t), test = xpnet.load_mnist_sample()\n"
        "xpnet.train(xpnet.TwoLayerNet(784, 50, 10), (x, t), test, learning_rate=-1)",
        "learning_rate must be a finite number > 0; got -1: pass one such as the book's"
        " learning_rate=0.1",
    ),
]

GRADIENTS = [
    Case(
        "integer x for numerical_gradient",
        "xpnet.numerical_gradient(lambda x: (x**2).sum(), np.array([1, 2]))",
        "x must be a floating-point array; got dtype int64",
    ),
    Case(
        "float16 x for numerical_gradient",
        "xpnet.numerical_gradient(lambda x: (x**2).sum(), np.array([1.0, 2.0], dtype=np.float16))",
        "a step too small for dtype float16",
    ),
    Case(
        "float32 x for numerical_gradient",
        "xpnet.numerical_gradient(lambda x: (x**2).sum(), np.array([1.0, 2.0], dtype=np.float32))",
        "use float64 for accurate numerical gradients",
    ),
    Case(
        "numerical_gradient of an f that returns an array",
        "xpnet.numerical_gradient(lambda x: x**2, np.array([1.0, 2.0]))",
        "f must return a scalar",
    ),
    Case(
        "gradient_descent with a learning rate that is no number",
        "xpnet.gradient_descent(lambda x: (x**2).sum(), np.array([1.0, 2.0]), lr='0.1')",
        "lr must be a positive number; got str '0.1'",
    ),
    Case(
        "gradient_descent with a negative step count",
        "xpnet.gradient_descent(lambda x: (x**2).sum(), np.array([1.0, 2.0]), step_num=-1)",
        "step_num must be an integer >= 0; got -1",
    ),
    Case(
        "on JAX, a closure that ignores its argument",
        "import jax.numpy as jnp\n"
        "net = xpnet.TwoLayerNet(4, 3, 2, xp=jnp, seed=0)\n"
        "x, t = jnp.ones((2, 4)), jnp.asarray([0, 1])\n"
        "xpnet.numerical_gradient(lambda W: net.loss(x, t), net.params['W1'])",
        "f ignores its argument",
        needs=("jax",),
    ),
]

LIBRARIES = [
    Case(
        "a torch tensor for a NumPy network",
        "import torch\n"
        "net = xpnet.TwoLayerNet(784, 50, 10)\n"
        "net.predict(torch.zeros(3, 784, dtype=torch.float64))",
        "x is a torch tensor but the network's parameters are numpy arrays",
        needs=("torch",),
    ),
    Case(
        "y and t of two libraries in a loss",
        "import torch\nxpnet.cross_entropy_error(np.full((2, 3), 1 / 3), torch.tensor([0, 1]))",
        "needs y and t from one array library",
        needs=("torch",),
    ),
    Case(
        "x on another device than the network",
        "import array_api_strict as xps\n"
        "net = xpnet.TwoLayerNet(4, 3, 2, xp=xps, device=xps.Device('device1'))\n"
        "net.predict(xps.ones((2, 4), dtype=xps.float64))",
        "but the network's parameters are on",
        needs=("array_api_strict",),
    ),
    Case(
        "y and t on two devices in a loss",
        "import array_api_strict as xps\n"
        "y = xps.ones((2, 3), dtype=xps.float64) / 3\n"
        "t = xps.asarray([0, 1], device=xps.Device('device1'))\n"
        "xpnet.cross_entropy_error(y, t)",
        "move t first",
        needs=("array_api_strict",),
    ),
]

DEVICES = [
    Case(
        "device='cuda' without a usable GPU (Python)",
        "xpnet.TwoLayerNet(784, 50, 10, device='cuda')",
        'device="cpu"',
        note="Errors raised to Python give Python advice; xpnet's commands translate it into"
        " flags in one place (xpnet/cli/words.py). A GPU that CuPy sees but cannot use (CUDA's"
        " libraries missing) is named the same way: which library failed, and the pip extra that"
        " brings it.",
    ),
    Case(
        "--device cuda without a usable GPU",
        f"$ {TRAIN.replace(' --device cpu', '')} --device cuda",
        "--device cpu",
    ),
    Case(
        "--backend cupy on the CPU",
        "$ xpnet train --device cpu --backend cupy",
        "backend 'cupy' runs on a GPU only",
    ),
    Case(
        "a test session naming a backend that cannot run here",
        "$ XPNET_BACKEND=cupy python -m pytest -q tests/test_functions.py",
        "asks for cupy",
        in_repository=True,
        pick=r"ERROR|exit",
        note="Exit status 4 and no test run, instead of a session that passes with every test"
        " skipped.",
    ),
]

DASK = [
    Case(
        "training a network of Dask arrays",
        "import dask.array as da\n"
        "(x, t), test = xpnet.load_mnist_sample()\n"
        "xpnet.train(xpnet.TwoLayerNet(784, 50, 10, xp=da), (x, t), test)",
        "training refuses a network of dask arrays",
        needs=("dask",),
    ),
    Case(
        "xpnet train --backend dask",
        f"$ {TRAIN} --backend dask",
        "xpnet evaluate CHECKPOINT --backend dask",
        needs=("dask",),
        note="Refused before the header is printed or any data is read.",
    ),
    Case(
        "numerical_gradient of a Dask x",
        "import dask.array as da\n"
        "xpnet.numerical_gradient(lambda x: (x**2).sum(), da.ones(4, chunks=2))",
        "pass a NumPy array",
        needs=("dask",),
    ),
]

TRAINING = [
    Case(
        "the loss becomes NaN or infinite",
        f"$ {TRAIN} --lr 1e10 --out runs/b",
        "training diverged",
        note="Exit status 1; the CSVs are written and checkpoint.npz is never replaced by a"
        " non-finite state. In Python: DivergenceError, with .iteration and .history.",
    ),
    Case(
        "the loss stays finite but worse than guessing",
        f"$ {TRAIN} --lr 1000 --iters 100 --out runs/c",
        "worse than guessing",
        pick=r"^warning",
        note="A TrainingWarning, once a run; training goes on.",
    ),
    Case(
        "Ctrl-C during xpnet train",
        f"$ timeout --preserve-status -s INT 8 {TRAIN} --iters 1000000 --out t",
        "resume with",
        pick=r"interrupted|resume|exit",
        note="The running step finishes and the checkpoint is written first (exit status 130);"
        " resuming gives the same losses and weights as a run never stopped.",
    ),
    Case(
        "SIGTERM to xpnet train (a job scheduler, kill, a closed terminal)",
        f"$ timeout --preserve-status -s TERM 8 {TRAIN} --iters 1000000 --out t",
        "stopped by SIGTERM",
        pick=r"SIGTERM|resume|exit",
    ),
    Case(
        "xpnet train into a closed pipe (xpnet train | head)",
        f"$ {TRAIN} --iters 200 --out p | head -1; tail -1 p/metrics.csv",
        "200,",
        note="Not an error of the run: training goes on to its end and writes every file; what"
        " it prints after the reader has gone goes nowhere.",
    ),
]

RUNS = [
    Case(
        "a second xpnet train into the folder of a running one",
        f"$ {TRAIN} --iters 1000000 --out t & sleep 6\n$ {TRAIN} --out t",
        "is in use by another xpnet train",
        pick=r"in use",
    ),
    Case(
        "--out a folder that holds another run",
        f"{A_RUN}\n$ {TRAIN} --out runs/a",
        "already holds a run",
    ),
    Case(
        "--resume with a flag that contradicts the checkpoint",
        f"{A_RUN}\n$ xpnet train --resume runs/a --dtype float64 --hidden-size 100",
        "these flags contradict the checkpoint",
    ),
    Case(
        "--resume with a new --lr",
        f"{A_RUN}\n$ xpnet train --resume runs/a --iters 90 --lr 0.05 --no-plot",
        "--lr: 0.1 in the checkpoint, 0.05 now",
        pick=r"^resuming",
        note="The run goes on with the new learning rate.",
    ),
    Case(
        "--resume a finished run without a new total",
        f"{A_RUN}\n$ xpnet train --resume runs/a",
        "is finished: 45 of 45 iterations",
    ),
    Case(
        "--resume with --iters below the steps made",
        f"{A_RUN}\n$ xpnet train --resume runs/a --iters 30",
        "--iters 30 is below that",
    ),
    Case(
        "--resume a folder that holds no run",
        "$ mkdir empty\n$ xpnet train --resume empty",
        "a folder without a checkpoint.npz",
    ),
    Case(
        "--resume a file that is not there",
        "$ xpnet train --resume runs/none/checkpoint.npz",
        "does not exist",
    ),
    Case(
        "a write fails (a full disk, a file-size limit, a read-only --out)",
        f"$ (ulimit -f 64; trap '' XFSZ; {TRAIN} --iters 45 --out big)",
        "File too large",
        note="Checkpoints, CSVs and the MNIST cache are written to a temporary file and renamed,"
        " so the previous good file stays in place and no partial file is left.",
    ),
]

CHECKPOINTS = [
    Case(
        "a checkpoint with NaN or infinite weights",
        f"$ {TRAIN} --lr 1e10 --keep-going --iters 45 --out runs/b\n"
        "$ xpnet train --resume runs/b/diverged.npz",
        "NaN or infinite values",
    ),
    Case(
        "a truncated checkpoint",
        f"{A_RUN}\n$ head -c 1000 runs/a/checkpoint.npz > cut.npz\n$ xpnet train --resume cut.npz",
        "is not a readable checkpoint",
    ),
    Case(
        "a checkpoint altered in place",
        "from xpnet.checkpoint import load_checkpoint, save_checkpoint\n"
        "path = save_checkpoint('c.npz', xpnet.TwoLayerNet(784, 50, 10))\n"
        "data = bytearray(path.read_bytes()); data[5000] ^= 0xFF; path.write_bytes(data)\n"
        "load_checkpoint('c.npz')",
        "Bad CRC-32",
    ),
    Case(
        "an .npz file that is not a checkpoint",
        "from xpnet.checkpoint import load_checkpoint\n"
        "np.savez('other.npz', x=np.zeros(3))\nload_checkpoint('other.npz')",
        "is not an xpnet checkpoint",
    ),
    Case(
        "a parameter of integer dtype",
        "from xpnet.checkpoint import load_checkpoint, save_checkpoint\n"
        "net = xpnet.TwoLayerNet(4, 3, 2)\n"
        "save_checkpoint('int.npz', net)\n"
        "with np.load('int.npz') as f:\n    members = dict(f)\n"
        "members['params/W1'] = np.zeros((4, 3), dtype=np.int64)  # written by hand\n"
        "np.savez('int.npz', **members)\nload_checkpoint('int.npz')",
        "expected float32 or float64",
    ),
    Case(
        "an object array (a pickle) inside the .npz",
        "import json\nfrom xpnet.checkpoint import load_checkpoint\n"
        "net = xpnet.TwoLayerNet(4, 3, 2).config\n"
        "meta = {'format': 'xpnet-checkpoint/1', 'net': net, 'state': {}}\n"
        "np.savez('evil.npz', meta=np.array(json.dumps(meta)),\n"
        "         **{'params/W1': np.array([object()], dtype=object)})\n"
        "load_checkpoint('evil.npz')",
        "which xpnet never loads",
        note="Nothing is unpickled, so no code runs.",
    ),
    Case(
        "a checkpoint of another architecture",
        "from xpnet.checkpoint import load_checkpoint, load_params, save_checkpoint\n"
        "save_checkpoint('c.npz', xpnet.TwoLayerNet(784, 50, 10))\n"
        "load_params(xpnet.TwoLayerNet(784, 100, 10), load_checkpoint('c.npz'))",
        "but the network expects (784, 100)",
    ),
    Case(
        "--resume a checkpoint without a training run",
        "$ python -c \"import xpnet; xpnet.save_checkpoint('n.npz', xpnet.TwoLayerNet(4, 3, 2))\"\n"
        "$ xpnet train --resume n.npz",
        "holds a network but no training run",
    ),
]

DATA = [
    Case(
        "xpnet.load_mnist() offline",
        "xpnet.load_mnist()",
        "xpnet.load_mnist_sample()",
        note="Offline here means the mirrors point at a closed port"
        f" (XPNET_MNIST_MIRRORS={CLOSED_PORT}).",
    ),
    Case(
        "xpnet train --dataset mnist offline",
        "$ xpnet train --dataset mnist --device cpu",
        "--dataset sample",
    ),
    Case(
        "a damaged MNIST cache, and nothing to rebuild it from",
        "from xpnet.datasets import data_dir\n"
        "(data_dir() / 'mnist.npz').write_bytes(b'not a zip file')\n"
        "xpnet.load_mnist(download=False)",
        "is not a valid MNIST cache",
        note="With the verified .gz files still there, the cache is rebuilt from them instead,"
        " with a UserWarning saying so (tests/datasets/test_mnist.py). With download=True (the"
        " default) and no network, the download's error is raised instead.",
    ),
]

COMMAND_LINE = [
    Case("a flag value that is no number", "$ xpnet train --lr abc", "expected a positive number"),
    Case(
        "a flag value out of range",
        "$ xpnet train --lr inf",
        "expected a positive, finite number; got inf",
    ),
    Case("a negative seed", "$ xpnet train --seed -1", "expected an integer from 0 up"),
    Case("a mistyped flag", "$ xpnet train --lrr 0.1", "(did you mean --lr?)"),
]

TOPICS = {
    "Shapes and arguments": SHAPES,
    "Values in the data and the settings": VALUES,
    "Numerical gradients": GRADIENTS,
    "Arrays of two libraries or two devices": LIBRARIES,
    "GPUs and devices": DEVICES,
    "Dask": DASK,
    "Training": TRAINING,
    "A run's folder, resuming": RUNS,
    "Checkpoints": CHECKPOINTS,
    "Data": DATA,
    "The command line": COMMAND_LINE,
}
CASES = [case for cases in TOPICS.values() for case in cases]


# -- running a case --------------------------------------------------------------------------------


def missing(case: Case) -> list[str]:
    """The libraries the case needs that are not installed here."""
    return [name for name in case.needs if importlib.util.find_spec(name) is None]


@contextlib.contextmanager
def _in_folder(folder: Path, env: dict[str, str]):
    before, saved = Path.cwd(), dict(os.environ)
    os.chdir(folder)
    os.environ.update(env)
    try:
        yield
    finally:
        os.chdir(before)
        os.environ.clear()
        os.environ.update(saved)


def _environment(folder: Path) -> dict[str, str]:
    (folder / "data").mkdir(exist_ok=True)
    return {
        "XPNET_DATA_DIR": str(folder / "data"),
        "XPNET_MNIST_MIRRORS": CLOSED_PORT,
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }


def _run_python(case: Case, folder: Path) -> str:
    import numpy as np

    import xpnet
    from xpnet.backends import Float64Notice

    namespace = {"np": np, "xpnet": xpnet, "__name__": "__case__"}
    with _in_folder(folder, _environment(folder)), warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            exec(compile(case.code, f"<{case.id}>", "exec"), namespace)
        except Exception as error:
            return f"{type(error).__name__}: {error}"
    shown = [w for w in seen if not issubclass(w.category, Float64Notice)] or seen
    return "\n".join(f"{w.category.__name__}: {w.message}" for w in shown[:1])


def _run_shell(case: Case, folder: Path) -> str:
    bin_folder = folder / ".bin"
    bin_folder.mkdir(exist_ok=True)
    for name, command in (("xpnet", f'"{sys.executable}" -m xpnet'), ("python", sys.executable)):
        script = bin_folder / name
        script.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
        script.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "XPNET_BACKEND"}
    env.update(_environment(folder))
    env["PATH"] = f"{bin_folder}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPOSITORY / "src"), env.get("PYTHONPATH")])
    )
    lines = [line[2:] for line in case.code.splitlines() if line.startswith("$ ")]
    script = [
        "set -m",  # job control: `%1` names a job started on an earlier line
        "trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT",  # no background job outlives the case
        *(f"{{ {line}\n}} >>.setup.log 2>&1" for line in lines[:-1]),
        f"{{ {lines[-1]}\n}} 2>&1",  # what is shown: the last line's output and exit status
    ]
    process = subprocess.Popen(
        ["bash", "-c", "\n".join(script)],
        cwd=REPOSITORY if case.in_repository else folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, ended whole on a timeout
    )
    try:
        output, _ = process.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        output, _ = process.communicate()
        output += "\n(timed out after 240 s)"
    status = process.returncode
    shown = [line.rstrip() for line in output.splitlines() if line.strip()]
    if case.pick:
        shown = [line for line in shown if re.search(case.pick, line)]
    else:
        shown = shown[-1:]
    return "\n".join([*shown, f"(exit status {status})"])


def run(case: Case) -> str:
    """What the user sees for this case, with the run's own folder written as a relative path."""
    with tempfile.TemporaryDirectory(prefix="xpnet-case-") as name:
        folder = Path(name).resolve()
        seen = _run_shell(case, folder) if case.shell else _run_python(case, folder)
    for path in (str(folder), str(REPOSITORY)):
        seen = seen.replace(path + os.sep, "").replace(path, ".")
    return seen.replace(sys.executable, "python")


# -- the page --------------------------------------------------------------------------------------

INTRO = """\
# What happens when…

Bad input is refused at the public boundary with a `ValueError` or `TypeError` that names the
argument, what was expected, what came and the fix. Checks on shapes, dtypes, libraries and
devices are free and run on every call; checks on values (labels in range, finite pixels, one-hot
rows) read every element, so they run once, where the data enters `xpnet.train` or the MNIST
loader, never inside the training loop. `xpnet` turns each into one line on stderr and exit
status 2.

This page is generated when the documentation is built: each case below was run then, as
shown, and the message is what the code said ({count} cases, from `tests/test_troubleshooting.py`,
whose test checks each one in CI). Python cases start from `import numpy as np` and
`import xpnet`, in an empty folder, offline; shell cases run in an empty folder, `$ xpnet` being
`python -m xpnet`.
"""


def render(*, on_missing=None) -> str:
    """The troubleshooting page, Markdown: every case run now. on_missing(case, names) is
    called for a case whose libraries are not installed here (it is left out of the page)."""
    parts = [INTRO.format(count=len(CASES))]
    for topic, cases in TOPICS.items():
        parts.append(f"## {topic}\n")
        for case in cases:
            absent = missing(case)
            if absent:
                if on_missing is not None:
                    on_missing(case, absent)
                continue
            seen = run(case)
            if case.expect not in seen and on_missing is not None:
                on_missing(case, [f"its message no longer says {case.expect!r}: {seen!r}"])
            language = "console" if case.shell else "python"
            parts.append(f"### {case.what}\n\n```{language}\n{case.code}\n```\n")
            parts.append(f"```text\n{seen}\n```\n")
            if case.note:
                parts.append(f"{case.note}\n")
    return "\n".join(parts)


# -- the test --------------------------------------------------------------------------------------


def _runs_in_this_session(case: Case) -> bool:
    """The numpy session (or none) runs the cases that need nothing more; a library's session
    runs those that need it."""
    session = os.environ.get("XPNET_BACKEND", "")
    if not case.needs:
        return session in ("", "numpy")
    return not session or session in case.needs


@pytest.mark.parametrize(
    "case",
    [pytest.param(case, marks=[pytest.mark.slow] if case.shell else []) for case in CASES],
    ids=[case.id for case in CASES],
)
def test_the_case_says_what_the_page_shows(case):
    if not _runs_in_this_session(case):
        pytest.skip(f"runs in the session of {', '.join(case.needs) or 'numpy'}")
    absent = missing(case)
    if absent:
        pytest.skip(f"needs {', '.join(absent)}")
    seen = run(case)
    assert case.expect in seen, f"{case.what}: expected {case.expect!r} in\n{seen}"


def test_every_case_has_its_own_title():
    titles = [case.what for case in CASES]
    assert len(titles) == len(set(titles))
    assert len({case.id for case in CASES}) == len(CASES)


if __name__ == "__main__":
    print(
        render(on_missing=lambda case, why: print(f"not run: {case.what}: {why}", file=sys.stderr))
    )
