"""What a notebook shows for a cell that ends in a History, an EpochRecord or a network: one
short line, never the 60,000 losses of a run or ``<xpnet.nets.TwoLayerNet at 0x...>``."""

from __future__ import annotations

import numpy as np

import xpnet
from xpnet.history import EpochRecord, History


def test_a_long_runs_history_shows_as_one_short_line():
    records = [EpochRecord(k + 1, 600 * k + 1, 0.5, 0.9, 0.89, 1.25) for k in range(17)]
    history = History(train_loss=[0.5] * 10_000, epochs=records)
    text = repr(history)
    assert text == (
        "History(10000 steps, 17 evaluations; last: loss 0.500, train acc 0.9000, test acc 0.8900)"
    )
    assert repr(History()) == "History(0 steps, 0 evaluations)"


def test_an_epoch_record_prints_as_one_row():
    record = EpochRecord(3, 81, 1.9078, 0.6532, 0.627, 0.041)
    assert str(record) == (
        "epoch 3 (iteration 81): loss 1.908, train acc 0.6532, test acc 0.6270, 0.04 s"
    )
    assert "EpochRecord(epoch=3" in repr(record)  # the dataclass repr stays for debugging


def test_networks_show_their_sizes_dtype_and_backend(backend):
    net = xpnet.TwoLayerNet(
        784,
        50,
        10,
        activation="sigmoid",
        xp=backend.xp,
        device=backend.device,
        dtype="float32",
        seed=0,
    )
    text = repr(net)
    assert text.startswith("TwoLayerNet(784, 50, 10, activation='sigmoid', dtype='float32') on ")
    assert backend.name in text and len(text) < 200
    simple = xpnet.SimpleNet(W=np.ones((2, 3)), xp=backend.xp, device=backend.device)
    assert repr(simple).startswith("SimpleNet(W of shape (2, 3), dtype='float64') on ")
