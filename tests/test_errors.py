"""xpnet.errors: one message, rendered in Python's words and in the command line's."""

from __future__ import annotations

import pickle

import pytest

from xpnet.backends import DeviceUnavailableError
from xpnet.cli import build_parser
from xpnet.cli.words import CLI, for_the_command_line
from xpnet.errors import PYTHON, Arg, Do, Explained, Use, XpnetValueError, render
from xpnet.train import DivergenceError, History


def test_a_template_renders_settings_actions_and_arguments_in_each_interfaces_words():
    fields = {
        "rate": Use("learning_rate", 1e10),
        "device": Use("device", "cpu"),
        "go": Do("keep_going"),
        "arg": Arg("hidden_size"),
    }
    template = "{arg}: diverged with {rate}; use {device} or {go}"
    assert render(template, fields, PYTHON) == (
        'hidden_size: diverged with learning_rate=1e+10; use device="cpu" or'
        " on_divergence='continue'"
    )
    assert render(template, fields, CLI) == (
        "--hidden-size: diverged with --lr 1e+10; use --device cpu or --keep-going"
    )


def test_braces_that_are_no_field_are_left_as_they_are():
    assert render("a {dict} and {x}", {"x": 1}, PYTHON) == "a {dict} and 1"


def test_a_field_with_r_is_its_values_repr():
    assert render("got {x!r}, {x}", {"x": "torch"}, PYTHON) == "got 'torch', torch"


def test_a_nested_explained_error_is_rendered_in_the_same_words():
    inner = DeviceUnavailableError("no GPU: use {cpu}", cpu=Use("device", "cpu"))
    outer = XpnetValueError("auto failed: {error}", error=inner)
    assert str(outer) == 'auto failed: no GPU: use device="cpu"'
    assert for_the_command_line(outer) == "auto failed: no GPU: use --device cpu"


def test_a_plain_exception_keeps_its_text_on_the_command_line():
    assert for_the_command_line(ValueError('device="cpu" stays')) == 'device="cpu" stays'


def test_explained_errors_survive_pickling_with_their_fields_and_attributes():
    error = DivergenceError(
        "diverged with {lr}", iteration=7, history=History(), lr=Use("learning_rate", 0.5)
    )
    again = pickle.loads(pickle.dumps(error))  # Dask's workers send errors this way
    assert type(again) is DivergenceError and again.iteration == 7
    assert str(again) == "diverged with learning_rate=0.5"
    assert for_the_command_line(again) == "diverged with --lr 0.5"


def _options(parser) -> set[str]:
    """Every option string of parser and of its subcommands' parsers."""
    found = set()
    for action in parser._actions:
        found.update(action.option_strings)
        if isinstance(action.choices, dict):  # the subcommands
            for sub in action.choices.values():
                found |= _options(sub)
    return found


def test_every_flag_the_cli_words_name_is_a_real_option():
    options = _options(build_parser())
    assert set(CLI.flags.values()) <= options
    assert {"--dataset", "--keep-going"} <= options  # the actions' flags


def test_both_interfaces_spell_every_action():
    assert set(CLI.actions) == set(PYTHON.actions)


def test_an_unknown_setting_keeps_its_python_spelling_on_the_command_line():
    assert CLI.use("on_divergence", "stop") == 'on_divergence="stop"'


@pytest.mark.parametrize("kind", [XpnetValueError, DeviceUnavailableError, DivergenceError])
def test_xpnets_explained_errors_are_explained(kind):
    assert issubclass(kind, Explained)
