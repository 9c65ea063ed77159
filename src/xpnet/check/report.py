"""The report of :func:`xpnet.check_network`: figures per parameter, and the diagnosis in words.

:class:`ParameterResult` holds one parameter's figures (Python floats and tuples, no arrays) and
the sentence that says what is wrong with it; :class:`NetworkCheck` holds them all, the problems
that concern the whole network (a loss that is no scalar, a loss that changes x), and prints a
table and a diagnosis that places the mistake: which parameters are right, which are not, why.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

__all__ = ["NetworkCheck", "ParameterResult"]

WIDTH = 100  # the diagnosis is wrapped to this many characters


@dataclass(frozen=True)
class ParameterResult:
    """One parameter's check. Figures are None where they cannot be computed (a gradient that is
    missing or of another shape).

    error: max |backprop - numerical| / max(max |backprop|, max |numerical|), the relative error
    scaled by the gradient's magnitude; passed: error <= the check's tolerance. factor: c when
    backprop = c * numerical for a constant c != 1 (a sum where the loss takes the mean gives
    c = N, the batch size). reason: what is wrong, in words ("" when it passed).
    """

    name: str
    shape: tuple[int, ...]
    gradient_shape: tuple[int, ...] | None
    backprop_max: float | None
    numerical_max: float
    error: float | None
    max_abs: float | None
    mean_abs: float | None
    factor: float | None
    passed: bool
    reason: str = ""


@dataclass(frozen=True)
class NetworkCheck:
    """The result of :func:`xpnet.check_network`.

    ``passed``: no network-wide problem and every parameter passed. ``check[name]``: that
    parameter's :class:`ParameterResult`. ``problems``: sentences about the whole network (loss
    not a scalar, loss or gradient changing x, t or params); when there is one, no parameter is
    compared (``parameters`` is empty). ``notes``: remarks
    that do not fail the check (float32 parameters, extra keys). ``str(check)``: the table and
    the diagnosis.
    """

    parameters: tuple[ParameterResult, ...]
    problems: tuple[str, ...]
    notes: tuple[str, ...]
    tolerance: float
    batch_size: int
    dtype: str

    @property
    def passed(self) -> bool:
        return not self.problems and all(p.passed for p in self.parameters)

    def __getitem__(self, name: str) -> ParameterResult:
        for p in self.parameters:
            if p.name == name:
                return p
        names = ", ".join(p.name for p in self.parameters)
        raise KeyError(f"no parameter {name!r} in this check; it has {names}")

    def __iter__(self):
        return iter(self.parameters)

    def __str__(self) -> str:
        lines = [_table(self.parameters)] if self.parameters else []
        verdict = "PASSED" if self.passed else "FAILED"
        lines.append(
            f"check {verdict} on a batch of {self.batch_size}, {self.dtype}: a parameter passes"
            f" when its relative error is <= {self.tolerance:g}"
        )
        said = [f"- {problem}" for problem in self.problems]
        reasons: dict[str, list[str]] = {}  # one line for the parameters that share a reason
        for p in self.parameters:
            if p.reason:
                reasons.setdefault(p.reason, []).append(p.name)
        said += [f"- {', '.join(names)}: {reason}" for reason, names in reasons.items()]
        said += _placement(self.parameters, self.batch_size)
        said += [f"note: {note}" for note in self.notes]
        lines += [textwrap.fill(line, WIDTH, subsequent_indent="  ") for line in said]
        return "\n".join(lines)


def _table(parameters: tuple[ParameterResult, ...]) -> str:
    rows = [
        f"{'param':<6} {'shape':<11} {'backprop':>10} {'numerical':>10} {'rel error':>10}  result"
    ]
    for p in parameters:
        backprop = "missing" if p.gradient_shape is None else _number(p.backprop_max)
        result = "ok" if p.passed else "WRONG"
        if p.gradient_shape not in (p.shape, None):
            result += f": gradient of shape {_shape(p.gradient_shape)}"
        rows.append(
            f"{p.name:<6} {_shape(p.shape):<11} {backprop:>10} {_number(p.numerical_max):>10}"
            f" {_number(p.error):>10}  {result}"
        )
    rows.append("(backprop, numerical: largest |entry| of each gradient)")
    return "\n".join(rows)


def _placement(parameters: tuple[ParameterResult, ...], batch_size: int) -> list[str]:
    """Where the mistake is: which gradients are right, which wrong, and what they share."""
    right = [p.name for p in parameters if p.passed]
    wrong = [p for p in parameters if not p.passed]
    if not wrong:
        return []
    lines = []
    factors = [p.factor for p in wrong]
    same = None not in factors and max(factors) - min(factors) <= 1e-3 * abs(factors[0])
    if len(wrong) == len(parameters) > 1 and same:
        lines.append(
            f"every gradient is off by the same factor {wrong[0].factor:.4g}: the mistake is in"
            " what all of them share, the loss layer's backward (SoftmaxWithLoss) or the loss"
        )
    if right:
        lines.append(
            f"right: {', '.join(right)}; wrong: {', '.join(p.name for p in wrong)}. The backward"
            " pass that feeds the right ones works: look where the wrong ones are computed (their"
            " layer's backward, the layers between) and collected (gradient())"
        )
    return lines


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2e}"
