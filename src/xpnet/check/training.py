"""``xpnet train --net FILE.py[:CLASS]``: the learner's own network, checked, then trained.

:func:`prepare` runs before the run claims its folder: it loads the class as ``xpnet check``
does, builds it with the run's sizes and seed, checks it (a failed check raises
:class:`CheckFailed` with the report: no training), and returns a :class:`Prepared` network for
the Trainer. For a resumed run it first compares the checkpoint's class and file with ``--net``
(:func:`refuse_other_source`): another file's class is refused in one line naming both.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path

from ..backends import dtype_name
from .building import BOOK_SIZES, build_arguments
from .importing import TIME_LIMIT
from .learner import (
    LearnerError,
    backprop_raised,
    build,
    check_learner,
    load_learner,
    raised_in_backprop,
)
from .trainable import LearnerNet, load_params_in_place, refuse_grad

__all__ = [
    "CheckFailed",
    "Prepared",
    "for_evaluation",
    "prepare",
    "prepare_for_run",
    "refuse_other_source",
    "source_of",
]


class CheckFailed(Exception):
    """The check of --net failed; the message is its report (and the line saying so)."""


@dataclass
class Prepared:
    """The learner's network wrapped for the Trainer, how it was built, its check's line."""

    net: LearnerNet
    call: str
    said: str
    taken: dict = field(default_factory=dict)  # the shaping settings its class took

    @property
    def title(self) -> str:
        return self.net.config["learner"]["class"]


def source_of(spec: str) -> dict:
    """What a checkpoint records of --net FILE.py[:CLASS]: the file (absolute) and the class."""
    path_text, _, class_name = spec.partition(":")
    return {"file": str(Path(path_text).resolve()), "class": class_name or None}


def refuse_other_source(
    recorded: dict | None, spec: str | None, checkpoint_path, *, command: str = "resume"
) -> None:
    """Raise LearnerError unless a checkpoint's network is the one --net names (or, without
    --net, xpnet's own): one line naming both, in the words of ``command`` ("resume": ``xpnet
    train --resume``; "evaluate": ``xpnet evaluate``)."""
    if recorded is None and spec is None:
        return
    path = checkpoint_path
    if recorded is None:
        fix = (
            "evaluate it without --net"
            if command == "evaluate"
            else "resume it without --net, or train --net in a new --out"
        )
        raise LearnerError(
            f"{path} holds xpnet's own TwoLayerNet, not {_named(source_of(spec))}: {fix}"
        )
    named, own = _named(recorded), f"--net {recorded['file']}:{recorded['class']}"
    if spec is None and command == "evaluate":
        raise LearnerError(
            f"{path} holds {named}, a learner's network, which xpnet builds only from its file"
            f" (a checkpoint names no code to run): xpnet evaluate {own} {path}"
        )
    if spec is None:
        raise LearnerError(f"{path} holds {named}: resume it with {own}")
    given = source_of(spec)
    same_file = Path(given["file"]) == Path(recorded["file"])
    if not same_file or given["class"] not in (None, recorded["class"]):
        fix = (
            f"a checkpoint is evaluated with the network that wrote it ({own})"
            if command == "evaluate"
            else f"a run resumes with its own network ({own}), or starts anew in another --out"
        )
        raise LearnerError(f"{path} holds {named}; --net gives {_named(given)}: {fix}")


SHAPING = ("hidden_size", "weight_init_std", "activation")  # flags of xpnet's TwoLayerNet's shape


def prepare(
    spec: str, settings, given: dict, *, time_limit: float, seed: int, recorded: dict | None = None
) -> Prepared:
    """The learner's network of ``spec``, built with the run's sizes and seed, and checked.

    given: the settings the command line gave (only those); recorded: the shaping settings a
    resumed checkpoint records (those its network was built with). A weight_init_std or
    activation of either is passed where the class takes it; hidden_size always is (the book's
    50 unless given). A shaping flag given that the class takes no parameter for is refused:
    it would change nothing but config.json. Raises LearnerError when the file, the class or a
    setting cannot be used, CheckFailed when the check fails; the learner's own exceptions pass
    through.
    """
    learner = load_learner(spec, time_limit=time_limit)
    hidden = settings["hidden_size"] or BOOK_SIZES["hidden_size"]
    sizes = {"hidden_size": hidden, "hidden_size_list": [hidden] * 2}
    for key in ("weight_init_std", "activation"):
        if key in given or key in (recorded or {}):
            sizes[key] = given.get(key, (recorded or {}).get(key))
    if learner.method != "gradient":
        raise LearnerError(
            f"{learner.describe()} has no gradient(x, t) (backprop): xpnet train steps with it."
            f" Add gradient(x, t) (the book's chapter 5), or train xpnet's own network"
        )
    if not any(callable(getattr(learner.cls, m, None)) for m in ("predict", "accuracy")):
        raise LearnerError(
            f"{learner.describe()} has neither predict(x) nor accuracy(x, t): xpnet train"
            " measures the accuracy after each epoch with one of them. Add predict(x), returning"
            " the scores of shape (N, 10) (the book's chapter 4)"
        )
    taken = {
        key: sizes[key] for key in SHAPING if key in sizes and _reaches(learner.cls, key, sizes)
    }
    _refuse_untaken(learner, {key: given[key] for key in SHAPING if key in given}, taken)
    net, call = build(learner, seed=seed, **sizes)
    refuse_grad(LearnerNet(net), settings["grad"])  # before the run's folder and files
    dtype = dtype_name(next(iter(net.params.values())).dtype)
    if "dtype" in given and given["dtype"] != dtype:
        raise LearnerError(
            f"--dtype {given['dtype']}: {learner.cls.__name__} makes {dtype} parameters, which"
            " xpnet cannot change without breaking the layers that hold them: drop --dtype"
        )
    head = f"xpnet train --net: {learner.cls.__name__} of {spec.partition(':')[0]}, {call}"
    try:
        result = check_learner(net, learner)
    except Exception as error:
        if not raised_in_backprop(error):
            raise
        refusal = (
            f"xpnet train: no training: {learner.cls.__name__}'s backprop raises. Fix it"
            " (xpnet check shows the same), then train"
        )
        raise CheckFailed("\n".join([head, backprop_raised(error), refusal])) from None
    source = {
        "file": str(learner.path),
        "class": learner.cls.__name__,
        "call": call,  # what is true of its shape: how it was built, and what it holds
        "params": {name: list(value.shape) for name, value in net.params.items()},
    }
    notes = [f"note: {note}" for note in learner.notes + result.notes]
    if not result.check.passed:
        refusal = (
            f"xpnet train: no training: {learner.cls.__name__}'s gradient fails the check"
            " above. Fix it (xpnet check shows the same report), then train"
        )
        raise CheckFailed("\n".join([head, *notes, str(result.check), refusal]))
    wrapped = LearnerNet(net, form=result.form, source=source)
    said = "\n".join(
        [
            head,
            *notes,
            f"check PASSED (backprop = numerical gradient on 3 images, {dtype}); targets:"
            f" {result.form}",
        ]
    )
    return Prepared(wrapped, call, said, taken)


def _reaches(cls: type, key: str, sizes: dict) -> bool:
    """Whether the setting ``key`` of sizes reaches cls's constructor (a parameter takes it)."""
    marker = object()
    marked = {**sizes, key: marker}
    if key == "hidden_size":
        marked["hidden_size_list"] = [marker] * 2
    args, kwargs = build_arguments(cls, **marked)
    return any(
        v is marker or (isinstance(v, list) and marker in v) for v in [*args, *kwargs.values()]
    )


def _refuse_untaken(learner, given: dict, taken: dict) -> None:
    """A flag that shapes xpnet's own TwoLayerNet, given with --net to a class that takes no
    parameter for it, is refused in one line naming both flags: it would change nothing."""
    untaken = [key for key in given if key not in taken]
    if not untaken:
        return
    flags = " ".join(f"--{key.replace('_', '-')} {given[key]}" for key in untaken)
    names = " and ".join(f"--{key.replace('_', '-')}" for key in untaken)
    try:
        signature = str(inspect.signature(learner.cls.__init__)).replace("(self, ", "(", 1)
    except (TypeError, ValueError):
        signature = "(...)"
    cls = learner.cls.__name__
    raise LearnerError(
        f"{flags}: {'these flags shape' if len(untaken) > 1 else 'this flag shapes'} xpnet's own"
        f" TwoLayerNet; --net trains {cls} of {learner.path}, whose {cls}{signature} takes no"
        f" {' or '.join(untaken)}: the learner's class decides its own shape. Drop {names}"
    )


def for_evaluation(args, checkpoint, path, *, time_limit: float = TIME_LIMIT):
    """The network that ``xpnet evaluate [--net FILE.py[:CLASS]] CHECKPOINT`` (its ``args``)
    evaluates, when the checkpoint or --net names a learner's class (None: xpnet's own).

    The class must be the one the checkpoint records (:func:`refuse_other_source`, in evaluate's
    words: without --net, the one line gives the command with it); it is built as ``xpnet train
    --net`` built it (the same sizes, and the shaping settings its class took), not checked, and
    the checkpoint's parameters are written into its own arrays. Returns a LearnerNet.
    """
    spec, recorded = getattr(args, "net", None), checkpoint.net.get("learner")
    if recorded is None and spec is None:
        return None
    refuse_other_source(recorded, spec, path, command="evaluate")
    _refuse_device(args, "evaluates")
    if not source_of(spec)["class"]:  # the file's class that the checkpoint names
        spec = f"{spec}:{recorded['class']}"
    learner = load_learner(spec, time_limit=time_limit)
    shaping = {key: checkpoint.net[key] for key in SHAPING if key in checkpoint.net}
    hidden = shaping.get("hidden_size") or BOOK_SIZES["hidden_size"]
    sizes = {**shaping, "hidden_size": hidden, "hidden_size_list": [hidden] * 2}
    net, _ = build(learner, **sizes)
    wrapped = LearnerNet(net, source={"file": str(learner.path), "class": learner.cls.__name__})
    load_params_in_place(wrapped, checkpoint, path=path)
    return wrapped


def prepare_for_run(args, settings, given: dict, checkpoint, checkpoint_path) -> Prepared | None:
    """What Run needs of --net (None without it, for xpnet's own network): the resume rule for
    the network's source, the device (the learner's arrays are where they are), the network
    checked; the run's dtype becomes the network's."""
    spec = getattr(args, "net", None)
    if checkpoint is not None:
        refuse_other_source(checkpoint.net.get("learner"), spec, checkpoint_path)
    time_limit = getattr(args, "time_limit", None)
    if spec is None:
        if time_limit is not None:
            raise LearnerError(
                f"--time-limit {time_limit:g}: it limits the top-level code of --net FILE.py"
                " when imported, and no --net was given: drop --time-limit, or add --net"
            )
        return None
    _refuse_device(args, "trains")
    limit = TIME_LIMIT if time_limit is None else time_limit
    recorded = {k: checkpoint.net[k] for k in SHAPING if checkpoint and k in checkpoint.net}
    prepared = prepare(
        spec, settings, given, time_limit=limit, seed=settings["seed"], recorded=recorded
    )
    settings.values["dtype"] = dtype_name(prepared.net.dtype)
    for key in SHAPING:  # what did not reach the learner's class is no setting of this run
        settings.values[key] = prepared.taken.get(key)
    # a checkpoint keeps the dtype and the shaping settings that the class took, no others
    prepared.net.config.update({"dtype": settings["dtype"], **prepared.taken})
    return prepared


def _refuse_device(args, doing: str) -> None:
    """--device or --backend other than NumPy's CPU, with --net: refused, naming them."""
    if args.backend not in (None, "numpy") or args.device not in ("auto", "cpu"):
        asked = " ".join(
            f"--{flag} {value}"
            for flag, value in (("device", args.device), ("backend", args.backend))
            if value not in (None, "auto")
        )
        raise LearnerError(
            f"{asked}: --net {doing} the learner's network on the arrays it makes itself (NumPy"
            " on the CPU for the book's code): drop them"
        )


def _named(source: dict) -> str:
    return f"{source['class']} of {source['file']}" if source.get("class") else source["file"]
