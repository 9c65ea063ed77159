"""Backpropagation checked against the numerical gradient.

- :func:`gradient_check` (gradcheck.py): xpnet's own TwoLayerNet, figures per parameter;
- :func:`check_network` (netcheck.py): any object with the book's interface, a learner's own
  network included, with the likely mistake in words (diagnosis.py, report.py);
- learner.py: a learner's network class, loaded from their file for ``xpnet check``.
"""

from .gradcheck import GradientCheck, ParameterCheck, gradient_check
from .netcheck import check_network
from .report import NetworkCheck, ParameterResult

__all__ = [
    "GradientCheck",
    "NetworkCheck",
    "ParameterCheck",
    "ParameterResult",
    "check_network",
    "gradient_check",
]
