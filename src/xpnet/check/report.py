"""The one result of both checks: :class:`GradientCheck`, backprop against the numerical gradient.

:func:`xpnet.gradient_check` (xpnet's own network) and :func:`xpnet.check_network` (any network
with the book's interface) return the same type, with the same figures for every parameter
(:class:`ParameterCheck`) and one criterion story: a check names the *measure* that decides
(``criterion``, one of :data:`MEASURES`) and its ``tolerance``, and a parameter passes when its
measure is at most the tolerance. The measures, one vocabulary for both checks:

- ``mean abs``: mean |backprop - numerical|, the book's own figure (``np.average(np.abs(...))``);
  :func:`~xpnet.gradient_check` decides by it (1e-7), for xpnet's float64 network at the book's
  scale;
- ``rel error``: max |backprop - numerical| / max(max |backprop|, max |numerical|), the largest
  difference relative to the gradient's magnitude: free of the network's scale, so
  :func:`~xpnet.check_network` decides by it (1e-4 in float64, see :mod:`xpnet.check.netcheck`).

Every parameter carries both, and ``max abs`` and ``max rel`` (the largest element-wise relative
difference, which decides nothing) besides. ``str()`` is the text that ``xpnet check`` and
``xpnet gradcheck`` print, ``_repr_html_()`` a notebook's table: both are one table of
:data:`COLUMNS`, whose measures are named as the criterion names them, its cells made by one
function (:func:`_rows`) for both checks, then the verdict and the diagnosis. ``repr()`` is one
short line.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field

__all__ = ["MEASURES", "GradientCheck", "NetworkCheck", "ParameterCheck", "ParameterResult"]

WIDTH = 100  # the diagnosis is wrapped to this many characters
MEASURES = {  # criterion -> (ParameterCheck attribute, the words of the verdict, the definition)
    "mean abs": ("mean_abs", "mean abs difference", "mean |backprop - numerical|"),
    "rel error": (
        "error",
        "relative error",
        "max |backprop - numerical| / max(max |backprop|, max |numerical|)",
    ),
}
COLUMNS = (  # the table of both checks, as text and in a notebook
    *("param", "shape", "backprop", "numerical", "max abs", "mean abs", "rel error", "result"),
)


@dataclass(frozen=True, kw_only=True)
class ParameterCheck:
    """One parameter's figures (Python floats and tuples, no arrays) and what is wrong with it.

    Figures are None where they cannot be computed (a gradient that is missing or of another
    shape).

    Attributes
    ----------
    name : str
        The parameter's key in ``net.params`` ("W1").
    shape : tuple of int
        The parameter's shape.
    gradient_shape : tuple of int or None
        The shape of backprop's gradient for it; None where backprop gave none.
    backprop_max, numerical_max : float
        The largest ``|entry|`` of backprop's gradient (None where it has none) and of the
        numerical one.
    error : float or None
        The ``rel error`` measure (:data:`MEASURES`).
    max_abs, mean_abs : float or None
        The largest and the mean ``|backprop - numerical|``; ``mean_abs`` is the ``mean abs``
        measure.
    max_relative : float or None
        The largest element-wise ``|b - n| / max(|b|, |n|)``, large for entries whose gradient is
        tiny (so it decides nothing).
    factor : float or None
        c when backprop = c * numerical for a constant c != 1 (a sum where the loss takes the
        mean gives c = N, the batch size).
    passed : bool
        The check's measure is at most its tolerance.
    reason : str
        What is wrong, in words ("" when it passed).
    judged : bool
        False where the numerical gradient cannot judge backprop on this x (every entry that
        disagrees sits on a corner of the loss, ReLU's kink: an image of zeros puts every hidden
        input there); such a parameter does not pass, and is not called wrong either.

    Examples
    --------
    >>> import numpy as np, xpnet
    >>> net = xpnet.TwoLayerNet(4, 3, 2, seed=0)
    >>> check = xpnet.gradient_check(net, np.ones((2, 4)), np.array([0, 1]))
    >>> check["W2"].name, check["W2"].shape, check["W2"].passed
    ('W2', (3, 2), True)
    """

    name: str
    shape: tuple[int, ...] = ()
    gradient_shape: tuple[int, ...] | None = None
    backprop_max: float | None = None
    numerical_max: float = 0.0
    error: float | None = None
    max_abs: float | None = None
    mean_abs: float | None = None
    max_relative: float | None = None
    factor: float | None = None
    passed: bool = False
    reason: str = ""
    judged: bool = True


ParameterResult = ParameterCheck  # check_network's name for it (xpnet <= 0.x): the same class


@dataclass(frozen=True, kw_only=True)
class GradientCheck:
    """The result of :func:`xpnet.gradient_check` and :func:`xpnet.check_network`.

    Attributes
    ----------
    parameters : tuple of ParameterCheck
        One per parameter, in ``net.params`` order; ``check[name]`` finds one, ``for p in
        check`` walks them. Empty when there is a ``problem``.
    criterion : str
        The measure that decides, a key of :data:`MEASURES`: "mean abs" or "rel error".
    tolerance : float
        A parameter passes when its measure is at most this.
    problems : tuple of str
        Sentences about the whole network (a loss that is no scalar, a loss or gradient that
        changes x, t or params); when there is one, no parameter is compared.
    notes : tuple of str
        Remarks that do not fail the check (float32 parameters, extra keys, the targets' form).
    batch : str
        Where ``loss(x, t)`` of the batch is not the mean of its images' own losses (the book's
        networks treat each image alone): the figures and the likely cause, which fail the check
        whatever the gradients (see :mod:`xpnet.check.batch`); "" otherwise.
    layers : tuple of str
        Layers whose backward disagrees with the derivative of their own forward, with their
        place in the learner's files (see :mod:`xpnet.check.layers`).
    batch_size, dtype : int, str
        The batch the check ran on and the parameters' dtype ("float64" or "float32").
    near_kink : int
        Hidden pre-activations within a few h of ReLU's kink (xpnet's own network only).
    title : str
        "gradient check" or "check": the first word of the verdict.
    method : str
        The method whose gradient was checked: "gradient" (backprop) or "numerical_gradient".
    placement : tuple of str
        Where the mistake is, when a parameter fails: which gradients are right, which wrong,
        and what they share (sentences the report shows); empty when all pass.
    passed : bool
        The verdict: no problem, no batch finding, and every parameter passed.

    Examples
    --------
    >>> import numpy as np
    >>> from xpnet import TwoLayerNet, check_network
    >>> net = TwoLayerNet(4, 3, 2, weight_init_std=1.0, seed=1)
    >>> check = check_network(net, np.array([[0.5, -1.0, 2.0, 0.25]]), np.array([1]))
    >>> check
    <GradientCheck PASSED: rel error <= 0.0001 for W1, b1, W2, b2 (batch of 1, float64)>
    >>> print(str(check).splitlines()[-1])
    check PASSED on a batch of 1, float64: a parameter passes when its relative error is <= 0.0001
    """

    parameters: tuple[ParameterCheck, ...]
    criterion: str
    tolerance: float
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()
    batch_size: int = 0
    batch: str = ""
    dtype: str = "float64"
    near_kink: int = 0
    title: str = "check"
    method: str = "gradient"
    placement: tuple[str, ...] = field(default=(), repr=False)

    @property
    def passed(self) -> bool:
        """The verdict: no problem, no batch finding, and every parameter passed."""
        return not self.problems and not self.batch and all(p.passed for p in self.parameters)

    @property
    def judged(self) -> bool:
        """False where the check neither passes nor fails: every parameter that does not pass
        cannot be judged on this x (ParameterCheck.judged); True otherwise."""
        failing = [p for p in self.parameters if not p.passed]
        return bool(self.problems or self.batch) or not failing or any(p.judged for p in failing)

    def __getitem__(self, name: str) -> ParameterCheck:
        for p in self.parameters:
            if p.name == name:
                return p
        names = ", ".join(p.name for p in self.parameters)
        raise KeyError(f"no parameter {name!r} in this check; it has {names}")

    def __iter__(self):
        return iter(self.parameters)

    def __repr__(self) -> str:
        verdict = _word(self)
        names = ", ".join(p.name for p in self.parameters) or "no parameter"
        wrong = [p.name for p in self.parameters if not p.passed]
        said = f"wrong: {', '.join(wrong)}" if wrong else f"for {names}"
        if not self.judged:
            said = f"{', '.join(wrong)} not on this x"
        if self.batch and not wrong:
            said = "the loss of a batch"
        if self.problems:
            said = f"{len(self.problems)} problem(s)"
        return (
            f"<{type(self).__name__} {verdict}: {self.criterion} <= {self.tolerance:g} {said}"
            f" (batch of {self.batch_size}, {self.dtype})>"
        )

    def __str__(self) -> str:
        lines = [_table(self)] if self.parameters else []
        lines.append(_verdict(self))
        lines += [textwrap.fill(line, WIDTH, subsequent_indent="  ") for line in _diagnosis(self)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """A notebook's view: the table of ``str()``, then the verdict and the diagnosis."""
        head = "".join(f"<th>{html.escape(c)}</th>" for c in _columns(self))
        rows = [
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
            for cells in _rows(self)
        ]
        lines = _verdict(self), *_diagnosis(self)
        said = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        return table + said


NetworkCheck = GradientCheck  # check_network's name for it (xpnet <= 0.x): the same class


def _columns(check: GradientCheck) -> tuple[str, ...]:
    """COLUMNS, with "yours" for "backprop" where a net's own numerical gradient was checked."""
    gradient = "backprop" if check.method == "gradient" else "yours"
    return tuple(gradient if column == "backprop" else column for column in COLUMNS)


def _rows(check: GradientCheck) -> list[tuple[str, ...]]:
    """The cells of each parameter's row under _columns(check), in the text and in a notebook."""
    rows = []
    for p in check.parameters:
        backprop = "missing" if p.gradient_shape is None else _number(p.backprop_max)
        figures = (_number(v) for v in (p.numerical_max, p.max_abs, p.mean_abs, p.error))
        result = "ok" if p.passed else "WRONG" if p.judged else "cannot judge"
        if p.gradient_shape not in (p.shape, None):
            result += f": gradient of shape {_shape(p.gradient_shape)}"
        rows.append((p.name, _shape(p.shape), backprop, *figures, result))
    return rows


def _table(check: GradientCheck) -> str:
    """The text table: a header of _columns, a row per parameter, what the figures are."""
    columns = _columns(check)
    lines = [_line(columns), *(_line(cells) for cells in _rows(check))]
    gradient = columns[COLUMNS.index("backprop")]
    lines.append(
        f"({gradient}, numerical: largest |entry| of each gradient; max abs, mean abs:"
        f" |{gradient} - numerical|)"
    )
    return "\n".join(lines)


def _line(cells: tuple[str, ...]) -> str:
    name, shape, *figures, result = cells
    return f"{name:<6} {shape:<11} " + " ".join(f"{f:>10}" for f in figures) + f"  {result}"


def _word(check: GradientCheck) -> str:
    return "PASSED" if check.passed else "FAILED" if check.judged else "CANNOT JUDGE"


def _verdict(check: GradientCheck) -> str:
    verdict = _word(check)
    return (
        f"{check.title} {verdict} on a batch of {check.batch_size}, {check.dtype}: a parameter"
        f" passes when its {MEASURES[check.criterion][1]} is <= {check.tolerance:g}"
    )


def _diagnosis(check: GradientCheck) -> list[str]:
    """The sentences under the table: problems, reasons (one line for the parameters that share
    one), the layers found wrong, where the mistake is, the notes."""
    said = [f"- {problem}" for problem in check.problems]
    said += [f"- {check.batch}"] if check.batch else []
    reasons: dict[str, list[str]] = {}
    for p in check.parameters:
        if p.reason:
            reasons.setdefault(p.reason, []).append(p.name)
    said += [f"- {', '.join(names)}: {reason}" for reason, names in reasons.items()]
    said += [f"- {layer}" for layer in check.layers]
    said += list(check.placement)
    said += [f"note: {note}" for note in check.notes]
    return said


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2e}"
