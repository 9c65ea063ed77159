"""use_threads limits BLAS, OpenMP and PyTorch inside its block and restores them; the default,
the environment override, the checks on n, and the --threads flag of the CLI and xpnet.train."""

import json
import subprocess
import sys

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import xpnet
from xpnet import cli, threads
from xpnet.cli import argparsing
from xpnet.cli import check as check_commands
from xpnet.cli import train as train_commands
from xpnet.threads import (
    DEFAULT_THREADS,
    THREAD_VARIABLES,
    available_cpus,
    default_threads,
    use_threads,
)


def blas_threads() -> list[int]:
    pools = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert pools, "NumPy's BLAS is not visible to threadpoolctl"
    return pools


@pytest.fixture(autouse=True)
def four_cpus(monkeypatch):
    """The tests ask for 2 or 3 threads: allowed on any machine, as on one of 4 CPUs."""
    for module in (threads, argparsing):
        monkeypatch.setattr(module, "available_cpus", lambda: 4)


@pytest.fixture
def no_thread_variables(monkeypatch):
    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_blas_is_limited_inside_and_restored_after():
    with threadpool_limits(limits=2):  # the outside: 2, whatever the test session set
        assert blas_threads() == [2] * len(blas_threads())
        with use_threads(1) as n:
            assert n == 1 and set(blas_threads()) == {1}
            with use_threads(3):
                assert set(blas_threads()) == {3}
            assert set(blas_threads()) == {1}
        assert set(blas_threads()) == {2}


def test_blas_is_restored_when_the_block_raises():
    with threadpool_limits(limits=2):
        with pytest.raises(KeyError), use_threads(1):
            raise KeyError("boom")
        assert set(blas_threads()) == {2}


def test_torch_is_limited_inside_and_restored_after():
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        with use_threads(1):
            assert torch.get_num_threads() == 1
            with use_threads(3):
                assert torch.get_num_threads() == 3
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.slow
def test_torch_loaded_inside_the_block_by_the_backend_obeys_it():
    """The CLI enters use_threads before its backend imports torch: a fresh process shows it."""
    pytest.importorskip("torch")
    code = (
        "import sys; from xpnet.threads import use_threads; from xpnet import get_backend\n"
        "assert 'torch' not in sys.modules\n"
        "with use_threads(1):\n"
        "    get_backend('cpu', backend='torch'); import torch; inside = torch.get_num_threads()\n"
        "print(inside, torch.get_num_threads())\n"
    )
    env = {"PATH": "", "PYTHONPATH": ":".join(sys.path)}  # no thread variables: torch's own 2+
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    inside, after = map(int, done.stdout.split())
    expected_after = subprocess.run(
        [sys.executable, "-c", "import torch; print(torch.get_num_threads())"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    ).stdout
    assert (inside, after) == (1, int(expected_after))


def test_the_default_is_one_thread_without_thread_variables(no_thread_variables):
    assert default_threads() == DEFAULT_THREADS == 1
    with threadpool_limits(limits=2), use_threads() as n:
        assert n == 1 and set(blas_threads()) == {1}


@pytest.mark.parametrize("name", THREAD_VARIABLES)
def test_an_explicit_n_wins_over_a_thread_variable(no_thread_variables, monkeypatch, name):
    monkeypatch.setenv(name, "2")
    assert default_threads() is None
    with threadpool_limits(limits=2), use_threads(1) as n:
        assert n == 1 and set(blas_threads()) == {1}


POOLS = """
import json, sys
import numpy
from threadpoolctl import threadpool_info
def pools():
    found = {p["internal_api"]: p["num_threads"] for p in threadpool_info()}
    if "torch" in sys.modules:
        found["torch"] = sys.modules["torch"].get_num_threads()
    return found
try:
    import torch
except ImportError:
    pass
from threadpoolctl import threadpool_limits
from xpnet.threads import use_threads
started = pools()
with threadpool_limits(limits=2):  # every pool at 2: left, it stays 2; limited, it goes to 1
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(2)
    with use_threads():
        inside = pools()
print(json.dumps([started, inside]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("name", THREAD_VARIABLES)
def test_a_thread_variable_is_respected_by_the_pools_it_reaches_only(name):
    """A fresh process with name=1 on 2 CPUs or more: a pool that started with 1 thread reads
    the variable and is left as it is; every other pool (PyTorch's under OPENBLAS_NUM_THREADS,
    which it does not read) gets xpnet's 1. OPENBLAS_NUM_THREADS=1 alone left torch on every
    core: 7-25 times slower on a busy machine."""
    if available_cpus() < 2:  # the function itself, not the four_cpus fixture's stand-in
        pytest.skip("a pool's own default is 1 thread on 1 CPU: the variable cannot be seen")
    env = {"PATH": "", "PYTHONPATH": ":".join(sys.path), name: "1"}
    done = subprocess.run(
        [sys.executable, "-c", POOLS], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    started, inside = json.loads(done.stdout)
    reached = {pool for pool, count in started.items() if count == 1}  # none: no pool reads it
    assert started and set(inside) == set(started), (started, inside)  # (without torch: MKL_)
    assert inside == {pool: 2 if pool in reached else 1 for pool in started}


@pytest.mark.parametrize(
    ("n", "error"),
    [(0, ValueError), (-2, ValueError), (1.5, TypeError), ("2", TypeError), (True, TypeError)],
)
def test_bad_n_is_refused_naming_threads(n, error):
    with pytest.raises(error, match=r"threads must be a positive int.*got"), use_threads(n):
        pass


def test_xpnet_train_runs_inside_its_threads(no_thread_variables):
    (x, t), (x_test, t_test) = xpnet.load_mnist_sample()
    net = xpnet.TwoLayerNet(784, 10, 10, seed=0)
    seen = []

    def record(_):
        seen.append(blas_threads())

    data, test = (x[:200], t[:200]), (x_test[:100], t_test[:100])
    with threadpool_limits(limits=1):
        xpnet.train(net, data, test, iters_num=3, batch_size=100, threads=2, callback=record)
        xpnet.train(net, data, test, iters_num=3, batch_size=100, callback=record)  # default
        assert set(blas_threads()) == {1}
    with threadpool_limits(limits=2):
        xpnet.train(net, data, test, iters_num=3, batch_size=100, callback=record)
        assert set(blas_threads()) == {2}
    assert [set(s) for s in seen] == [{2}, {2}, {1}, {1}, {1}, {1}]
    with pytest.raises(ValueError, match="threads must be a positive int"):
        xpnet.train(net, data, test, iters_num=1, batch_size=100, threads=0)


@pytest.mark.parametrize("command", ["train", "gradcheck"])
@pytest.mark.parametrize(("flags", "expected"), [(["--threads", "2"], 2), ([], 1)])
def test_the_threads_flag_reaches_the_command(
    no_thread_variables, monkeypatch, command, flags, expected
):
    seen = []
    commands = {"train": train_commands, "gradcheck": check_commands}[command]
    monkeypatch.setattr(commands, f"{command}_command", lambda a: seen.append(blas_threads()) or 0)
    with threadpool_limits(limits=3):
        assert cli.main([command, "--device", "cpu", *flags]) == 0
        assert set(blas_threads()) == {3}
    assert [set(s) for s in seen] == [{expected}]


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_a_bad_threads_flag_is_one_usage_line(capsys, value):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["train", "--threads", value])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "argument --threads:" in err and "Traceback" not in err
    assert "positive integer" in err or "invalid" in err


def test_a_bad_threads_flag_from_the_shell_exits_2_naming_the_flag():
    done = subprocess.run(
        [sys.executable, "-m", "xpnet", "gradcheck", "--threads", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines()[-1] == (
        "xpnet gradcheck: error: argument --threads: expected a positive integer; got 0"
    )


def test_more_threads_than_cpus_are_refused_naming_threads_and_the_count():
    """PyTorch starts as many threads as it is told: 100000 made fork fail on a 2-CPU machine."""
    with pytest.raises(ValueError, match=r"threads must be at most the 4 CPUs .*got 5\. Pass"):
        with use_threads(5):
            pass
    with use_threads(4) as n:
        assert n == 4


def test_more_threads_than_cpus_is_one_usage_line_naming_the_flag(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["train", "--threads", "100000"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "xpnet train: error: argument --threads: expected at most the 4 CPUs this machine gives"
        " xpnet (more threads than CPUs only wait on each other); got 100000"
    )
