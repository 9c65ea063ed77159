import json

import numpy as np
import pytest
from conftest import assert_close

import xpnet
from xpnet.backends import to_numpy
from xpnet.checkpoint import (
    CheckpointError,
    load_checkpoint,
    load_params,
    save_checkpoint,
)


def test_round_trip_keeps_parameters_and_state(backend, tmp_path):
    net = xpnet.TwoLayerNet(6, 4, 3, xp=backend.xp, device=backend.device, seed=0)
    path = save_checkpoint(
        tmp_path / "c.npz", net, state={"iteration": 7}, arrays={"train_loss": [1.0, 0.5]}
    )
    checkpoint = load_checkpoint(path)
    assert checkpoint.net == net.config
    assert checkpoint.state == {"iteration": 7}
    assert checkpoint.arrays["train_loss"].tolist() == [1.0, 0.5]
    other = xpnet.TwoLayerNet(6, 4, 3, xp=backend.xp, device=backend.device, seed=1)
    load_params(other, checkpoint)
    for key, value in net.params.items():
        assert_close(other.params[key], to_numpy(value), rtol=0)


def test_truncated_checkpoint_is_a_clear_error(tmp_path):
    path = save_checkpoint(tmp_path / "c.npz", xpnet.TwoLayerNet(6, 4, 3, seed=0))
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(path)


def test_object_array_is_refused_and_never_unpickled(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(
        path,
        meta=np.array(json.dumps({"format": "xpnet-checkpoint/1", "net": {}})),
        **{"params/W1": np.array([object()], dtype=object)},
    )
    with pytest.raises(CheckpointError, match="object array"):
        load_checkpoint(path)


def test_foreign_npz_and_missing_file(tmp_path):
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(CheckpointError, match="not an xpnet checkpoint"):
        load_checkpoint(tmp_path / "other.npz")
    with pytest.raises(CheckpointError, match="does not exist"):
        load_checkpoint(tmp_path / "none.npz")


def test_checkpoint_for_another_architecture_names_the_parameter(tmp_path):
    path = save_checkpoint(tmp_path / "c.npz", xpnet.TwoLayerNet(6, 4, 3, seed=0))
    net = xpnet.TwoLayerNet(6, 5, 3, seed=0)
    with pytest.raises(
        CheckpointError,
        match=r"W1 has shape \(6, 4\) but the network expects "
        r"\(6, 5\)",
    ):
        load_params(net, load_checkpoint(path))


def test_failed_write_leaves_the_previous_file(tmp_path, monkeypatch):
    net = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    path = save_checkpoint(tmp_path / "c.npz", net, state={"iteration": 1})
    before = path.read_bytes()

    def broken(handle, **arrays):
        handle.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, net, state={"iteration": 2})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.npz"]  # no temp file left behind
