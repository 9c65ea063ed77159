"""Crafted checkpoints are refused before their data is read (issue 22), under a memory limit.

Each test writes one crafted .npz (tests/crafted.py builds them byte by byte) and loads it in
the worker of tests/memory_limit.py, whose address space is held to its imports plus 768 MiB:
a read that allocated what a header declares (298 GiB, 3 GiB) would fail there with
MemoryError, and so would the test. Every refusal is one CheckpointError naming the file and
the member, what it declares and what was expected; a few go through ``xpnet evaluate`` and
``xpnet train --resume`` too (one line, exit 2, no traceback).
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from crafted import (
    Member,
    checkpoint_members,
    deflated_zeros,
    meta_bytes,
    net_config,
    npy,
    params,
    replaced,
    zip_bytes,
)

import xpnet
from xpnet.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

pytest_plugins = ["memory_limit"]  # the fixture `limited`: a worker under a memory limit
LOAD = "xpnet.checkpoint:load_checkpoint"
GIB = 2**30


def write(tmp_path: Path, members: list[Member], name: str = "c.npz", **options) -> Path:
    path = tmp_path / name
    path.write_bytes(zip_bytes(members, **options))
    return path


def refused(limited, path: Path, *patterns: str) -> str:
    """The one-line CheckpointError that loading path raises in the limited worker, which must
    name the file and match every pattern."""
    message = limited(LOAD, str(path)).raised("CheckpointError")
    assert str(path) in message and "\n" not in message, message
    for pattern in patterns:
        assert re.search(pattern, message), f"{pattern!r} not in {message!r}"
    return message


# -- what a valid checkpoint looks like, under the same limit -------------------------------------


def test_a_valid_crafted_checkpoint_and_a_saved_one_load_under_the_limit(limited, tmp_path):
    loaded = limited(LOAD, str(write(tmp_path, checkpoint_members())))
    assert loaded.ok, loaded.traceback
    assert loaded.value["params"]["W1"] == [[784, 50], "float32"]
    net = xpnet.TwoLayerNet(784, 50, 10, dtype="float32", seed=0)
    path = save_checkpoint(tmp_path / "saved.npz", net, arrays={"train_loss": [2.3]})
    assert limited(LOAD, str(path)).value["arrays"] == {"train_loss": [[1], "float64"]}


def test_big_endian_parameters_are_read_in_native_order(tmp_path):
    members = checkpoint_members()
    big = params()["W1"].astype(">f4")
    path = write(tmp_path, replaced(members, "params/W1.npy", Member("params/W1.npy", npy(big))))
    W1 = load_checkpoint(path).params["W1"]
    assert W1.dtype.isnative and np.array_equal(W1, params()["W1"])


# -- headers that declare more than the file holds ------------------------------------------------


def test_a_header_declaring_200000_by_200000_is_refused_by_the_zip_directory(limited, tmp_path):
    data = npy(shape=(200_000, 200_000), descr="<f4", data=params()["W1"].tobytes())
    path = write(
        tmp_path, replaced(checkpoint_members(), "params/W1.npy", Member("params/W1.npy", data))
    )
    refused(
        limited,
        path,
        r"member params/W1\.npy: declares shape \(200000, 200000\) float32 \(149 GiB\)",
        r"the zip directory says it holds 156928 bytes",
    )


def test_the_same_lie_within_32_bits_is_refused_against_meta_net(limited, tmp_path):
    """Directory and header agree on (784, 1000000) float32 (3 GiB) for a 784-50-10 net."""
    header = npy(shape=(784, 1_000_000), descr="<f4", data=b"")
    stream, size = deflated_zeros(header, 784 * 1_000_000 * 4)
    member = Member("params/W1.npy", compressed=stream, file_size=size, crc=0)
    path = write(tmp_path, replaced(checkpoint_members(), "params/W1.npy", member))
    refused(
        limited,
        path,
        r"member params/W1\.npy: declares shape \(784, 1000000\) float32 \(2\.92 GiB\); the"
        r" network in meta \(784-50-10 relu, float32\) expects shape \(784, 50\) float32",
    )


def test_a_deflated_member_inflating_to_3_gib_is_never_inflated(limited, tmp_path):
    """The header says (784, 50) float32, the stream really inflates to 3.2 GB."""
    header = npy(params()["W1"])[:128]
    stream, size = deflated_zeros(header, 3_200_000_000 - len(header))
    member = Member("params/W1.npy", compressed=stream, file_size=size, crc=0)
    path = write(tmp_path, replaced(checkpoint_members(), "params/W1.npy", member))
    refused(
        limited,
        path,
        r"params/W1\.npy: declares shape \(784, 50\) float32 \(153 KiB\), 156928 bytes with its"
        r" header, but the zip directory says it holds 3200000000 bytes \(2\.98 GiB\)",
    )


def test_a_consistent_network_too_large_for_memory_is_refused_before_reading(limited, tmp_path):
    """A 784-1000000-10 float32 net (3 GiB, every header and size consistent, deflated from 3 MB
    of zeros) is a real checkpoint: it is refused only by the memory this process may allocate."""
    members = checkpoint_members(net=net_config(hidden_size=1_000_000))
    header = npy(shape=(784, 1_000_000), descr="<f4", data=b"")
    stream, size = deflated_zeros(header, 784 * 1_000_000 * 4)
    members = replaced(
        members, "params/W1.npy", Member("params/W1.npy", compressed=stream, file_size=size, crc=0)
    )
    for name, shape in (("b1", (1_000_000,)), ("W2", (1_000_000, 10))):
        data = npy(np.zeros(shape, np.float32))
        members = replaced(members, f"params/{name}.npy", Member(f"params/{name}.npy", data, True))
    path = write(tmp_path, members)
    refused(
        limited,
        path,
        r"member meta\.npy: meta\.net declares a 784-1000000-10 relu, float32 network, whose"
        r" parameters take 2\.96 GiB \(3 copies while loading\); this process can allocate about",
    )


def test_a_stored_member_reaching_beyond_the_file_is_refused(limited, tmp_path):
    data = zip_bytes(checkpoint_members())
    path = tmp_path / "c.npz"
    cut = data.index(b"params/b1.npy") - 40  # inside W1's data; the directory kept at the end
    path.write_bytes(data[:cut] + data[data.index(b"PK\x01\x02") :])
    refused(limited, path, "not a readable checkpoint|beyond the file's end|not a zip")


def test_a_truncated_checkpoint_is_not_readable(limited, tmp_path):
    path = write(tmp_path, checkpoint_members())
    path.write_bytes(path.read_bytes()[:5000])
    refused(limited, path, r"is not a readable checkpoint \(truncated or not an \.npz file")


def test_a_deflated_member_shorter_than_its_header_says_is_damaged(limited, tmp_path):
    data = npy(params()["W1"])
    member = Member("params/W1.npy", data[:-1000], deflate=True, file_size=len(data))
    path = write(tmp_path, replaced(checkpoint_members(), "params/W1.npy", member))
    refused(limited, path, r"not a readable checkpoint \(member params/W1\.npy: ")


# -- the zip directory ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../../evil.npy", "/etc/evil.npy", "params/../W1.npy", "params/W1", "params/W 1.npy"]
)
def test_a_member_outside_the_checkpoint_layout_is_refused(limited, tmp_path, name):
    path = write(tmp_path, [*checkpoint_members(), Member(name, npy(np.zeros(3)))])
    refused(
        limited,
        path,
        f"is not an xpnet checkpoint: it holds a member named {re.escape(repr(name))}; a"
        r" checkpoint's members are meta\.npy, params/NAME\.npy and arrays/NAME\.npy",
    )


@pytest.mark.parametrize("name", ["params/W1.npy", "meta.npy"])
def test_a_member_given_twice_is_refused(limited, tmp_path, name):
    members = checkpoint_members()
    second = Member(
        name,
        meta_bytes(net_config(hidden_size=7))
        if name == "meta.npy"
        else npy(np.ones((784, 50), np.float32)),
    )
    path = write(tmp_path, [*members, second])
    refused(limited, path, f"member {re.escape(name)}: appears 2 times; a checkpoint holds each")


def test_a_directory_declaring_a_million_members_is_refused_unparsed(limited, tmp_path):
    path = write(tmp_path, checkpoint_members(), entries=60_000)
    refused(
        limited,
        path,
        r"its zip directory declares \d+ members in .*; an xpnet checkpoint has at most 64",
    )


def test_a_checkpoint_of_100_members_is_refused(limited, tmp_path):
    extra = [Member(f"arrays/a{i}.npy", npy(np.zeros(1))) for i in range(100)]
    path = write(tmp_path, [*checkpoint_members(), *extra])
    refused(limited, path, "at most 64")


def test_an_encrypted_member_is_refused(limited, tmp_path):
    members = checkpoint_members()
    members[0].flags = 0x1
    refused(limited, write(tmp_path, members), r"member params/W1\.npy: is encrypted")


def test_a_member_in_bzip2_is_refused(limited, tmp_path):
    members = checkpoint_members()
    members[0].method = zipfile.ZIP_BZIP2
    refused(
        limited, write(tmp_path, members), "compression method 12; xpnet reads stored and deflated"
    )


def test_a_stored_member_whose_directory_sizes_disagree_is_refused(limited, tmp_path):
    members = checkpoint_members()
    members[0].file_size = 10 * GIB % 2**32
    refused(limited, write(tmp_path, members), "stored uncompressed with 156928 bytes")


def test_a_member_whose_own_header_names_another_file_is_refused(limited, tmp_path):
    """The directory says params/W1.npy, the member's local header ../../W1.npy."""
    members = checkpoint_members()
    members[0].local_name = "../../W1.npy"
    refused(limited, write(tmp_path, members), r"not a readable checkpoint \(member params/W1\.npy")


# -- .npy headers ---------------------------------------------------------------------------------


def _with_W1(data: bytes) -> list[Member]:
    return replaced(checkpoint_members(), "params/W1.npy", Member("params/W1.npy", data))


def test_a_header_that_lies_about_fortran_order_is_refused(limited, tmp_path):
    """The bytes are C order; the header says Fortran order: read, W1 would come transposed."""
    path = write(tmp_path, _with_W1(npy(params()["W1"], fortran_order=True)))
    refused(limited, path, r"params/W1\.npy: declares Fortran order for shape \(784, 50\) float32")


def test_a_fortran_order_that_is_no_bool_is_a_damaged_header(limited, tmp_path):
    header = "{'descr': '<f4', 'fortran_order': 1, 'shape': (784, 50)}"
    path = write(tmp_path, _with_W1(npy(params()["W1"], header=header)))
    refused(
        limited,
        path,
        r"params/W1\.npy: has a damaged \.npy header \(fortran_order is not a valid bool",
    )


@pytest.mark.parametrize(
    ("header", "pattern"),
    [
        (
            "{'descr': '|O', 'fortran_order': False, 'shape': (784, 50)}",
            "holds an object array, which xpnet never loads",
        ),
        (
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (784, 50)}",
            "holds a structured dtype",
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-784, 50)}",
            "declares the negative shape (-784, 50)",
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (784, 50), 'x': 1}",
            "damaged .npy header",
        ),
        ("__import__('os').system('true')", "damaged .npy header"),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': " + "(" * 2000 + ")" * 2000 + "}",
            "damaged .npy header",
        ),
    ],
)
def test_a_damaged_or_hostile_header_is_refused(limited, tmp_path, header, pattern):
    path = write(tmp_path, _with_W1(npy(params()["W1"], header=header)))
    refused(limited, path, r"member params/W1\.npy: ", re.escape(pattern))


def test_an_oversized_header_is_refused_before_it_is_read(limited, tmp_path):
    text = "{'descr': '<f4', 'fortran_order': False, 'shape': (784, 50)}" + " " * 100_000
    path = write(tmp_path, _with_W1(npy(params()["W1"], header=text, version=(2, 0))))
    refused(
        limited, path, r"declares an \.npy header of \d+ bytes; numpy's headers are under 10000"
    )


def test_a_header_length_of_4_gib_is_refused_before_it_is_read(limited, tmp_path):
    data = b"\x93NUMPY\x02\x00" + (2**32 - 1).to_bytes(4, "little") + b"{" * 64
    refused(limited, write(tmp_path, _with_W1(data)), "declares an .npy header of 4294967295 bytes")


def test_an_unknown_npy_version_is_refused(limited, tmp_path):
    data = npy(params()["W1"], version=(9, 0))
    refused(limited, write(tmp_path, _with_W1(data)), r"has \.npy format version 9\.0")


def test_a_member_that_is_no_npy_array_is_refused(limited, tmp_path):
    refused(limited, write(tmp_path, _with_W1(b"PK not numpy at all")), "is not an .npy array")


# -- meta -----------------------------------------------------------------------------------------


def test_a_gigantic_meta_is_refused_before_it_is_read(limited, tmp_path):
    """meta declares a 300,000,000-character text (1.1 GiB), the directory agrees (deflated)."""
    header = npy(shape=(), descr="<U300000000", data=b"")
    stream, size = deflated_zeros(header, 300_000_000 * 4)
    member = Member("meta.npy", compressed=stream, file_size=size, crc=0)
    path = write(tmp_path, replaced(checkpoint_members(), "meta.npy", member))
    refused(
        limited,
        path,
        r"member meta\.npy: declares a text of 300000000 characters \(1\.12 GiB\); the meta of an"
        r" xpnet checkpoint has a few thousand, at most 1048576",
    )


def test_a_meta_of_2_mib_of_real_json_is_refused(limited, tmp_path):
    state = {"padding": "x" * 2**21}
    meta = Member("meta.npy", meta_bytes(state=state), deflate=True)
    refused(
        limited,
        write(tmp_path, replaced(checkpoint_members(), "meta.npy", meta)),
        "at most 1048576",
    )


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("[" * 100_000 + "]" * 100_000, r"is an \.npz file but not an xpnet checkpoint"),
        (
            '{"format": "xpnet-checkpoint/1", "net": ' + "9" * 100_000 + "}",
            "not an xpnet checkpoint",
        ),
        ("[1, 2]", r"not an xpnet checkpoint \(its meta is JSON list, not an object\)"),
        ('{"format": "xpnet-checkpoint/1", "net": [], "state": {}}', "its meta 'net' is list"),
    ],
)
def test_a_meta_that_is_no_json_object_is_refused(limited, tmp_path, text, pattern):
    meta = Member("meta.npy", npy(np.array(text)), deflate=True)
    refused(limited, write(tmp_path, replaced(checkpoint_members(), "meta.npy", meta)), pattern)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("[" * 100_000 + "]" * 100_000, r"\(its meta is JSON nested too deep to read; an xpnet"),
        ('{"net": ' + "9" * 100_000 + "}", r"\(its meta is not JSON: Exceeds the limit"),
        ("{not json", r"\(its meta is not JSON: Expecting property name enclosed in double q"),
    ],
    ids=["nested", "digits", "syntax"],
)
def test_a_meta_that_is_no_json_says_why(limited, tmp_path, text, pattern):
    meta = Member("meta.npy", npy(np.array(text)), deflate=True)
    refused(limited, write(tmp_path, replaced(checkpoint_members(), "meta.npy", meta)), pattern)


def test_a_meta_of_numbers_is_refused(limited, tmp_path):
    meta = Member("meta.npy", npy(np.zeros(3)))
    path = write(tmp_path, replaced(checkpoint_members(), "meta.npy", meta))
    refused(limited, path, r"not an xpnet checkpoint \(its meta is shape \(3,\) float64")


# -- meta.net -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["input_size", "hidden_size", "output_size", "dtype"])
def test_a_network_configuration_without_a_key_is_refused(limited, tmp_path, key):
    path = write(tmp_path, checkpoint_members(net=net_config(**{key: ...})))
    refused(
        limited, path, rf"member meta\.npy: its network configuration \(meta\.net\) lacks {key}"
    )


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("hidden_size", 10**12, "1000000000000"),
        ("hidden_size", 0, "0"),
        ("hidden_size", -5, "-5"),
        ("hidden_size", "50", "'50'"),
        ("hidden_size", 50.0, "50.0"),
        ("hidden_size", True, "True"),
        ("input_size", [784], r"\[784\]"),
        ("output_size", None, "None"),
    ],
)
def test_an_absurd_size_in_meta_net_is_refused(limited, tmp_path, key, value, shown):
    path = write(tmp_path, checkpoint_members(net=net_config(**{key: value})))
    refused(
        limited,
        path,
        rf"member meta\.npy: meta\.net declares {key} {shown}; expected a positive integer up to"
        rf" 2147483647 \(the book's is \d+\)\. The checkpoint is damaged or was not written by"
        r" xpnet: save the network again with xpnet\.save_checkpoint\(path, net\)$",
    )


def test_a_network_of_absurd_size_names_the_memory_it_would_take(limited, tmp_path):
    path = write(tmp_path, checkpoint_members(net=net_config(hidden_size=2_000_000_000)))
    refused(
        limited, path, r"784-2000000000-10 relu, float32 network, whose parameters take 5\.78 TiB"
    )


@pytest.mark.parametrize(("key", "value"), [("dtype", "float16"), ("activation", "tanh")])
def test_an_unknown_dtype_or_activation_in_meta_net_is_refused(limited, tmp_path, key, value):
    path = write(tmp_path, checkpoint_members(net=net_config(**{key: value})))
    refused(limited, path, rf"meta\.net declares {key} '{value}'; expected")


def test_parameters_of_another_dtype_than_meta_net_are_refused(limited, tmp_path):
    path = write(tmp_path, checkpoint_members(dtype=np.float64))  # meta.net says float32
    refused(
        limited,
        path,
        r"params/W1\.npy: declares shape \(784, 50\) float64 .* expects shape \(784, 50\) float32",
    )


def test_a_missing_or_extra_parameter_of_a_two_layer_net_is_refused(limited, tmp_path):
    members = replaced(checkpoint_members(), "params/b2.npy")
    refused(
        limited, write(tmp_path, members), r"holds parameters \['W1', 'W2', 'b1'\]; the TwoLayerNet"
    )
    extra = [*checkpoint_members(), Member("params/W3.npy", npy(np.zeros(3, np.float32)))]
    refused(
        limited,
        write(tmp_path, extra, "extra.npz"),
        r"holds parameters \['W1', 'W2', 'W3', 'b1', 'b2'\]",
    )


def test_another_networks_huge_parameter_is_refused_by_the_memory_bound(limited, tmp_path):
    """No TwoLayerNet in meta.net to compare with: the memory this process may allocate bounds
    it."""
    header = npy(shape=(200_000, 200_000), descr="<f8", data=b"")
    member = Member("params/W.npy", header + bytes(100), deflate=True)
    member.file_size = (len(header) + 200_000 * 200_000 * 8) % 2**32
    members = [Member("meta.npy", meta_bytes(net={"net": "SimpleNet"})), member]
    refused(
        limited,
        write(tmp_path, members),
        r"member params/W\.npy: declares shape \(200000, 200000\)",
    )
    header = npy(shape=(20_000, 20_000), descr="<f8", data=b"")  # 2.98 GiB, within 32 bits
    stream, size = deflated_zeros(header, 20_000 * 20_000 * 8)
    member = Member("params/W.npy", compressed=stream, file_size=size, crc=0)
    members = [Member("meta.npy", meta_bytes(net={"net": "SimpleNet"})), member]
    refused(
        limited,
        write(tmp_path, members, "simple.npz"),
        r"declares 2\.98 GiB of arrays in all; this process can allocate about .*, so it is not"
        r" read",
    )


# -- history arrays -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("array", "pattern"),
    [
        (
            np.zeros((2, 2, 2)),
            r"declares shape \(2, 2, 2\) float64 .*; a history array holds numbers in 1 or 2"
            r" dimensions",
        ),
        (np.zeros(3, np.complex128), "complex128"),
        (np.array(["a", "b"]), "str"),
    ],
)
def test_a_history_array_that_is_no_numbers_is_refused(limited, tmp_path, array, pattern):
    member = Member("arrays/train_loss.npy", npy(array))
    path = write(tmp_path, replaced(checkpoint_members(), "arrays/train_loss.npy", member))
    refused(limited, path, r"member arrays/train_loss\.npy: ", pattern)


def test_a_history_array_of_a_billion_steps_is_refused(limited, tmp_path):
    header = npy(shape=(2**28,), descr="<f8", data=b"")
    stream, size = deflated_zeros(header, 2**28 * 8)
    member = Member("arrays/train_loss.npy", compressed=stream, file_size=size, crc=0)
    path = write(tmp_path, replaced(checkpoint_members(), "arrays/train_loss.npy", member))
    refused(limited, path, r"a history array holds at most 134217728 values")


# -- the file itself ------------------------------------------------------------------------------


def test_a_fifo_as_checkpoint_is_named_and_never_read(limited, tmp_path):
    os.mkfifo(tmp_path / "c.npz")
    refused(
        limited,
        tmp_path / "c.npz",
        r"checkpoint .*c\.npz is a FIFO \(named pipe\), not a regular file",
    )


def test_dev_zero_behind_a_symlink_is_named(limited, tmp_path):
    (tmp_path / "c.npz").symlink_to("/dev/zero")
    refused(limited, tmp_path / "c.npz", "is a character device, not a regular file")


def test_a_folder_named_like_a_checkpoint_is_named(limited, tmp_path):
    (tmp_path / "c.npz").mkdir()
    refused(limited, tmp_path / "c.npz", "is a folder, not a regular file")


def test_an_unreadable_checkpoint_says_permission_denied(tmp_path, monkeypatch):
    """chmod 000 cannot deny root, who runs these tests here: open is made to refuse instead."""
    path = save_checkpoint(tmp_path / "c.npz", xpnet.TwoLayerNet(6, 4, 3, seed=0))
    real_open = os.open

    def denied(name, *args, **kwargs):
        if os.fspath(name) == str(path):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(CheckpointError, match=r"c\.npz cannot be read: permission denied$"):
        load_checkpoint(path)


@pytest.mark.parametrize("command", ["evaluate", "train"])
def test_a_run_folder_the_user_may_not_look_into_says_permission_denied(
    tmp_path, monkeypatch, capsys, command
):
    """Another user's run folder of mode 700 (umask 077): neither its checkpoint's stat nor its
    open is allowed, injected as in the test above (root is never denied)."""
    from xpnet.cli import main

    folder = tmp_path / "run"
    save_checkpoint(folder / "checkpoint.npz", xpnet.TwoLayerNet(6, 4, 3, seed=0))
    inside, real_stat, real_open = str(folder) + os.sep, os.stat, os.open

    def deny(real):
        def denied(name, *args, **kwargs):
            if os.fspath(name).startswith(inside):
                raise PermissionError(13, "Permission denied", os.fspath(name))
            return real(name, *args, **kwargs)

        return denied

    monkeypatch.setattr(os, "stat", deny(real_stat))
    monkeypatch.setattr(os, "open", deny(real_open))
    argv = (
        ["evaluate", str(folder)] if command == "evaluate" else ["train", "--resume", str(folder)]
    )
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"xpnet {command}: error: checkpoint {folder / 'checkpoint.npz'} cannot be read:"
        " permission denied\n"
    )


def test_a_checkpoint_another_user_can_read_honours_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        path = save_checkpoint(tmp_path / "c.npz", xpnet.TwoLayerNet(6, 4, 3, seed=0))
        assert path.stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        path = save_checkpoint(tmp_path / "private.npz", xpnet.TwoLayerNet(6, 4, 3, seed=0))
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(previous)


# -- the command line -----------------------------------------------------------------------------


def _huge_W1(tmp_path: Path) -> Path:
    data = npy(shape=(200_000, 200_000), descr="<f4", data=params()["W1"].tobytes())
    return write(
        tmp_path, replaced(checkpoint_members(), "params/W1.npy", Member("params/W1.npy", data))
    )


@pytest.mark.parametrize("command", ["evaluate", "train"])
@pytest.mark.parametrize("crafted", ["huge_W1", "hidden_size_1e12", "meta_without_a_key"])
def test_the_cli_refuses_a_crafted_checkpoint_in_one_line(limited, tmp_path, command, crafted):
    path = {
        "huge_W1": lambda: _huge_W1(tmp_path),
        "hidden_size_1e12": lambda: write(
            tmp_path, checkpoint_members(net=net_config(hidden_size=10**12))
        ),
        "meta_without_a_key": lambda: write(
            tmp_path, checkpoint_members(net=net_config(input_size=...))
        ),
    }[crafted]()
    if command == "evaluate":
        argv = ["evaluate", str(path), "--backend", "numpy", "--dataset", "sample"]
    else:
        argv = [
            "train",
            "--device",
            "cpu",
            "--resume",
            str(path),
            "--no-progress",
            "--out",
            str(tmp_path / "run"),
        ]
    outcome = limited.cli(argv)
    assert outcome.ok, outcome.traceback  # main returned: no traceback
    assert outcome.value == 2 and outcome.err.count("\n") == 1, outcome.err
    assert outcome.err.startswith(f"xpnet {command}: error: {path}"), outcome.err
    assert "Traceback" not in outcome.err + outcome.out
    if crafted == "hidden_size_1e12":  # a fix that fits the command: no flag changes the file
        assert "(the book's is 50). The checkpoint is damaged" in outcome.err
        assert outcome.err.endswith(": make it again with xpnet train --out FOLDER\n")
        assert "--hidden-size" not in outcome.err  # evaluate has no such flag


def test_evaluate_names_a_checkpoint_of_another_network(tmp_path, capsys):
    from types import SimpleNamespace

    from xpnet.cli import main

    simple = SimpleNamespace(config={"net": "SimpleNet"}, params=xpnet.SimpleNet(seed=0).params)
    path = save_checkpoint(tmp_path / "simple.npz", simple)
    assert main(["evaluate", str(path), "--backend", "numpy"]) == 2
    assert capsys.readouterr().err == (
        f"xpnet evaluate: error: {path} holds a network of another kind (parameters ['W'],"
        " meta.net {'net': 'SimpleNet'}); xpnet reads TwoLayerNet checkpoints\n"
    )


def test_the_meta_json_of_a_saved_checkpoint_is_bounded_when_saving(tmp_path):
    net = xpnet.TwoLayerNet(6, 4, 3, seed=0)
    with pytest.raises(ValueError, match="load_checkpoint reads at most 1048576"):
        save_checkpoint(tmp_path / "c.npz", net, state={"x": "y" * 2**21})
    assert not list(tmp_path.iterdir())
    assert json.loads(str(np.load(save_checkpoint(tmp_path / "ok.npz", net))["meta"]))["net"]
