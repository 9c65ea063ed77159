"""Figures like the book's: accuracy per epoch, the loss per step, the gradient field, descent.

matplotlib is an optional extra (``pip install "xpnet[plot]"``); it is imported here only, with
the non-interactive Agg backend, so figures are written to files and never shown.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = [
    "have_matplotlib",
    "plot_accuracy",
    "plot_descent_paths",
    "plot_gradient_field",
    "plot_loss",
]


def have_matplotlib() -> bool:
    """Whether matplotlib (the ``[plot]`` extra) is installed, without importing it.

    Returns
    -------
    bool
        True where ``import matplotlib`` would succeed; the plot functions raise ImportError
        where it is False.

    Examples
    --------
    >>> have_matplotlib()  # installed by the [plot] extra, and by [test], which runs this
    True
    """
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ImportError('plotting needs matplotlib: pip install "xpnet[plot]"') from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_accuracy(
    history, path: str | Path, *, title: str | None = None, iters_per_epoch: int | None = None
) -> Path:
    """Train and test accuracy per epoch (the book's Figure 4-12), written to a PNG.

    Parameters
    ----------
    history : History
        A run's record (``xpnet.train``'s result).
    path : path
        The PNG to write (its folder is created).
    title : str, optional
        Wrapped onto as many lines as the figure's width needs.
    iters_per_epoch : int, optional
        When given, each point sits at its iteration / iters_per_epoch, so the final model's
        evaluation (off the book's schedule) is the last point, where it belongs.

    Returns
    -------
    pathlib.Path
        path.

    Raises
    ------
    ImportError
        Without matplotlib, naming the extra to install.

    Examples
    --------
    >>> import tempfile
    >>> from xpnet.history import EpochRecord, History
    >>> history = History([2.3, 0.5], [EpochRecord(1, 1, 2.3, 0.1, 0.1, 0.0),
    ...                                EpochRecord(2, 2, 0.5, 0.8, 0.7, 0.0)])
    >>> plot_accuracy(history, tempfile.mkdtemp() + "/accuracy.png").name
    'accuracy.png'
    """
    plt = _pyplot()
    if iters_per_epoch:
        epochs = np.asarray([r.iteration for r in history.epochs], dtype=float) / iters_per_epoch
    else:
        epochs = np.arange(1, len(history.epochs) + 1)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(epochs, history.train_acc, marker="o", markersize=3, label="train acc")
    ax.plot(epochs, history.test_acc, linestyle="--", label="test acc")
    ax.set(xlabel="epochs", ylabel="accuracy", ylim=(0, 1.0), title=title)
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_loss(history, path: str | Path, *, title: str | None = None) -> Path:
    """The training loss at every step (the book's Figure 4-11), with a running mean, to a PNG.

    Parameters
    ----------
    history : History
        A run's record.
    path : path
        The PNG to write.
    title : str, optional
        Wrapped to fit the figure.

    Returns
    -------
    pathlib.Path
        path.

    Raises
    ------
    ImportError
        Without matplotlib.

    Examples
    --------
    >>> import tempfile
    >>> from xpnet.history import History
    >>> history = History([2.3, 1.9, 1.2, 0.8])  # four steps' losses
    >>> plot_loss(history, tempfile.mkdtemp() + "/loss.png", title="a short run").name
    'loss.png'
    """
    plt = _pyplot()
    loss = np.asarray(history.train_loss, dtype=float)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(np.arange(1, loss.size + 1), loss, linewidth=0.5, alpha=0.6, label="loss")
    window = max(1, loss.size // 100)
    if loss.size >= window > 1:
        smooth = np.convolve(loss, np.ones(window) / window, mode="valid")
        ax.plot(np.arange(window, loss.size + 1), smooth, label=f"mean of {window}")
    ax.set(xlabel="iteration", ylabel="loss", title=title)
    ax.legend(loc="upper right")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_gradient_field(X, Y, U, V, path: str | Path, *, title: str | None = None) -> Path:
    """A quiver plot of the vectors (U, V) at the points (X, Y) (the book's Figure 4-9), to a PNG.

    Parameters
    ----------
    X, Y, U, V : ndarray, one shape
        Host arrays: the points and the vectors drawn there (for the book's figure, -grad f).
    path : path
        The PNG to write.
    title : str, optional

    Returns
    -------
    pathlib.Path
        path.

    Raises
    ------
    ImportError
        Without matplotlib.

    Examples
    --------
    The book's f(x0, x1) = x0**2 + x1**2, whose -grad f is (-2 x0, -2 x1), on a 5 x 5 grid:

    >>> import tempfile
    >>> import numpy as np
    >>> X, Y = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-2, 2, 5))
    >>> plot_gradient_field(X, Y, -2 * X, -2 * Y, tempfile.mkdtemp() + "/field.png").name
    'field.png'
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.quiver(X, Y, U, V, angles="xy", color="#666666")
    ax.set(xlim=(-2, 2), ylim=(-2, 2), xlabel="x0", ylabel="x1", title=title)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_descent_paths(
    paths: dict,
    path: str | Path,
    *,
    contour=None,
    minimum=(0.0, 0.0),
    xlim=(-4.5, 4.5),
    ylim=(-4.5, 4.5),
    title: str | None = None,
) -> Path:
    """Gradient-descent paths over f's contour lines (the book's Figure 4-10), and beside them each
    path's distance from the minimum per step on a log scale, where divergence shows too.

    Parameters
    ----------
    paths : dict of str to ndarray of shape (steps + 1, 2)
        Label to the points visited (gradient_descent's history).
    path : path
        The PNG to write.
    contour : (X, Y, Z) of ndarray, optional
        f's values Z on a grid X, Y, drawn as contour lines.
    minimum : (float, float), optional
        The point the distances are measured from.
    xlim, ylim : (float, float), optional
        The plotted area; points outside it are cut off.
    title : str, optional

    Returns
    -------
    pathlib.Path
        path.

    Raises
    ------
    ImportError
        Without matplotlib.

    Examples
    --------
    Ten steps of gradient descent on x0**2 + x1**2 from (-3, 4), at two learning rates:

    >>> import tempfile
    >>> import numpy as np, xpnet
    >>> def f(x):
    ...     return np.sum(x**2)
    >>> paths = {f"lr={lr}": xpnet.gradient_descent(f, np.array([-3.0, 4.0]), lr=lr,
    ...                                            step_num=10, return_history=True)[1]
    ...          for lr in (0.1, 0.9)}
    >>> X, Y = np.meshgrid(np.linspace(-4.5, 4.5, 19), np.linspace(-4.5, 4.5, 19))
    >>> plot_descent_paths(paths, tempfile.mkdtemp() + "/descent.png",
    ...                    contour=(X, Y, X**2 + Y**2)).name
    'descent.png'
    """
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5))
    if contour is not None:
        X, Y, Z = (np.asarray(a, dtype=float) for a in contour)
        lines = left.contour(X, Y, Z, levels=12, colors="#bbbbbb", linewidths=0.8)
        left.clabel(lines, fontsize=7, fmt="%g")
    left.axhline(0.0, color="tab:blue", linestyle="--", linewidth=0.8)  # the book's dashed axes
    left.axvline(0.0, color="tab:blue", linestyle="--", linewidth=0.8)
    for rank, (label, points) in enumerate(paths.items()):
        points = np.asarray(points, dtype=float)
        (line,) = left.plot(  # the first path on top, later ones with larger markers, so
            *points.T,  # a point shared by two paths (the start) shows both
            "o-",
            markersize=3 + 2 * rank,
            linewidth=0.8,
            label=label,
            zorder=10 - rank,
        )
        distance = np.linalg.norm(points - np.asarray(minimum, dtype=float), axis=1)
        right.semilogy(np.arange(distance.size), distance, color=line.get_color(), label=label)
    left.set(xlim=xlim, ylim=ylim, xlabel="x0", ylabel="x1", aspect="equal", title=title)
    left.legend(loc="lower right", fontsize=8)
    right.set(xlabel="step", ylabel="distance from the minimum", title="|x - minimum| per step")
    right.legend(loc="best", fontsize=8)
    right.grid(alpha=0.3)
    return _save(fig, path)


def _save(fig, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _fit_titles(fig)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def _fit_titles(fig) -> None:
    """Wrap each axes' title onto as many lines as it needs to lie inside the figure (a run's
    title names its learning rate, batch size, steps and gradient: one line was cut off). A
    title is centred on its axes, not on the figure, so it is measured where it is drawn."""
    import textwrap

    renderer = fig.canvas.get_renderer()
    width = fig.bbox.width
    for ax in fig.axes:
        text = ax.get_title()
        columns = len(text)
        while columns > 10:
            fig.tight_layout()
            box = ax.title.get_window_extent(renderer)
            if box.x0 >= 0 and box.x1 <= width:
                break
            columns = int(columns * 0.9)
            ax.set_title("\n".join(textwrap.wrap(text, columns)))
