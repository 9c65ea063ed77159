"""How the command line reads: a bad flag named in its command's usage, --help naming every
default, and advice written for Python callers turned into flags."""

from __future__ import annotations

import importlib.util

import pytest

import xpnet
from xpnet.cli import build_parser, main


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--lr", "inf"], "argument --lr: expected a positive, finite number; got inf"),
        (["--lr", "nan"], "argument --lr: expected a positive, finite number; got nan"),
        (["--lr", "abc"], "argument --lr: expected a positive number; got 'abc'"),
        (["--seed", "-1"], "argument --seed: expected an integer from 0 up; got -1"),
        (["--iters", "1.5"], "argument --iters: expected a positive integer; got '1.5'"),
        (["--lrr", "3"], "unrecognized arguments: --lrr 3 (did you mean --lr?)"),
    ],
)
def test_bad_flags_name_the_flag_in_trains_usage(flags, message, capsys):
    with pytest.raises(SystemExit) as raised:
        build_parser().parse_args(["train", *flags])
    err = capsys.readouterr().err
    assert raised.value.code == 2
    assert err.startswith("usage: xpnet train ") and err.endswith(
        f"xpnet train: error: {message}\n"
    )
    assert "_positive" not in err and "invalid" not in err


@pytest.mark.parametrize(
    "words",
    [
        ["train", "--resume", ""],
        ["train", "--out", ""],
        ["train", "--data-dir", ""],
        ["train", "--net", ""],
        ["evaluate", ""],
        ["evaluate", "run", "--data", "", "--labels", "t.npy"],
        ["evaluate", "run", "--data-dir", ""],
        ["download", "mnist", "--data-dir", ""],
    ],
)
def test_an_empty_path_is_refused_naming_its_flag(words, tmp_path, monkeypatch, capsys):
    """An empty path (``--resume "$RUN"`` with RUN unset) read as the flag not given:
    ``train --resume ""`` started a new 10,000-step run under runs/."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as raised:
        main(words)
    err = capsys.readouterr().err
    named = "CHECKPOINT" if words[:2] == ["evaluate", ""] else words[words.index("") - 1]
    assert raised.value.code == 2
    assert err.splitlines()[-1] == (
        f"xpnet {words[0]}: error: argument {named}: expected a path; got '' (an empty shell"
        " variable?)"
    )
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("command", ["train", "gradcheck"])
def test_a_hidden_size_past_what_can_be_allocated_is_named_in_one_line(
    command, capsys, monkeypatch
):
    monkeypatch.setattr("xpnet.arguments.memory_available", lambda: 2**30)
    most = 2**30 // ((784 + 1 + 10) * (8 + 8))  # float64: the most a parameter takes
    with pytest.raises(SystemExit) as raised:
        build_parser().parse_args([command, "--hidden-size", "100000000"])
    assert raised.value.code == 2
    assert capsys.readouterr().err.endswith(
        f"xpnet {command}: error: argument --hidden-size: expected a positive integer up to"
        f" {most} (the most whose 784-N-10 network in float64 fits in the 1 GiB this process"
        " can allocate); got 100000000\n"
    )
    assert build_parser().parse_args([command, "--hidden-size", str(most)]).hidden_size == most


@pytest.mark.parametrize("size", ["lots", "-1", "MiB", "250 MiBs"])
def test_a_memory_limit_that_is_no_size_is_named_before_dask_or_the_data(size, capsys):
    with pytest.raises(SystemExit) as raised:
        build_parser().parse_args(["evaluate", "run", "--backend", "dask", "--memory-limit", size])
    err = capsys.readouterr().err
    assert raised.value.code == 2 and err.endswith(
        f"xpnet evaluate: error: argument --memory-limit: expected a size such as 250MiB or 2GB;"
        f" got {size!r}\n"
    )


@pytest.mark.parametrize("size", ["250MiB", "2GB", "1e9", "0.5", "auto"])
def test_a_memory_limit_dask_reads_is_kept_as_given(size):
    args = build_parser().parse_args(["evaluate", "run", "--memory-limit", size])
    assert args.memory_limit == size


def test_help_names_every_default():
    commands = build_parser()._subparsers._group_actions[0].choices
    for name, command in commands.items():
        text = command.format_help()
        for action in command._actions:
            if action.option_strings and action.dest != "help":
                shown = command._get_formatter()._get_help_string(action)
                assert action.help and "default" in shown, (name, action.option_strings)
                assert action.option_strings[-1] in text
    assert "(default: 0.1)" in commands["train"].format_help()


# -- Python callers are told Python, the command line flags --------------------------------------


def test_cupy_on_the_cpu_advises_numpy_not_the_cpu(capsys):
    assert main(["train", "--device", "cpu", "--backend", "cupy"]) == 2
    err = capsys.readouterr().err
    assert "--backend numpy" in err and "--device cpu" not in err


@pytest.mark.parametrize(
    "flags", [["train", "--iters", "1", "--no-plot"], ["gradcheck", "--samples", "2"]]
)
def test_a_named_backend_that_is_not_installed_is_refused_not_replaced(flags, tmp_path, capsys):
    if importlib.util.find_spec("cupy") is not None:
        pytest.skip("CuPy is installed here")
    flags = [*flags, "--backend", "cupy", "--dataset", "sample"]
    assert main([*flags, "--out", str(tmp_path)] if flags[0] == "train" else flags) == 2
    err = capsys.readouterr().err
    assert "CuPy, which is not installed" in err
    assert 'pip install "xpnet[cuda12]"' in err and "--backend numpy" in err


def test_python_gets_python_words_and_the_cli_flags(capsys):
    try:
        xpnet.TwoLayerNet(784, 50, 10, device="cuda")  # a CI machine: no CuPy, or no GPU
    except xpnet.backends.DeviceUnavailableError as error:
        python = str(error)
    else:
        pytest.skip("a GPU is usable here")
    assert 'device="cpu"' in python and "--device" not in python
    assert main(["train", "--device", "cuda", "--backend", "cupy"]) == 2
    err = capsys.readouterr().err
    assert "--device cpu" in err and 'device="' not in err
