"""A file of chapter 5's layers with no network: each layer on its own, backward against forward.

Chapter 5 writes its layers before its network: ``layer_naive.py`` (MulLayer, AddLayer, used by
``buy_apple.py``), then ``common/layers.py`` (Relu, Sigmoid, Affine, SoftmaxWithLoss). A file of
them holds no TwoLayerNet. :func:`check_layers` finds each class of the learner's own files with
``forward`` and ``backward``, builds it as the book does and checks it alone:

- a node of two inputs (MulLayer, AddLayer): on the book's numbers of 5.4 (MulLayer's
  ``forward(100, 2)`` is 200 and its ``backward(1.1)`` (2.2, 110); AddLayer's ``forward(200,
  450)`` 650 and its ``backward(1.1)`` (1.1, 1.1)), against the derivatives of its own forward;
- a layer of one input (Relu, Sigmoid, Dropout, any other): its forward against xpnet's function
  of its name, ``dx = backward(dout)`` against the numerical derivative of ``sum(forward(x) *
  dout)``, on an x of shape (4, 5) at least 0.1 away from ReLU's kink;
- Affine, built from W (4, 3) and b (3,) (or from two sizes): ``x W + b``, dx, ``dW`` and ``db``
  against their formulas (exact: the forward was found right first);
- a loss layer (SoftmaxWithLoss): ``forward(x, t)`` against ``cross_entropy_error(softmax(x),
  t)``, ``backward(1)`` against the numerical derivative; t one-hot, and class labels for a note.

A typical mistake is said with its fix (dx and dy swapped, ReLU's mask missing or inverted,
sigmoid's ``(1 - out)`` missing, the batch size not divided by, ``np.sum(dout)`` without
``axis=0``). ``np.random`` is seeded before every forward, so that the book's Dropout is checked
too. A layer of chapters 6-7 (Convolution, Pooling, BatchNormalization), or one whose
constructor needs what xpnet cannot guess, is not checked, and :attr:`FunctionsCheck.skipped`
says so with why.

The checks live by family: :mod:`~xpnet.check.nodes` (two inputs, one input),
:mod:`~xpnet.check.affine`, :mod:`~xpnet.check.losslayer`; :mod:`~xpnet.check.layerparts`
holds what they share.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np

from .affine import _affine
from .examples import FunctionResult, FunctionsCheck, _where_class
from .layerparts import _about_none, _inputs, _required, _result
from .locating import _brief, _is_theirs, learner_frames
from .losslayer import _loss
from .nodes import NODES, _node, _one_input

__all__ = ["NODES", "check_layers", "layer_like"]

LATER = ("conv", "pool", "batchnorm", "batch_norm", "normalization")  # chapters 6-7
AFFINE = ("affine", "dense", "linear", "fc", "fullyconnected")


def check_layers(namespace: dict, *, only: type | None = None) -> FunctionsCheck | None:
    """The check of the layers in ``namespace`` (a learner's module's ``vars``): each class of
    the learner's own files with forward and backward (:func:`layer_like`); None where it holds
    none. A layer that cannot be checked is in the report's ``skipped``, with why.

    ``only``: a class named by the learner (``FILE.py:MulLayer``), checked alone.
    """
    classes = [only] if only is not None else [v for v in namespace.values() if inspect.isclass(v)]
    results, skipped = [], []
    for cls in dict.fromkeys(classes):
        if not layer_like(cls):
            if _forward_only(cls):
                skipped.append(f"{cls.__name__} ({_where_class(cls)}) has forward but no backward:"
                               " not checked")  # fmt: skip
            continue
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.filterwarnings("ignore", "numerical_gradient: ", UserWarning)
            outcome = _checked(cls)
        if isinstance(outcome, str):
            skipped.append(f"{cls.__name__} ({_where_class(cls)}) is not checked: {outcome}")
        else:
            results.append(outcome)
    if not results and not skipped:
        return None
    return FunctionsCheck(tuple(results), tuple(skipped))


def layer_like(cls) -> bool:
    """Whether cls is a layer of the learner's: a class of their own files with forward and
    backward, and no network (no gradient, predict or loss method)."""
    return (
        inspect.isclass(cls)
        and _is_theirs(cls)
        and all(callable(getattr(cls, m, None)) for m in ("forward", "backward"))
        and not any(callable(getattr(cls, m, None)) for m in ("gradient", "predict", "loss"))
    )


def _forward_only(cls) -> bool:
    """Whether cls is a layer of the learner's still being written: forward, no backward."""
    network = ("gradient", "predict", "loss", "backward")
    return (
        inspect.isclass(cls)
        and _is_theirs(cls)
        and callable(getattr(cls, "forward", None))
        and not any(callable(getattr(cls, m, None)) for m in network)
    )


def _affine_like(low: str, required: list[str]) -> bool:
    return any(w in low for w in AFFINE) or [r.lower() for r in required] == ["w", "b"]


def _checked(cls) -> FunctionResult | str:
    """The result of cls's check, or why it is not checked."""
    low = cls.__name__.lower()
    if any(word in low for word in LATER):
        return "a layer of chapters 6-7; xpnet checks chapter 5's (Relu, Sigmoid, Affine, ...)"
    required = _required(cls.__init__)
    try:
        if required and _affine_like(low, required):
            return _affine(cls, required)
        if required:
            return (
                f"its constructor needs {', '.join(required)}, which xpnet cannot guess; check"
                " it inside a network"
            )
        try:
            layer = cls()
        except Exception as error:
            return _result(cls, f"{cls.__name__}() raised {_brief(error)}")
        inputs = _inputs(cls.forward)
        if len(inputs) == 1:
            return _one_input(cls, layer)
        if len(inputs) == 2 and any(w in low for w in ("loss", "softmax", "entropy")):
            return _loss(cls, layer)
        if len(inputs) == 2:
            return _node(cls, layer)
        return (
            f"its forward takes {len(inputs)} inputs ({', '.join(inputs)}); xpnet checks a layer"
            " of one (Relu), two (MulLayer) or x and t (SoftmaxWithLoss)"
        )
    except Exception as error:
        if not learner_frames(error):  # called otherwise than it is written (backward(self))
            return f"xpnet could not call it as the book's layers are called: {_brief(error)}"
        kept = ""
        if _about_none(error) and learner_frames(error)[-1].name == "backward":
            kept = ": backward reads what forward keeps (self.out = out, self.x = x): keep it"
        return _result(cls, f"on xpnet's example it raised {_brief(error)}{kept}")
