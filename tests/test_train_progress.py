"""The progress bar of xpnet.train in a Jupyter kernel: tqdm's widget where ipywidgets is
installed, else its text bar, never the "IProgress not found" warning of tqdm.auto; it stays
when the run ends there, and callback=print prints one line per evaluation. (The notebooks
session runs xpnet.train in a real kernel too: noxfile.py, notebooks.)"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import xpnet

ONCE = pytest.mark.skipif(  # tqdm's choice: the same on every backend
    os.environ.get("XPNET_BACKEND", "numpy") not in ("numpy", ""),
    reason="the progress bar does not depend on the backend: tested in the numpy session",
)

AS_IN_A_KERNEL_WITHOUT_IPYWIDGETS = textwrap.dedent(
    """
    import sys, types, warnings
    sys.modules["ipykernel"] = types.ModuleType("ipykernel")  # what a Jupyter kernel has loaded
    sys.modules["ipywidgets"] = None  # not installed: tqdm.auto would warn "IProgress not found"
    warnings.simplefilter("error")
    import xpnet
    from xpnet.training.progress import progress_bar
    bar = progress_bar(total=3)
    print(type(bar).__module__, bar.leave)
    bar.close()
    net = xpnet.TwoLayerNet(784, 50, 10, seed=0)
    (x, t), test = xpnet.load_mnist_sample()
    xpnet.train(net, (x[:400], t[:400]), test, iters_num=9, callback=print, seed=0)
    """
)


@ONCE
def test_in_a_kernel_without_ipywidgets_the_bar_is_text_and_stays():
    result = subprocess.run(
        [sys.executable, "-c", AS_IN_A_KERNEL_WITHOUT_IPYWIDGETS],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "tqdm.std True"
    assert lines[1].startswith("epoch 1 (iteration 1): loss ")  # callback=print: one row each
    assert lines[-1].startswith("epoch 3 (iteration 9): loss ")  # 4 an epoch: 1, 5, then final
    assert "IProgress" not in result.stderr and "Warning" not in result.stderr
    assert "9/9" in result.stderr  # the text bar, left at its end


@ONCE
def test_outside_a_notebook_the_bar_goes_when_the_run_ends():
    from xpnet.training.progress import progress_bar

    bar = progress_bar(total=1, disable=True)
    assert bar.leave is ("ipykernel" in sys.modules)
    bar.close()


@ONCE
def test_callback_print_calls_the_final_models_evaluation_final_as_the_cli_does(capsys):
    net = xpnet.TwoLayerNet(784, 20, 10, seed=0)
    (x, t), (x_test, t_test) = xpnet.load_mnist_sample()
    history = xpnet.train(
        net,
        (x[:400], t[:400]),
        (x_test[:100], t_test[:100]),
        iters_num=10,
        seed=0,
        progress=False,
        callback=print,
    )  # 4 steps an epoch: the book evaluates after steps 1, 5, 9; step 10 is off its schedule
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "epoch 1 (iteration 1)",
        "epoch 2 (iteration 5)",
        "epoch 3 (iteration 9)",
        "final (iteration 10)",
    ]
    assert [record.final for record in history.epochs] == [False, False, False, True]
    assert xpnet.History.from_arrays(history.arrays()) == history  # a checkpoint keeps it
