"""The book's first layers (5.4, its layer_naive.py): a multiplication and an addition node.

They compute with plain Python numbers as well as arrays, as in the book's apple-shopping
example. ``check_forward_ran`` is the check every layer's backward makes first, these and those
of ``xpnet.layers``, which re-exports both classes (``from xpnet.layers import MulLayer``).
"""

from __future__ import annotations

__all__ = ["AddLayer", "MulLayer"]


def check_forward_ran(layer: object, cached: object) -> None:
    """Raise RuntimeError naming layer when its backward comes before any forward (cached is
    None: forward has kept nothing yet)."""
    if cached is None:
        name = type(layer).__name__
        raise RuntimeError(
            f"{name}.backward was called before {name}.forward: backward uses what forward"
            " keeps, so run forward first"
        )


class MulLayer:
    """A multiplication node, out = x * y (5.4.1), for arrays of one shape or plain Python numbers.

    Attributes
    ----------
    x, y : array or number
        forward's inputs, kept for backward (None before the first forward).

    Examples
    --------
    The book's apple: 2 apples at 100 each.

    >>> apple_layer = MulLayer()
    >>> apple_layer.forward(100, 2)
    200
    >>> apple_layer.backward(1.1)  # (d out/dx, d out/dy) * dout = (y, x) * dout
    (2.2, 110.00000000000001)
    """

    def __init__(self) -> None:
        self.x = self.y = None

    def forward(self, x, y):
        """x * y, keeping x and y for backward.

        Parameters
        ----------
        x, y : array or number
            Of one shape (or broadcastable), of one library.

        Returns
        -------
        array or number
            x * y.
        """
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        """The gradients of forward's inputs from the upstream gradient.

        Parameters
        ----------
        dout : array or number
            d loss / d out.

        Returns
        -------
        dx, dy : array or number
            dout * y and dout * x (the inputs swapped: d(xy)/dx = y).

        Raises
        ------
        RuntimeError
            When forward has not run yet.
        """
        check_forward_ran(self, self.x)
        return dout * self.y, dout * self.x  # swap: d(xy)/dx = y, d(xy)/dy = x


class AddLayer:
    """An addition node, out = x + y (5.4.2); backward passes dout on to both inputs.

    Examples
    --------
    >>> add_layer = AddLayer()
    >>> add_layer.forward(200, 450)
    650
    >>> add_layer.backward(1.1)
    (1.1, 1.1)
    """

    def __init__(self) -> None:
        self.forwarded = None  # nothing to keep: d(x + y)/dx = d(x + y)/dy = 1

    def forward(self, x, y):
        """x + y.

        Parameters
        ----------
        x, y : array or number

        Returns
        -------
        array or number
            x + y.
        """
        self.forwarded = True
        return x + y

    def backward(self, dout):
        """The gradients of both inputs: dout, unchanged (d(x + y)/dx = d(x + y)/dy = 1).

        Parameters
        ----------
        dout : array or number

        Returns
        -------
        dx, dy : array or number
            dout and dout.

        Raises
        ------
        RuntimeError
            When forward has not run yet.
        """
        check_forward_ran(self, self.forwarded)
        return dout, dout
