"""A training run's settings, and the one rule that merges them (DESIGN.md, decision 12).

Read it as three layers, later ones winning where they may: the defaults below, then the
checkpoint being resumed, then what the command line gives. The resume rule, in one place:

- the network, its dtype, the data, the seed, the gradient method and the batch size come from
  the checkpoint (they define the weights and the batches the run is made of); a flag that gives
  another value is refused, naming both values;
- ``--lr`` and ``--keep-going`` may change: the new value applies from the checkpoint's iteration
  on, and one line says so;
- ``--iters``/``--epochs`` set the new target (the total number of steps); without them the run
  keeps its own target, and a run that has reached it is finished (say how to extend it).

A setting is named by its flag, as argparse names it (``lr`` for ``--lr``); where its Python
name differs (``learning_rate``), the command line's words say which
(:data:`xpnet.cli.words.CLI`). A checkpoint keeps each setting once: :mod:`xpnet.cli.runstate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .words import flag

__all__ = [
    "CHANGEABLE",
    "DEFAULTS",
    "FIXED",
    "Settings",
    "SettingsConflict",
    "merge",
]

DEFAULTS = {
    "dataset": "auto",
    "dtype": "float32",
    "activation": "relu",
    "hidden_size": 50,
    "weight_init_std": 0.01,
    "lr": 0.1,
    "batch_size": 100,
    "seed": 0,
    "grad": "backprop",
    "keep_going": False,
    "iters": None,  # the target; None: 10000 steps (the book's iters_num) unless --epochs
    # --threads is no setting: it changes speed, not results, so it is neither saved nor merged
    # (cli.main runs every command inside xpnet.threads.use_threads)
}
DEFAULT_ITERS = 10_000
FIXED = (
    "dataset",
    "dtype",
    "activation",
    "hidden_size",
    "weight_init_std",
    "seed",
    "grad",
    "batch_size",
)
CHANGEABLE = ("lr", "keep_going")


class SettingsConflict(ValueError):
    """Flags that contradict the checkpoint being resumed."""


@dataclass
class Settings:
    """The merged settings of one run, as :func:`merge` makes them.

    Attributes
    ----------
    values : dict
        Setting key (as :data:`DEFAULTS`) -> value; ``settings["lr"]`` reads one.
    changes : list of str
        The lines that say what a resume changed (``--lr: 0.1 in the checkpoint, 0.05 now``).
    iters, epochs : int or None
        The target as the command line asked for it: total steps, or epochs; neither: the
        run's own (:meth:`target`).

    Examples
    --------
    >>> settings = merge({"lr": 0.05, "epochs": 2})
    >>> settings["lr"], settings["batch_size"], settings.target(iters_per_epoch=40)
    (0.05, 100, 80)
    """

    values: dict
    changes: list[str] = field(default_factory=list)
    iters: int | None = None
    epochs: int | None = None

    @classmethod
    def from_command_line(cls, args, saved: dict | None = None) -> Settings:
        """The defaults, then a resumed checkpoint's settings, then the flags that are given.

        Parameters
        ----------
        args : argparse.Namespace
            The train command's flags; a setting's is None where it was not given.
        saved : dict, optional
            A resumed checkpoint's settings (:func:`xpnet.cli.runstate.saved_settings`);
            None: a new run.

        Returns
        -------
        Settings
            As :func:`merge` makes them (and raises: a conflict is refused here, once).
        """
        given = {key: getattr(args, key, None) for key in (*DEFAULTS, "epochs")}
        given = {key: value for key, value in given.items() if value is not None}
        return merge(given, saved)

    def __getitem__(self, key: str):
        return self.values[key]

    def target(self, iters_per_epoch: int) -> int:
        """The total number of steps this invocation trains to."""
        if self.iters is not None:
            return self.iters
        if self.epochs is not None:
            return self.epochs * iters_per_epoch
        return self.values["iters"] or DEFAULT_ITERS

    def record(self, iters_per_epoch: int) -> dict:
        """Every setting, with the resolved target (config.json, and :func:`merge`'s input)."""
        return {**self.values, "iters": self.target(iters_per_epoch)}


def merge(given: dict, checkpoint_run: dict | None = None) -> Settings:
    """The one merge rule: the defaults, then a resumed checkpoint's settings, then the flags.

    Parameters
    ----------
    given : dict
        The command line's flags, key -> value, only those actually given (``iters`` or
        ``epochs``: the target).
    checkpoint_run : dict, optional
        Every setting of the run being resumed (as :meth:`Settings.record` or
        :func:`xpnet.cli.runstate.saved_settings` give them); None: a new run.

    Returns
    -------
    Settings

    Raises
    ------
    SettingsConflict
        Naming every flag that contradicts the checkpoint (a fixed setting given another value).
    ValueError
        For a key that is no setting.

    Examples
    --------
    >>> saved = merge({"hidden_size": 20}).record(iters_per_epoch=40)
    >>> merge({"lr": 0.05}, saved).changes
    ['--lr: 0.1 in the checkpoint, 0.05 now']
    """
    given = dict(given)
    iters, epochs = given.pop("iters", None), given.pop("epochs", None)
    unknown = set(given) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}; expected some of {list(DEFAULTS)}")
    if checkpoint_run is None:
        return Settings({**DEFAULTS, **given}, iters=iters, epochs=epochs)
    values = {**DEFAULTS, **checkpoint_run}
    conflicts, changes = [], []
    for key, value in given.items():
        before = values[key]
        if (key == "dataset" and value == "auto") or (before is not None and _same(value, before)):
            continue
        if key in FIXED and before is None:  # a learner's net that took no parameter for it
            conflicts.append(f"{flag(key)} {value} (the checkpoint's network was built without it)")
        elif key in FIXED:
            conflicts.append(f"{flag(key)} {value} (the checkpoint's {key} is {before})")
        else:
            changes.append(f"{flag(key)}: {_show(before)} in the checkpoint, {_show(value)} now")
            values[key] = value
    if conflicts:
        raise SettingsConflict(
            f"a resumed run keeps its network, dtype, data, seed, gradient and batch size; "
            f"these flags contradict the checkpoint: {'; '.join(conflicts)}. Drop them to "
            "resume, or start a new run in another --out"
        )
    return Settings(values, changes, iters=iters, epochs=epochs)


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return float(a) == float(b)
    return a == b


def _show(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)
