import json
import pickle
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import assert_close
from helpers import _checkpoint

import xpnet
from xpnet.backends import to_numpy
from xpnet.checkpoint import (
    CheckpointError,
    check_params_fit,
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


def test_ctrl_c_while_a_checkpoint_is_written_keeps_the_previous_one(tmp_path, monkeypatch):
    net = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    path = save_checkpoint(tmp_path / "c.npz", net, state={"iteration": 1})
    before = path.read_bytes()

    def interrupted(handle, **arrays):
        handle.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, net, state={"iteration": 2})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.npz"]


def test_resumed_params_land_on_the_nets_backend_and_dtype(backend, tmp_path, xp):
    """A float64 checkpoint loaded into a float32 net of any backend is cast, not mixed in."""
    host = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    path = save_checkpoint(tmp_path / "c.npz", host)
    net = xpnet.TwoLayerNet(6, 4, 3, xp=backend.xp, device=backend.device, dtype="float32")
    load_params(net, load_checkpoint(path))
    for name, value in net.params.items():
        assert value.dtype == xp.float32
        assert_close(value, to_numpy(host.params[name]).astype(np.float32), rtol=0)


# -- corrupt files -------------------------------------------------------------------------------


FORMAT = "xpnet-checkpoint/1"


def _write_npz(path: Path, meta, **arrays) -> Path:
    meta = meta if isinstance(meta, np.ndarray) else np.array(meta)
    np.savez(path, meta=meta, **arrays)
    return path


def test_an_altered_byte_in_a_checkpoint_is_caught(tmp_path):
    path = _checkpoint(tmp_path)
    data = bytearray(path.read_bytes())
    data[200] ^= 0xFF  # inside params/W1's data: the zip's CRC-32 no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=r"not a readable checkpoint .*Bad CRC-32.*W1"):
        load_checkpoint(path)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("{not json", "is an .npz file but not an xpnet checkpoint"),
        ("[1, 2]", r"not an xpnet checkpoint \(its meta is JSON list, not an object\)"),
        (json.dumps({"format": FORMAT}), "is damaged: its meta has no 'net' configuration"),
        (json.dumps({"format": FORMAT, "net": {}, "state": 5}), "meta 'state' is int"),
        (json.dumps({"format": "other/2", "net": {}}), "has format 'other/2'; expected"),
        (np.zeros(3), "not an xpnet checkpoint"),
    ],
)
def test_an_altered_meta_is_a_clear_error(tmp_path, meta, message):
    path = _write_npz(tmp_path / "c.npz", meta, **{"params/W1": np.zeros((6, 4))})
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path)


def test_integer_parameters_in_a_checkpoint_are_refused(tmp_path):
    meta = json.dumps({"format": FORMAT, "net": {}})
    path = _write_npz(tmp_path / "c.npz", meta, **{"params/W1": np.zeros((6, 4), dtype=np.int64)})
    with pytest.raises(CheckpointError, match="parameter W1 has dtype int64; expected float32"):
        load_checkpoint(path)


def test_a_checkpoint_of_another_network_names_the_parameters(tmp_path):
    simple = SimpleNamespace(config={"net": "SimpleNet"}, params=xpnet.SimpleNet(seed=0).params)
    path = save_checkpoint(tmp_path / "simple.npz", simple)
    with pytest.raises(CheckpointError, match=r"holds parameters \['W'\]; the network has \['W1'"):
        load_params(xpnet.TwoLayerNet(6, 4, 3), load_checkpoint(path))
    path = save_checkpoint(tmp_path / "wide.npz", xpnet.TwoLayerNet(6, 4, 5, seed=0))
    with pytest.raises(
        CheckpointError, match=r"parameter W2 has shape \(4, 5\) but the network expects \(4, 3\)"
    ):
        load_params(xpnet.TwoLayerNet(6, 4, 3), load_checkpoint(path))


TRIPPED: list[str] = []


def _trip(what):
    TRIPPED.append(what)  # what unpickling would run: here a harmless record of it
    return what


class Trap:
    def __reduce__(self):
        return (_trip, ("unpickled",))


def test_a_checkpoint_with_a_malicious_object_array_runs_no_code(tmp_path):
    trap = np.empty(1, dtype=object)
    trap[0] = Trap()
    path = tmp_path / "evil.npz"
    np.savez(path, meta=np.array(json.dumps({"format": FORMAT, "net": {}})), **{"params/W1": trap})
    assert pickle.loads(pickle.dumps(Trap())) == "unpickled" and TRIPPED == ["unpickled"]
    TRIPPED.clear()  # the trap works when unpickled; xpnet must never do so
    with pytest.raises(CheckpointError, match="holds an object array, which xpnet never loads"):
        load_checkpoint(path)
    pickled = tmp_path / "pickle.npz"
    pickled.write_bytes(pickle.dumps({"params/W1": Trap()}))
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(pickled)
    assert TRIPPED == []


def test_save_checkpoint_names_a_folder_path_a_swapped_path_and_a_net_without_params(tmp_path):
    net = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    with pytest.raises(IsADirectoryError, match=r"save_checkpoint: path .* is a folder; pass a"):
        xpnet.save_checkpoint(tmp_path, net)
    with pytest.raises(TypeError, match=r"save_checkpoint: net must have params .*got object"):
        xpnet.save_checkpoint(tmp_path / "x.npz", object())
    with pytest.raises(TypeError, match=r"path must be a file name .*got TwoLayerNet"):
        xpnet.save_checkpoint(net, tmp_path / "x.npz")
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left


@pytest.mark.parametrize(
    ("arrays", "error", "message"),
    [
        ({"notes": np.array([object()])}, TypeError, r"arrays 'notes' has dtype object; .*pickled"),
        ({"when": np.array(["a"])}, TypeError, r"arrays 'when' has dtype <U1"),
        ({"../x": np.ones(2)}, ValueError, r"arrays name '\.\./x' cannot be a checkpoint member"),
        ({"train loss": np.ones(2)}, ValueError, r"arrays name 'train loss' cannot be"),
    ],
)
def test_save_checkpoint_writes_only_what_load_checkpoint_reads(tmp_path, arrays, error, message):
    net = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    good = save_checkpoint(tmp_path / "c.npz", net)
    before = good.read_bytes()
    with pytest.raises(error, match=rf"^save_checkpoint: {message}"):
        save_checkpoint(good, net, arrays=arrays)  # it wrote a pickle, or a file load refuses
    assert good.read_bytes() == before and sorted(tmp_path.iterdir()) == [good]


def test_save_checkpoint_refuses_parameters_it_would_not_load(tmp_path):
    net = SimpleNamespace(config={}, params={"W1": np.zeros((2, 3), dtype=np.int64)})
    with pytest.raises(TypeError, match=r"^save_checkpoint: params 'W1' has dtype int64; .*float"):
        save_checkpoint(tmp_path / "c.npz", net)
    assert list(tmp_path.iterdir()) == []


def test_save_checkpoint_names_a_state_that_is_not_json(tmp_path):
    net = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    with pytest.raises(
        TypeError, match=r"^save_checkpoint: net.config and state must be JSON .*int64.*int\(\)"
    ):
        save_checkpoint(tmp_path / "c.npz", net, state={"iteration": np.int64(3)})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", [3, None])
def test_load_checkpoint_names_a_path_that_is_no_file_name(path):
    with pytest.raises(TypeError, match=r"^load_checkpoint: path must be a file name .*; got "):
        load_checkpoint(path)


def test_load_params_names_a_path_given_for_the_checkpoint_and_swapped_arguments(tmp_path):
    net = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    path = save_checkpoint(tmp_path / "c.npz", net)
    with pytest.raises(  # was AttributeError: 'PosixPath' object has no attribute 'net'
        TypeError, match=r"^load_params: checkpoint must be a Checkpoint, .*got PosixPath"
    ):
        load_params(net, path)
    with pytest.raises(TypeError, match=r"^load_params: checkpoint must be a Checkpoint"):
        load_params(load_checkpoint(path), net)
    with pytest.raises(TypeError, match=r"^check_params_fit: net must be a network with params"):
        check_params_fit(load_checkpoint(path), None)
