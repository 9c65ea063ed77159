"""Issue 19: each command's parser names the function that runs it (argparse's set_defaults),
and every command answers with a status from the one table, Exit."""

from __future__ import annotations

import argparse

import pytest

from xpnet.cli import Exit, build_parser, main
from xpnet.cli import check as check_module
from xpnet.cli import evaluate as evaluate_module
from xpnet.cli import info as info_module
from xpnet.cli import train as train_module

COMMANDS = {  # name: (a command line, the module of its function, the function's name)
    "train": (["train"], train_module, "train_command"),
    "gradcheck": (["gradcheck"], check_module, "gradcheck_command"),
    "check": (["check", "net.py"], check_module, "check_command"),
    "evaluate": (["evaluate", "runs/a"], evaluate_module, "evaluate_command"),
    "download": (["download", "mnist"], info_module, "download_command"),
    "info": (["info"], info_module, "info_command"),
}


def test_every_command_of_the_parser_names_its_function():
    parser = build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subcommands.choices) == set(COMMANDS)
    for name, (argv, module, function) in COMMANDS.items():
        args = parser.parse_args(argv)
        assert args.command == name and args.execute is getattr(module, function)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_main_runs_the_function_the_parser_names(monkeypatch, name):
    argv, module, function = COMMANDS[name]
    seen = []
    monkeypatch.setattr(module, function, lambda args: seen.append(args.command) or 7)
    assert main(argv) == 7 and seen == [name]


def test_the_exit_statuses_are_one_table_of_the_shells_meanings():
    assert {status.name: int(status) for status in Exit} == {
        "OK": 0,
        "FAILED": 1,
        "USAGE": 2,
        "INTERRUPTED": 130,  # 128 + SIGINT
        "BROKEN_PIPE": 141,  # 128 + SIGPIPE: stdout's reader went away (xpnet info | head)
        "TERMINATED": 143,  # 128 + SIGTERM
    }


def test_info_and_a_fixable_error_return_statuses_of_the_table(tmp_path, capsys):
    assert main(["info"]) is Exit.OK
    missing = tmp_path / "none.npz"
    assert main(["evaluate", str(missing), "--device", "cpu"]) is Exit.USAGE
    assert capsys.readouterr().err.startswith("xpnet evaluate: error: checkpoint")
