"""How the command line answers its user: in flags, in one-line notices, and in exit statuses.

- :data:`CLI` spells the settings and actions that xpnet's messages name (:mod:`xpnet.errors`)
  as flags: ``learning_rate=0.1`` is ``--lr 0.1``. :func:`for_the_command_line` renders an
  error or a warning with it; every message a command prints goes through it.
- :func:`notices` shows a DeviceFallbackWarning or a Float64Notice as one ``notice:`` line.
- :class:`Exit` is the one table of exit statuses; every command returns one of them.
"""

from __future__ import annotations

import contextlib
import enum
import sys
import warnings
from typing import ClassVar

from ..backends import DeviceFallbackWarning, Float64Notice
from ..errors import PYTHON, Explained, Words

__all__ = [
    "CLI",
    "CommandLineWords",
    "Exit",
    "flag",
    "for_the_command_line",
    "notices",
    "stdout_to_devnull",
]


class Exit(enum.IntEnum):
    """Every exit status of ``xpnet``, in one table (what a script or a job scheduler reads).

    Examples
    --------
    >>> int(Exit.USAGE), int(Exit.TERMINATED)
    (2, 143)
    """

    OK = 0
    FAILED = 1  # a check that failed (check, gradcheck), a training run that diverged
    USAGE = 2  # an error the user can fix: a flag, a file, the device (argparse's own status)
    INTERRUPTED = 130  # 128 + SIGINT (Ctrl-C)
    BROKEN_PIPE = 141  # 128 + SIGPIPE: stdout's reader went away (`xpnet info | head`)
    TERMINATED = 143  # 128 + SIGTERM; also SIGHUP (a closed terminal), which stops as SIGTERM


class CommandLineWords(Words):
    """How the command line spells the settings and actions that xpnet's messages name.

    ``learning_rate=0.1`` is ``--lr 0.1``; a setting with no flag keeps its Python spelling.
    This table is also where the train command's settings find their Python names
    (:func:`xpnet.cli.settings.python_name`).

    Examples
    --------
    >>> CLI.use("learning_rate", 0.1), CLI.arg("hidden_size"), CLI.do("keep_going")
    ('--lr 0.1', '--hidden-size', '--keep-going')
    """

    flags: ClassVar[dict[str, str]] = {
        "device": "--device",
        "backend": "--backend",
        "xp": "--backend",
        "learning_rate": "--lr",
        "batch_size": "--batch-size",
        "hidden_size": "--hidden-size",
        "weight_init_std": "--weight-init-std",
        "activation": "--activation",
        "dtype": "--dtype",
        "seed": "--seed",
        "grad": "--grad",
        "iters_num": "--iters",
        "threads": "--threads",
        "step": "--step",
        "root": "--data-dir",  # the data folder: load_mnist(root=...)
    }
    actions: ClassVar[dict[str, str]] = {
        "use_sample_data": "--dataset sample",
        "use_sample_data_anew": (
            "a new run with --dataset sample and another --out (a resumed run keeps its"
            " checkpoint's data)"
        ),
        "train_on_sample": "xpnet train --dataset sample",
        "not_downloading": "this command does not download it",
        "download_mnist": "run `xpnet download mnist` first",
        "keep_going": "--keep-going",
        "evaluate_on_dask": "xpnet evaluate CHECKPOINT --backend dask",
        "remake_checkpoint": "make it again with xpnet train --out FOLDER",
    }

    def arg(self, name: str) -> str:
        return self.flags.get(name, name)

    def use(self, name: str, value) -> str:
        flag = self.flags.get(name)
        return PYTHON.use(name, value) if flag is None else f"{flag} {self.value(value)}"


CLI = CommandLineWords()


def flag(key: str) -> str:
    """The flag of a setting named as argparse names it: ``batch_size`` is ``--batch-size``.

    Examples
    --------
    >>> flag("lr"), flag("keep_going")
    ('--lr', '--keep-going')
    """
    return "--" + key.replace("_", "-")


def for_the_command_line(error: BaseException | Warning | str) -> str:
    """An error's (or a warning's) message in the command line's words.

    Parameters
    ----------
    error : BaseException, Warning or str
        An :class:`~xpnet.errors.Explained` error or warning is rendered from its template
        with :data:`CLI`; anything else keeps its text as it is.

    Returns
    -------
    str
        The message, with settings as flags (``--lr 0.1``).

    Examples
    --------
    >>> from xpnet.errors import Use, XpnetValueError
    >>> for_the_command_line(XpnetValueError("try {lr}", lr=Use("learning_rate", 0.1)))
    'try --lr 0.1'
    >>> for_the_command_line(ValueError("kept as it is"))
    'kept as it is'
    """
    if isinstance(error, Explained):
        return error.render(CLI)
    return str(error)


@contextlib.contextmanager
def notices():
    """Show DeviceFallbackWarning, Float64Notice, DataDirNotice and CacheNotice as one line
    each, ``notice: ...`` on stderr.

    ``--device auto`` found a GPU it cannot use, JAX's float64 was turned on, or there is no
    home folder to keep data in (a temporary folder is used): a notice, not a warning with a
    file name and a line number. Other warnings are shown as usual.

    Examples
    --------
    >>> with notices():
    ...     pass
    """
    from ..datasets.common import CacheNotice, DataDirNotice

    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, (DeviceFallbackWarning, Float64Notice, DataDirNotice, CacheNotice)):
            print(f"notice: {for_the_command_line(message)}", file=sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def stdout_to_devnull() -> None:
    """Point stdout at /dev/null, after its reader closed the pipe (``xpnet train | head``): the
    lines still printed go nowhere, and Python's flush at exit raises no second BrokenPipeError."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
