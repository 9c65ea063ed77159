"""What a checkpoint of `xpnet train` keeps of its run, where, and how it is read back, checked.

Each setting is kept once (:data:`KEPT_BY`): the network's in its configuration (``meta.net``,
``TwoLayerNet.config``), the trainer's in the trainer's state (``state.trainer``,
``Trainer.state_dict()``, under their Python names: ``learning_rate``; ``keep_going`` as
``on_divergence``), and only the rest, the data set and the target, as the run's own
(``state.run``). Checkpoints written before this layout also copied every setting into
``state.run``; :func:`saved_settings` takes each from the part that keeps it, so they read the
same. What a resumed run reads is checked here: a missing key, or a key holding a value of the
wrong kind, is refused in one line naming the file, the key, what it held and what was expected.
What a checkpoint does not keep, the command that resumes it has to give (:func:`resume_flags`).
"""

from __future__ import annotations

import math

import numpy as np

from ..backends import DTYPES
from ..checkpoint import CheckpointError
from .words import CLI, flag

__all__ = ["EXPECTED", "KEPT_BY", "python_name", "resume_flags", "run_part", "saved_settings"]

KEPT_BY = {  # the part of a checkpoint that keeps each setting (keep_going: on_divergence)
    "net": ("dtype", "activation", "hidden_size", "weight_init_std"),
    "trainer": ("lr", "batch_size", "seed", "grad", "keep_going"),
    "run": ("dataset", "iters"),
}
LEARNER_OPTIONAL = ("activation", "hidden_size", "weight_init_std")  # --net: where taken
TRAINER_STATE = ("iteration", "rng_state", "train_size")  # the trainer's own state, no setting
PART_NAMES = {"net": "network configuration", "trainer": "trainer state", "run": "run settings"}


def python_name(key: str) -> str:
    """The Python name of the setting ``key`` (its flag's name), from the command line's words.

    Examples
    --------
    >>> python_name("lr"), python_name("batch_size")
    ('learning_rate', 'batch_size')
    """
    return next((name for name, f in CLI.flags.items() if f == flag(key)), key)


def run_part(settings: dict) -> dict:
    """What a checkpoint keeps as the run's own (``state.run``), of all its ``settings``: the
    ones that neither the network's configuration nor the trainer's state keeps.

    Examples
    --------
    >>> run_part({"dataset": "sample", "lr": 0.1, "hidden_size": 50, "iters": 400})
    {'dataset': 'sample', 'iters': 400}
    """
    return {key: settings[key] for key in KEPT_BY["run"]}


def resume_flags(args, settings, saved: dict | None = None) -> tuple[str, ...]:
    """The flags that resume a run from one of its checkpoints, besides ``--resume``.

    A checkpoint that the run writes keeps every setting and the target, so only what no
    checkpoint keeps is given: ``--net`` and ``--data-dir``, where the run was given them. The
    checkpoint that the run resumed from (``saved``: its settings) also lacks the new target
    (``--iters``/``--epochs`` as given) and the settings changed since (``--lr``,
    ``--[no-]keep-going``).

    Examples
    --------
    >>> from argparse import Namespace
    >>> from xpnet.cli.settings import merge
    >>> args = Namespace(net=None, data_dir=None, iters=200, epochs=None)
    >>> saved = merge({}).record(iters_per_epoch=40)
    >>> resume_flags(args, merge({"lr": 0.05}, saved), saved)
    ('--iters', '200', '--lr', '0.05')
    >>> resume_flags(args, merge({"lr": 0.05}, saved))
    ()
    """
    flags = []
    for name in ("net", "data_dir"):
        if getattr(args, name, None) is not None:
            flags += [flag(name), str(getattr(args, name))]
    if saved is None:
        return tuple(flags)
    for name in ("iters", "epochs"):
        if getattr(args, name, None) is not None:
            flags += [flag(name), str(getattr(args, name))]
    if settings["lr"] != saved["lr"]:
        flags += ["--lr", _exact(settings["lr"])]
    if settings["keep_going"] != saved["keep_going"]:
        flags.append("--keep-going" if settings["keep_going"] else "--no-keep-going")
    return tuple(flags)


def _exact(value: float) -> str:
    """A number as short as it reads back the same (0.05, 1e+10, 0.123456789)."""
    text = f"{value:g}"
    return text if float(text) == value else repr(value)


def saved_settings(checkpoint, path) -> dict:
    """The settings of the `xpnet train` run that wrote ``checkpoint`` (read from ``path``).

    Each is taken from the part that keeps it (:data:`KEPT_BY`), so a checkpoint of the older
    layout, whose run part also held a copy of every setting, reads the same. The trainer's
    state and the history arrays that resuming needs are checked too.

    Parameters
    ----------
    checkpoint : xpnet.checkpoint.Checkpoint
        As :func:`xpnet.checkpoint.load_checkpoint` returns it.
    path : path-like
        Where it was read, for the messages.

    Returns
    -------
    dict
        Setting key (as :data:`xpnet.cli.settings.DEFAULTS`) -> value.

    Raises
    ------
    CheckpointError
        In one line, naming the file: it holds no training run, its run state lacks a key, or a
        key holds a value of the wrong kind (what it held and what was expected).
    """
    run, trainer = checkpoint.state.get("run"), checkpoint.state.get("trainer")
    if not isinstance(run, dict) or not isinstance(trainer, dict):
        raise CheckpointError(
            f"{path} holds a network but no training run (it was not written by xpnet train), "
            "so it cannot be resumed; load its parameters with xpnet.checkpoint.load_params"
        )
    parts = {"net": checkpoint.net, "trainer": trainer, "run": run}
    read = [*_kept(), *((None, "trainer", name) for name in TRAINER_STATE)]
    if "learner" in checkpoint.net:  # xpnet train --net: only the shaping its class took
        shaping = [(k, "net", k) for k in LEARNER_OPTIONAL if k not in checkpoint.net]
        read = [entry for entry in read if entry not in shaping]
    missing = [name for _, part, name in read if name not in parts[part]]
    missing += [key for key in ("train_loss", "epochs") if key not in checkpoint.arrays]
    if missing:
        raise CheckpointError(f"{path} is damaged: its run state lacks {', '.join(missing)}")
    for _, part, name in read:
        good, expected = EXPECTED[name]
        value = parts[part][name]
        if not good(value):
            raise CheckpointError(
                f"{path} is damaged: its {PART_NAMES[part]}'s {name} holds {value!r} "
                f"({type(value).__name__}); expected {expected}"
            )
    _check_history(checkpoint, path, trainer["iteration"])
    values = {key: parts[part][name] for key, part, name in read if key is not None}
    values["keep_going"] = values["keep_going"] == "continue"
    for key, _, _ in (entry for entry in _kept() if entry not in read):
        values[key] = None  # not a setting of this run: its network took no parameter for it
    return values


def _kept() -> list[tuple[str, str, str]]:
    """(setting, part, name): each setting, the part of a checkpoint that keeps it, and its name
    there: the run's own by their keys, the net's and the trainer's by their Python names."""
    return [(key, part, _name_in(part, key)) for part, keys in KEPT_BY.items() for key in keys]


def _name_in(part: str, key: str) -> str:
    if key == "keep_going":
        return "on_divergence"  # the trainer's: "continue" or "stop"
    return key if part == "run" else python_name(key)


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _natural(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _positive(value) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and math.isfinite(value) and value > 0


def _one_of(*choices):
    return (lambda value: isinstance(value, str) and value in choices), f"one of {choices}"


def _generator_state(value) -> bool:
    try:
        np.random.default_rng().bit_generator.state = value
    except (TypeError, ValueError, KeyError, OverflowError):
        return False
    return True


EXPECTED = {  # each saved name: (is the value good?, what was expected)
    "dtype": _one_of(*DTYPES),
    "activation": _one_of("relu", "sigmoid"),
    "hidden_size": (_count, "a positive integer"),
    "weight_init_std": (_positive, "a positive, finite number"),
    "learning_rate": (_positive, "a positive, finite number"),
    "batch_size": (_count, "a positive integer"),
    "seed": (_natural, "an integer from 0 up"),
    "grad": _one_of("backprop", "numerical"),
    "on_divergence": _one_of("stop", "continue"),
    "dataset": _one_of("mnist", "sample"),
    "iters": (_count, "a positive integer"),
    "iteration": (_natural, "an integer from 0 up"),
    "rng_state": (_generator_state, "the state of NumPy's PCG64 generator"),
    "train_size": (_count, "a positive integer"),
}


def _check_history(checkpoint, path, iteration: int) -> None:
    losses, epochs = checkpoint.arrays["train_loss"], checkpoint.arrays["epochs"]
    if epochs.ndim != 2 or epochs.shape[1] != 6 or losses.shape != (iteration,):
        raise CheckpointError(
            f"{path} is damaged: iteration {iteration!r} with train_loss of shape "
            f"{losses.shape} and epochs of shape {epochs.shape} (expected (iteration,) and (E, 6))"
        )
