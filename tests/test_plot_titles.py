"""A figure's title fits inside the figure: the run's title (learning rate, batch size, steps,
gradient) was cut at accuracy.png's right edge."""

from __future__ import annotations

import os

import pytest

from xpnet.history import EpochRecord, History

ONCE = pytest.mark.skipif(  # matplotlib's figures: the same on every backend
    os.environ.get("XPNET_BACKEND", "numpy") not in ("numpy", ""),
    reason="figures do not depend on the backend: tested in the numpy session",
)
TITLES = [
    "TwoLayerNet (sigmoid), sample: lr 0.1, batch size 100, 10000 steps, numerical",
    "TwoLayerNet (sigmoid), sample: lr 0.5, batch size 100, 2000 steps, backprop",
    "TwoLayerNet (relu), mnist: lr 0.1, batch size 100, 10000 steps, backprop",
]


@ONCE
@pytest.mark.parametrize("title", TITLES)
@pytest.mark.parametrize("kind", ["accuracy", "loss"])
def test_a_long_title_is_wrapped_inside_the_figure(tmp_path, kind, title, monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from xpnet import plot

    seen = {}
    close = plt.close
    monkeypatch.setattr(plt, "close", lambda fig: seen.setdefault("fig", fig))
    history = History(
        [2.3, 1.0, 0.5],
        [EpochRecord(1, 1, 2.3, 0.1, 0.1, 0.0), EpochRecord(2, 3, 0.75, 0.8, 0.8, 0.0)],
    )
    if kind == "accuracy":
        plot.plot_accuracy(history, tmp_path / "a.png", title=title, iters_per_epoch=2)
    else:
        plot.plot_loss(history, tmp_path / "a.png", title=title)
    fig = seen["fig"]
    renderer = fig.canvas.get_renderer()
    box = fig.axes[0].title.get_window_extent(renderer)
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width, (box, fig.bbox)
    assert fig.axes[0].get_title().replace("\n", " ") == title  # every word kept
    close(fig)
