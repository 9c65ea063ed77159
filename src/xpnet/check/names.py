"""The learner's names for the book's: a layer's gradient attributes, and module functions.

Learners keep what the book keeps under names of their own: Affine's ``dW`` as ``self.d_W``,
``self.grad_W`` or ``self.gW``; ``cross_entropy_error`` as ``cross_entropy_error_function``,
``my_softmax`` or, mistyped, ``cros_entropy_error``. Their own code reads their own names, so
it works for them. Read it in two parts:

- :func:`gradient_attribute`: a layer's attribute for the gradient of its parameter ``W`` (or
  ``b``), by a close name (case, underscores and a ``d``/``g``/``grad`` prefix or a ``grad``
  suffix left out, so ``d_W``, ``dw``, ``grad_W``, ``gW``, ``dW_``, ``W_grad``), and, failing
  that, by value: the one array attribute of the parameter's shape that backward set (or the
  entry of the second book's ``self.grads`` list beside ``self.params``);
- :func:`book_function`: a module function under a name of the book's, with ``my_`` (or
  ``own_``) before it, ``_function`` (``_func``, ``_fn``) after it, or mistyped (the one close
  name, difflib ratio >= 0.8, as :mod:`xpnet.check.mistyped` for methods; never a private name).

Each answer comes with the name found, so the check says which one it read.
"""

from __future__ import annotations

import difflib
import inspect
import re
from pathlib import Path

__all__ = ["book_function", "gradient_attribute", "gradient_candidates"]

PREFIXES = ("gradient", "grads", "grad", "delta", "d", "g")  # longest first: "grad" before "g"
SUFFIXES = ("gradient", "grads", "grad")
PARAMETER_WORDS = {"w": ("w", "weight", "weights"), "b": ("b", "bias", "biases")}
FUNCTION_PREFIXES = ("my_", "own_", "the_")
FUNCTION_SUFFIXES = ("_function", "_func", "_fn")
CUTOFF = 0.8  # as mistyped.py's: cros_entropy_error, sofmax pass; a different word does not


def _plain(name: str) -> str:
    return name.lower().replace("_", "")


def _is_gradient_name(attribute: str, parameter: str) -> bool:
    """Whether ``attribute`` names the gradient of ``parameter`` ("W" or "b"): d_W, dw, grad_W,
    gW, dW_, W_grad, dweight; never the parameter itself."""
    plain = _plain(attribute)
    words = PARAMETER_WORDS.get(parameter.lower(), (parameter.lower(),))
    return any(
        plain in (prefix + word for prefix in PREFIXES) or plain == word + suffix
        for word in words
        for suffix in SUFFIXES
    )


def gradient_candidates(
    layer, parameter: str, book: str, before: dict | None = None, shape: tuple | None = None
) -> list:
    """(attribute, value) of the layer's attributes that may hold the gradient of
    ``parameter``, most likely first: the book's name ``book``, close names, then (where
    ``before``, ``vars(layer)`` before its backward, is given) each array of the parameter's
    shape (``shape``, or that of the layer's attribute ``parameter``) that backward set. Arrays
    in a ``params`` dict count as attributes."""
    attributes = dict(vars(layer)) if hasattr(layer, "__dict__") else {}
    params = attributes.get("params")
    if isinstance(params, dict):
        attributes = {**{str(k): v for k, v in params.items()}, **attributes}
    found = [(book, attributes[book])] if attributes.get(book) is not None else []
    found += [
        (name, value)
        for name, value in attributes.items()
        if name != book and value is not None and _is_gradient_name(name, parameter)
    ]
    like = attributes.get(parameter)
    shape = shape if shape is not None else getattr(like, "shape", None)
    found += _second_books(attributes, shape)
    if before is not None and shape is not None:
        named = {name for name, _ in found}
        found += [
            (name, value)
            for name, value in attributes.items()
            if name not in named
            and value is not like
            and tuple(getattr(value, "shape", ())) == tuple(shape)
            and before.get(name) is not value
        ]
    return found


def _second_books(attributes: dict, shape: tuple | None) -> list:
    """("grads[i]", value) where the layer keeps the second book's lists, ``self.params = [W,
    b]`` and ``self.grads = [dW, db]`` (backward writes ``self.grads[0][...] = dW``): the entry
    of ``grads`` whose parameter has ``shape``."""
    params, grads = attributes.get("params"), attributes.get("grads")
    if (
        shape is None
        or not isinstance(params, list | tuple)
        or not isinstance(grads, list | tuple)
        or len(params) != len(grads)
    ):
        return []
    return [
        (f"grads[{i}]", grad)
        for i, (param, grad) in enumerate(zip(params, grads, strict=True))
        if tuple(getattr(param, "shape", ())) == tuple(shape)
        and tuple(getattr(grad, "shape", ())) == tuple(shape)
    ]


def gradient_attribute(candidates: list, book: str, wrong) -> tuple[str, str]:
    """(what is wrong, a note) of the layer's gradient ``book`` (dW) among ``candidates``
    (:func:`gradient_candidates`): right where one of them is (``wrong(value)`` is ""), with a
    note naming it where it is not the book's; else what is wrong with the most likely one."""
    for name, value in candidates:
        if not wrong(value):
            if name == book:
                return "", ""
            by_name = any(_is_gradient_name(name, p) for p in PARAMETER_WORDS)
            how = (
                ""
                if by_name
                else " (the second book's grads, beside its params)"
                if name.startswith("grads[")
                else ", the one array of its parameter's shape that backward sets"
            )
            return "", (
                f"its {book} is kept as self.{name}{how}: checked that; the book's name is"
                f" self.{book}, which the book's TwoLayerNet reads"
            )
    return wrong(candidates[0][1] if candidates else None), ""


def book_function(
    namespace: dict, names: tuple[str, ...], books: set[str], is_theirs
) -> tuple[str, object]:
    """(the learner's name, the function) of a function of the book's ``names`` (its name and
    the other names learners give it) in ``namespace``, those for which ``is_theirs(function)``
    holds; ("", None) where there is none. The exact names first, then a prefix or a suffix
    left out, then the one close name; never a name in ``books`` (all the book's names), which
    is read as its own."""
    own = {
        name: value
        for name, value in namespace.items()
        if inspect.isfunction(value) and not name.startswith("_") and is_theirs(value)
    }
    for name in names:
        if name in own:
            return name, own[name]
    for name, value in own.items():
        if _bare(name) in names:
            return name, value
    others = [name for name in own if name not in books and _bare(name) not in books]
    for name in names:
        # a word of another of the book's names is no typo (numerical_descent: gradient_descent's)
        words = {w for book in books for w in book.split("_")} - set(name.split("_"))
        near = [_bare(o) for o in others if not words & set(_bare(o).split("_"))]
        close = difflib.get_close_matches(name, near, n=2, cutoff=CUTOFF)
        if len(close) == 1:
            learner = next(o for o in others if _bare(o) == close[0])
            return learner, own[learner]
    return "", None


def _bare(name: str) -> str:
    """name without a prefix (my_) or suffix (_function) that learners add to the book's."""
    low = name.lower()
    for prefix in FUNCTION_PREFIXES:
        low = low.removeprefix(prefix)
    return re.sub("(" + "|".join(FUNCTION_SUFFIXES) + ")$", "", low)


def read_as(learner: str, book: str, where: str) -> str:
    """The note of a function read under the book's name."""
    return (
        f"{learner} ({where}) is read as {book}, the book's name: rename it, or the book's code"
        " will not find it"
    )


def none_of_the_books(namespace: dict, books: tuple[str, ...], is_theirs) -> str:
    """What to say of a namespace whose functions of the learner's bear none of the book's
    names (``books``); "" where it holds none of the learner's."""
    own = [
        name
        for name, value in namespace.items()
        if inspect.isfunction(value) and not name.startswith("_") and is_theirs(value)
    ]
    if not own:
        return ""
    shown = ", ".join(own[:8]) + (f" and {len(own) - 8} more" if len(own) > 8 else "")
    file = Path(namespace.get("__file__") or "the file").name
    return (
        f"{file} defines functions ({shown}), none under the book's names ({', '.join(books)})"
        " nor close to them: xpnet checks a function by the book's name"
    )
