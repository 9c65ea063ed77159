"""A learner's code as `xpnet check` runs it: the folders it changes into, the time it may take,
what it writes to the terminal. Each test writes the learner's file into tmp_path."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from xpnet.check.learner import load_learner
from xpnet.cli import main

from .learner_shapes import CH04_NET, book_repo, refusal, write


@pytest.fixture(autouse=True)
def _own_path(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # a learner's sys.path.append is undone


def test_a_chdir_into_a_folder_not_on_this_machine_is_skipped_naming_the_line(
    tmp_path, monkeypatch, capsys
):
    """The learner's own machine's folder: the change is skipped with a note naming the line,
    the file runs on from its own folder; a folder that is here is still changed into; the
    caller's current folder is the same after."""
    net_file = book_repo(tmp_path / "repo")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    header = (
        "import os\n"
        "os.chdir('/Users/someone/Documents/Python/deep-learning')\n"
        "SKIPPED_TO = os.getcwd()\n"
        f"os.chdir({str(elsewhere)!r})\n"
        "MADE_TO = os.getcwd()\n"
    )
    net_file.write_text(header + net_file.read_text())
    monkeypatch.chdir(tmp_path)
    chdir = os.chdir
    learner = load_learner(str(net_file))
    module = learner.cls.__init__.__globals__
    assert module["SKIPPED_TO"] == str(net_file.parent)
    assert module["MADE_TO"] == str(elsewhere)
    assert (
        "two_layer_net.py, line 2 changes into '/Users/someone/Documents/Python/deep-learning',"
        " a folder that is not on this machine: that change was skipped, and two_layer_net.py"
        f" runs on from its own folder ({net_file.parent})"
    ) in learner.notes
    assert not any(str(elsewhere) in note for note in learner.notes)
    assert Path.cwd() == tmp_path
    assert os.chdir is chdir
    assert main(["check", str(net_file)]) == 0
    assert "check PASSED" in capsys.readouterr().out
    assert Path.cwd() == tmp_path


LOST_INDENTATION = """
import numpy as np


class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class Net:
    def __init__(self, input_size, hidden_size, output_size):
        self.params = {}

def numerical_gradient(self, x, t):
    return {}
"""


def test_a_method_outside_its_class_is_said_and_the_rest_of_the_file_checked(tmp_path, capsys):
    """A net's numerical_gradient(self, x, t) that lost its indentation is no function of
    chapter 4 to check (called so, it raised a bare TypeError, exit 2): a note says so, and the
    layer in the file is checked."""
    path = write(tmp_path / "layer_naive.py", LOST_INDENTATION)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert (
        "note: numerical_gradient (line 21) takes self: a method outside its class? indent it"
        " into the class (or, for a function, drop self)"
    ) in out
    assert "MulLayer" in out and "check PASSED: 1 of 1 right" in out
    assert "numerical_gradient  " not in out  # no row of its own


def test_a_net_whose_methods_sit_at_module_level_is_told_to_indent_them(tmp_path):
    text = LOST_INDENTATION.split("class Net:")[1]
    text = text.replace(
        "def numerical_gradient(self", "def loss(self, x, t):\n    return 0.0\n\ndef gradient(self"
    )
    said = refusal(write(tmp_path / "net.py", "class Net:" + text))
    assert (
        "found none: loss() (line 5), gradient() (line 8) sit at module level, taking self:" in said
    )
    assert "Indent them into the network's class" in said


NEVER_ENDS = """
import time
import numpy as np
GIVE_UP = time.monotonic() + 60  # (so that a test without the time limit ends, and fails)


def numerical_gradient(f, x):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=['multi_index'])
    while not it.finished and time.monotonic() < GIVE_UP:
        grad[it.multi_index] = f(x)
        it.iternext
    return grad
"""
LOOP_LINES = ("line 9)", "line 10)", "line 11)")  # the loop's lines in NEVER_ENDS, as written


def test_a_function_that_never_returns_is_stopped_at_the_time_limit_naming_its_line(
    tmp_path, capsys
):
    path = write(tmp_path / "grad.py", NEVER_ENDS)
    assert main(["check", str(path), "--time-limit", "0.3"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    said = (
        "your code was still running after 0.3 s of CPU time in the check, in numerical_gradient"
        " (grad.py,"
    )
    assert said in err, err
    assert any(f"numerical_gradient (grad.py, {line} when stopped" in err for line in LOOP_LINES)
    assert "give it longer with --time-limit S (now 0.3)" in err


SLEEPS_ONCE = """
import time
import numpy as np

slept = []


def numerical_gradient(f, x):
    if not slept:  # waits, as a busy machine makes it wait, using no CPU
        slept.append(time.sleep(3))
    h = 1e-4
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        keep = x[i]
        x[i] = keep + h
        up = f(x)
        x[i] = keep - h
        down = f(x)
        x[i] = keep
        grad[i] = (up - down) / (2 * h)
        it.iternext()
    return grad
"""


def test_the_checks_limit_counts_cpu_time_not_the_wall_clock(tmp_path, capsys):
    """A check that waits 3 s (a busy machine, here a sleep) without using the CPU is not
    stopped by a limit of 2 s: the limit is of CPU time. The wall clock stopped correct nets."""
    path = write(tmp_path / "grad.py", SLEEPS_ONCE)
    assert main(["check", str(path), "--time-limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "numerical_gradient" in out and "check PASSED" in out, out


def test_a_network_calling_it_is_stopped_naming_the_loop_not_the_loss_it_calls(tmp_path, capsys):
    """The loop calls the net's loss; stopped, the loss is rarely what runs: the call running
    at both looks (the loop) is named, and the learner's frames shown."""
    write(tmp_path / "grad.py", NEVER_ENDS)
    net_file = write(
        tmp_path / "two_layer_net.py",
        CH04_NET.replace("from common.gradient import", "from grad import").replace(
            "    def gradient(self, x, t):", "    def unused(self, x, t):"
        ),
    )
    assert main(["check", str(net_file), "--time-limit", "0.3"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert any(f"numerical_gradient (grad.py, {line} when stopped" in err for line in LOOP_LINES)
    assert "two_layer_net.py" in err and "in numerical_gradient" in err  # the frames, below


def test_a_size_whose_default_is_a_tuple_keeps_it():
    from xpnet.check.building import build_arguments

    class Net:
        def __init__(self, input_dim=(1, 28, 28), hidden_size=100, output_size=10): ...

    assert build_arguments(Net) == ([], {"hidden_size": 50, "output_size": 10})


CONVNET = """
import numpy as np


class SimpleConvNet:
    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        input_size = input_dim[1]
        self.params = {'W1': weight_init_std * np.random.randn(30, input_dim[0], 5, 5)}

    def loss(self, x, t):
        return 0.0

    def gradient(self, x, t):
        return {'W1': np.zeros_like(self.params['W1'])}
"""


def test_a_chapter_7_network_is_refused_in_one_line_not_blamed_on_the_learner(tmp_path, capsys):
    path = write(tmp_path / "simple_convnet.py", CONVNET)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "xpnet check: error: SimpleConvNet (simple_convnet.py, line 4) is a network of chapter 7"
        " (convolution:"
        " input_dim=(1, 28, 28), conv_param), which xpnet check does not check: it checks the"
        " networks of chapters 4-5 (TwoLayerNet, MultiLayerNet), on images of 784 pixels"
    )


PROGRESS = """
import sys
import numpy as np

print("loading", file=sys.stderr)
print("loaded")


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        print(f"\\\\rCalculating gradients {idx}", end="", file=sys.stderr)  # as tqdm does
        tmp = x[idx]
        x[idx] = tmp + h
        fxh1 = f(x)
        x[idx] = tmp - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp
    return grad
"""


def test_what_the_learners_code_writes_on_standard_error_is_kept_as_its_prints_are(
    tmp_path, capsys
):
    """A progress bar on stderr, at import and during the check: not above the report; the
    import's lines counted in the note of its prints."""
    path = write(tmp_path / "gradient.py", PROGRESS)
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "note: gradient.py's top-level code printed 2 line(s), not shown" in out
    assert "Calculating" not in out and "check PASSED: 1 of 1 right" in out


NOISY = """
import numpy as np

LOG = open(__file__ + ".log", "a")  # a file of the learner's own


class Shown:
    def __str__(self):  # what print formats: counted in the log
        print("formatted", file=LOG, flush=True)
        return "y"


class Net:
    def __init__(self, input_size=784, hidden_size=50, output_size=10):
        self.params = {"W": 0.01 * np.random.randn(input_size, output_size)}

    def _softmax(self, x):
        z = x @ self.params["W"]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def loss(self, x, t):
        print(Shown())  # a debug print, 15,000 times in the check
        print("loss", file=LOG, flush=True)
        y = self._softmax(x)
        return -np.mean(np.log(y[np.arange(len(t)), t]))

    def gradient(self, x, t):
        y = self._softmax(x)
        y[np.arange(len(t)), t] -= 1
        return {"W": x.T @ y / len(t)}
"""


def test_a_debug_print_in_loss_costs_the_check_no_formatting(tmp_path, capsys):
    """A learner's print(y) in loss: nobody reads it during the check, and formatting an array
    each of the numerical gradient's calls took a net past the time limit
    (fumiaki05/deep-learning-from-scratch, ch04/ch04.ipynb): nothing is formatted; a print to a
    file of the learner's own still writes."""
    path = write(tmp_path / "net.py", NOISY)
    assert main(["check", str(path)]) == 0
    assert "check PASSED" in capsys.readouterr().out
    log = (tmp_path / "net.py.log").read_text().split()
    assert log.count("loss") > 1000 and log.count("formatted") == 0


def test_a_learners_error_is_still_shown_with_its_traceback_on_standard_error(tmp_path, capsys):
    net = """
    class Net:
        def __init__(self, input_size, hidden_size, output_size):
            raise ValueError("mine")

        def loss(self, x, t):
            return 0.0

        def gradient(self, x, t):
            return {}
    """
    path = write(tmp_path / "net.py", PROGRESS + textwrap.dedent(net))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("xpnet check: error: ValueError: mine (raised in your code)"), err
    assert 'net.py", line 24, in __init__' in err
    assert "Calculating" not in err and "loading" not in err


def test_a_check_stopped_between_short_calls_is_said_to_be_slow_not_stuck(tmp_path):
    """No call of the learner's ran at both looks (xpnet's own loop was calling their loss):
    slow code, said with the last of their calls and the flag."""
    from xpnet.check.timelimit import CheckTimeout, stopped_in

    path = tmp_path / "slow.py"
    code = compile("def loss():\n    raise CheckTimeout('still running')\n", str(path), "exec")
    names = {"CheckTimeout": CheckTimeout}
    exec(code, names)
    with pytest.raises(CheckTimeout) as stopped:
        names["loss"]()
    said = stopped_in(stopped.value, 20)
    assert said == (
        "the check was still running after 20 s of CPU time, calling your loss (slow.py, line 2)"
        " over and over, each call returning: slow code rather than a loop that never ends;"
        " give it longer with --time-limit S (now 20)"
    )


ARGUMENTS = """
import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--hidden", type=int, default=50)
args = parser.parse_args()
"""


SIGMOID = """
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x * args.hidden / 50))
"""


def test_an_argparse_parser_at_import_takes_its_defaults_not_xpnets_arguments(tmp_path, capsys):
    """A file that parses its arguments at import sees those of python FILE.py with none (it saw
    xpnet check's own and exited silently, exit 2 and not a word)."""
    path = write(tmp_path / "functions.py", ARGUMENTS + SIGMOID)
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "check PASSED: 1 of 1 right" in out, out + err


def test_an_exit_at_import_is_said_with_what_it_printed(tmp_path, capsys):
    """A parser whose argument is required exits at import (SystemExit, which no check caught:
    exit 2, nothing said): said as the top-level code's error, with argparse's own line."""
    required = ARGUMENTS.replace("default=50", "required=True")
    path = write(tmp_path / "net.py", required + "\ndef softmax(a):\n    return a\n")
    assert main(["check", str(path)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith(
        "xpnet check: error: exit(2), after printing 'net.py: error: the following arguments are"
        " required: --hidden': a sys.exit(), or an argparse parser refusing its arguments"
    ), err
    assert 'net.py", line 5, in <module>' in err
