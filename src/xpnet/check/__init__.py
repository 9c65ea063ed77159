"""Backpropagation checked against the numerical gradient: two checks, one result type.

- :func:`gradient_check` (gradcheck.py): xpnet's own TwoLayerNet, the book's mean-abs figure;
- :func:`check_network` (netcheck.py): any object with the book's interface, a learner's own
  network included, held to the book's interface (interface.py), with the likely mistake in
  words (diagnosis.py) and the wrong layer (layers.py);
- both return a :class:`GradientCheck` (report.py; ``NetworkCheck`` is the same class);
- learner.py: a learner's file (or notebook) for ``xpnet check``, in three steps: imported
  (importing.py, with folders.py, packages.py, fallback.py, offline.py, and notebook.py for a
  Jupyter notebook) and its class found, built (building.py), checked with the targets it takes
  (checking.py); locating.py shows the learner's errors in their own code, and unimportable.py
  says why a file could not be imported, with the fix;
  trainable.py, training.py: such a net trained by xpnet's loop; chapter4.py: a file with no
  network, its functions of the book's names (numerical_gradient, softmax, ...) and simpleNet
  checked on the book's examples (examples.py, losses.py, numerical.py, simplenet.py; names.py
  finds the learner's names for the book's); chapter5.py: a file of layers with no network
  (layer_naive.py, common/layers.py), each layer checked on its own, backward against its
  forward's derivative (nodes.py, affine.py, losslayer.py, layerparts.py); shadowed.py: a class
  of the learner's that a later import replaces; culprits.py: the wrong function a failing net
  uses; corners.py: where the numerical gradient cannot judge (ReLU's kink).
"""

from .gradcheck import gradient_check
from .netcheck import check_network
from .report import GradientCheck, NetworkCheck, ParameterCheck, ParameterResult

__all__ = [
    "GradientCheck",
    "NetworkCheck",
    "ParameterCheck",
    "ParameterResult",
    "check_network",
    "gradient_check",
]
