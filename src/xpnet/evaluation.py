"""Evaluating a network on a whole data set: mean loss and accuracy, in one pass over the data.

``evaluate(net, x, t)`` runs the forward pass once per sample and derives both numbers from the
same logits. How the pass is split follows the arrays' library, through ``net.backend.lazy``:

- eager libraries (NumPy, PyTorch, CuPy, array-api-strict) take ``chunk_rows`` rows at a time,
  so memory stays bounded (a NumPy memory map larger than memory is read piece by piece), and
  the running sums stay on the device until the end: one wait for a GPU;
- Dask takes the whole array: the library already works chunk by chunk, the chunks' sums are
  reduced as a tree on the workers of the current scheduler (a ``dask.distributed`` client, if
  one is active), so the data is never gathered into one process, and everything is computed in
  ONE compute: only two numbers come back.

``evaluate_blocks(net, blocks)`` is the same over (x, t) pairs of any source, for data that does
not sit in one array (``xpnet evaluate``'s files and tiled sets).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .arguments import check_count
from .backends import Array, compute
from .layers import SoftmaxWithLoss

__all__ = ["Evaluation", "evaluate", "evaluate_blocks"]

CHUNK_ROWS = 10_000  # rows per forward pass on eager libraries: (N, H) and (N, C) stay small


@dataclass(frozen=True)
class Evaluation:
    """A network's mean loss and accuracy on a data set.

    Parameters
    ----------
    loss : float
        The mean softmax cross-entropy.
    accuracy : float
        The fraction of samples whose largest logit is the true class.
    samples : int
        How many samples were evaluated.

    Examples
    --------
    >>> print(Evaluation(loss=0.3, accuracy=0.91, samples=1000))
    loss 0.300000  accuracy 0.9100  on 1000 samples
    """

    loss: float
    accuracy: float
    samples: int

    def __str__(self) -> str:
        return f"loss {self.loss:.6f}  accuracy {self.accuracy:.4f}  on {self.samples} samples"


def evaluate(net, x: Array, t: Array, *, chunk_rows: int = CHUNK_ROWS) -> Evaluation:
    """Mean loss and accuracy of net on (x, t), in one forward pass over the data.

    Parameters
    ----------
    net : TwoLayerNet
        A network of any backend, Dask included.
    x : array of shape (N, ...)
        Floating-point inputs, of the net's library and device.
    t : array
        Labels (N,) or one-hot targets (N, C).
    chunk_rows : int, optional
        Rows per forward pass on eager libraries, so memory stays bounded (ignored for Dask,
        whose arrays carry their own chunks).

    Returns
    -------
    Evaluation
        Loss, accuracy and the number of samples; one device wait (one compute on Dask).

    Raises
    ------
    ValueError
        When N is unknown (a Dask array after a filter: call ``x.compute_chunk_sizes()`` first),
        x holds no sample, or chunk_rows is below 1; as the net's own methods for inputs of
        another library, device or shape.
    TypeError
        chunk_rows is not an integer (a bool is not one).

    Examples
    --------
    >>> import numpy as np, xpnet
    >>> net = xpnet.TwoLayerNet(4, 3, 2, seed=0)
    >>> evaluate(net, np.ones((5, 4)), np.array([0, 1, 0, 1, 0])).samples
    5
    """
    chunk_rows = check_count("evaluate", "chunk_rows", chunk_rows, hint="the default is 10000")
    n = x.shape[0]
    if n is None or math.isnan(n):
        raise ValueError(
            f"x has an unknown number of rows (shape {tuple(x.shape)}); evaluate needs it: call"
            " x.compute_chunk_sizes() first (and the same for t)"
        )
    step = n if net.backend.lazy else chunk_rows
    bounds = ((i, min(i + step, n)) for i in range(0, n, step))  # the standard: stop <= n
    blocks = ((x[i:j, ...], t[i:j, ...]) for i, j in bounds)
    return evaluate_blocks(net, blocks)


def evaluate_blocks(net, blocks: Iterable[tuple[Array, Array]]) -> Evaluation:
    """evaluate over (x, t) blocks of any source, in order.

    Each block's loss and correct count are summed where the arrays live, and the totals come to
    the host once at the end (for Dask: one compute of every block together).

    Parameters
    ----------
    net : TwoLayerNet
    blocks : iterable of (x, t)
        Arrays of the net's library and device.

    Returns
    -------
    Evaluation

    Raises
    ------
    ValueError
        When the blocks hold no sample.

    Examples
    --------
    >>> import numpy as np, xpnet
    >>> net = xpnet.TwoLayerNet(4, 3, 2, seed=0)
    >>> blocks = [(np.ones((2, 4)), np.array([0, 1])), (np.ones((3, 4)), np.array([1, 1, 0]))]
    >>> evaluate_blocks(net, blocks).samples
    5
    """
    loss_sum = correct = 0
    samples = 0
    for x, t in blocks:
        xp = net.backend.xp
        net._check_inputs(x, t)  # library, device, shapes, dtypes: metadata only
        logits = net.predict(x)
        rows = int(x.shape[0])
        loss_sum = loss_sum + SoftmaxWithLoss().forward(logits, t) * rows
        labels = t if t.ndim == 1 else xp.argmax(t, axis=1)
        correct = correct + xp.count_nonzero(xp.argmax(logits, axis=1) == labels)
        samples += rows
    if samples == 0:
        raise ValueError("evaluate got no samples; pass at least one row")
    loss_sum, correct = compute(loss_sum, correct)
    return Evaluation(float(loss_sum) / samples, float(correct) / samples, samples)
