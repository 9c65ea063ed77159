"""Building a learner's network class with the book's sizes, under the names its signature uses.

The book builds ``TwoLayerNet(input_size=784, hidden_size=50, output_size=10)`` and
``MultiLayerNet(input_size=784, hidden_size_list=[...], output_size=10)``; learners rename
(``input_dim``, ``n_hidden``, ``num_classes``...), make sizes keyword-only, or add options
(``weight_init_std``, ``activation``, ``use_batchnorm``, ``weight_decay_lambda``). Each parameter
of ``__init__`` is read by its name: a size gets the book's size (a hidden size is always 50, so
that a check stays quick), a required option a neutral value, an option with a default keeps it,
and so does a size whose default is a tuple (an image's shape, ``input_dim=(1, 28, 28)``). A
network of chapter 7 (convolution: :func:`chapter_7`) is refused by name, before it is built.
A required parameter that no rule knows is refused by name, unless it is a book name mistyped
(``ouput_size``).

:func:`build_arguments` gives the arguments, :func:`call_text` the call as the learner would write
it, and :func:`build` makes the net with them (NumPy's global generator seeded, what it prints
kept), refusing a net without ``params`` with the fix.
"""

from __future__ import annotations

import difflib
import inspect
import re
from typing import TYPE_CHECKING

import numpy as np

from .found import LearnerError
from .locating import _place, class_file, learner_frames
from .quiet import kept

if TYPE_CHECKING:
    from .found import Learner

__all__ = ["BOOK_SIZES", "build", "build_arguments", "call_text"]

BOOK_SIZES = {"input_size": 784, "hidden_size": 50, "output_size": 10}
HIDDEN_LIST = [50, 50]  # MultiLayerNet: two hidden layers, so that a layer between is checked

_SIZE = r"(_?(size|dim|num|nodes|units|neurons|features|shape))?$"
RULES = [  # (pattern on the parameter's name, its book name, the value, replaces a default)
    (r"hidden.*(list|sizes|layers|dims|units)|(sizes|layers|dims|units).*hidden",
     "hidden_size_list", HIDDEN_LIST, True),
    (r"^(n_?)?(input|in|inp|x)" + _SIZE + "|^input", "input_size", 784, True),
    (r"^(n_?)?hidden" + _SIZE + "|^hidden", "hidden_size", 50, True),
    (r"^(n_?)?(output|out|y|classes?|labels?)" + _SIZE + "|^output|^num_?class|class_?num",
     "output_size", 10, True),
    (r"std|init_?(scale|weight)|weight_?init|scale", "weight_init_std", 0.01, False),
    (r"^use_|_?fl[a]?g$|^(batch_?norm|dropout)$", "", False, False),
    (r"lambda|decay|ratio|rate|dropout", "", 0.0, False),
    (r"activation", "activation", "relu", False),
]  # fmt: skip
TYPO_NAMES = ("input_size", "hidden_size", "output_size", "hidden_size_list")
KEEP, UNKNOWN = object(), object()  # markers: leave the default; no rule knows the name


def build_arguments(cls: type, **given) -> tuple[list, dict]:
    """(args, kwargs) that build cls with the book's sizes under its own names.

    Parameters
    ----------
    cls : type
        The learner's network class.
    **given
        Values by the book's names (input_size, hidden_size, output_size, hidden_size_list,
        weight_init_std, activation) that replace the book's, or a default they match.

    Returns
    -------
    tuple of (list, dict)
        Positional arguments (for positional-only parameters, or three sizes under names of
        their own) and keyword arguments.

    Raises
    ------
    LearnerError
        When a required parameter matches no rule.

    Examples
    --------
    >>> class Net:
    ...     def __init__(self, input_dim, n_hidden, *, num_classes=3, weight_init_std=0.1): ...
    >>> build_arguments(Net)
    ([], {'input_dim': 784, 'n_hidden': 50, 'num_classes': 10})
    >>> build_arguments(Net, weight_init_std=0.5)[1]["weight_init_std"]
    0.5
    """
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return [], dict(BOOK_SIZES)
    parameters = list(signature.parameters.values())[1:]  # past self
    named = [p for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if not named:  # (self, *args, **kwargs), or (self)
        if any(p.kind == p.VAR_KEYWORD for p in parameters):
            return [], {**BOOK_SIZES, **{k: v for k, v in given.items() if k in BOOK_SIZES}}
        if parameters:
            return [given.get(k, v) for k, v in BOOK_SIZES.items()], {}
        return [], {}
    args, kwargs, unknown = [], {}, []
    for p in named:
        value = (
            KEEP
            if isinstance(p.default, tuple)
            else _value(p.name, p.default is not p.empty, given)
        )
        if value is UNKNOWN:
            unknown.append(p.name)
        elif value is not KEEP and p.kind == p.POSITIONAL_ONLY:
            args.append(value)
        elif value is not KEEP:
            kwargs[p.name] = value
    required = [p for p in named if p.default is p.empty]
    if unknown and len(unknown) == len(required) == 3 and not kwargs:  # sizes, named their way
        return [given.get(k, v) for k, v in BOOK_SIZES.items()], {}
    if unknown:
        names = ", ".join(unknown)
        raise LearnerError(
            f"cannot build {cls.__name__} as the book does: its __init__ needs {names}, which"
            f" xpnet cannot guess (it gives input_size=784, hidden_size=50, output_size=10,"
            f" hidden_size_list, weight_init_std by those names and their usual variants). Give"
            f" {names} a default value in {cls.__name__}.__init__"
        )
    return args, kwargs


def _value(name: str, has_default: bool, given: dict):
    """The value for the parameter ``name``: given by its book name, a rule's, or a marker."""
    for pattern, book, value, replaces in RULES:
        if re.search(pattern, name.lower()):
            if book in given:
                return given[book]
            if has_default and not replaces:
                return KEEP
            return list(value) if isinstance(value, list) else value
    close = difflib.get_close_matches(name.lower(), TYPO_NAMES, n=1, cutoff=0.85)
    if close and not has_default:  # ouput_size, hiden_size: the book's name, mistyped
        return _value(close[0], has_default, given)
    return KEEP if has_default else UNKNOWN


def chapter_7(cls: type) -> str:
    """What makes cls a network of chapter 7 (a convolutional net, as the book's SimpleConvNet:
    Convolution or Pooling layers, a ``conv_param``, an image shape ``input_dim=(1, 28, 28)``),
    or "" where nothing does."""
    init = getattr(cls, "__init__", None)
    try:
        parameters = list(inspect.signature(init).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    said = [
        f"{p.name}={p.default!r}"
        for p in parameters
        if isinstance(p.default, tuple) and len(p.default) == 3
    ]
    said += [p.name for p in parameters if p.name.startswith("conv_param")]
    names = getattr(getattr(init, "__code__", None), "co_names", ())
    said += [f"{n} layers" for n in ("Convolution", "Pooling") if n in names]
    return ", ".join(said)


def call_text(cls: type, args: list, kwargs: dict) -> str:
    """The call as a learner would write it: ``TwoLayerNet(input_size=784, ...)``."""
    try:
        parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        parameters = []
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    shown = [f"{n}={v!r}" for n, v in zip(names, args, strict=False)]
    shown += [repr(v) for v in args[len(shown) :]]
    shown += [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{cls.__name__}({', '.join(shown)})"


def build(learner: Learner, **sizes):
    """An instance of the learner's class, built with the book's sizes (or ``sizes``) under the
    names of its signature, NumPy's global generator seeded with ``seed`` (default 0). Returns
    (net, the call as text). Raises LearnerError when the signature needs what xpnet cannot
    give, and passes on an error raised inside the learner's ``__init__``."""
    seed = sizes.pop("seed", 0)
    cls = learner.cls
    convolution = chapter_7(cls)
    if convolution:
        file = class_file(cls)
        place = _place(cls)  # in a notebook "[cell 6], line 5", which names the cell already
        name = file.rsplit("/", 1)[-1].partition(" [cell ")[0] if file else ""
        where = f"{name}{' ' if place.startswith('[cell') else ', '}{place}" if name else place
        raise LearnerError(
            f"{cls.__name__} ({where}) is a network of chapter 7 (convolution:"
            f" {convolution}), which xpnet check does not check: it checks the networks of"
            " chapters 4-5 (TwoLayerNet, MultiLayerNet), on images of 784 pixels"
        )
    args, kwargs = build_arguments(cls, **sizes)
    np.random.seed(seed)  # noqa: NPY002 (the book's nets draw from this generator)
    try:
        with kept():
            net = cls(*args, **kwargs)
    except TypeError as error:
        if learner_frames(error):  # raised inside their __init__: their bug
            raise
        raise LearnerError(
            f"cannot build {call_text(cls, args, kwargs)} as the book does: {error}"
        ) from None
    params = getattr(net, "params", None)
    if params is None and (named := _params_named_otherwise(net)):
        net.params = params = getattr(net, named)  # the same dict: their methods read it
        learner.notes.append(
            f"{cls.__name__} keeps its parameters in self.{named}, a dict of arrays (the book's"
            f" name is self.params): xpnet checks those"
        )
    if not isinstance(params, dict) or not params:
        book = f"{cls.__name__}(input_size=784, hidden_size=50, output_size=10)"
        raise LearnerError(
            f"{call_text(cls, args, kwargs)} has {_described(params)} for net.params: xpnet"
            f" checks the parameters in it (cannot build {book} as the book does, with"
            f" params['W1'] ...). Fill self.params in {cls.__name__}.__init__"
            f" ({_place(cls.__init__)})"
        )
    return net, call_text(cls, args, kwargs)


def _params_named_otherwise(net) -> str:
    """The name of the one attribute of net other than ``params`` that holds a non-empty dict
    of arrays (``self.param``, ``self.parameters``, ``self.weights``); "" where none or several
    do."""
    named = [
        name
        for name, value in vars(net).items()
        if isinstance(value, dict)
        and value
        and all(hasattr(v, "shape") and hasattr(v, "dtype") for v in value.values())
    ]
    return named[0] if len(named) == 1 else ""


def _described(params) -> str:
    if params is None:
        return "no dict"
    return "an empty dict" if isinstance(params, dict) else f"a {type(params).__name__}"
