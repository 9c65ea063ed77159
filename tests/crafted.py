"""Crafted files for the tests of bounded reading: .npy bytes with any header, and zip archives
with any directory (repeated members, names such as ../x, sizes that lie, members that inflate
to gigabytes), written byte by byte where numpy's and zipfile's writers would refuse the lie.

``Member(name, data)`` is one zip member: stored, or deflated (``deflate=True``), or given as
an already compressed stream (``compressed=...``); ``file_size``, ``crc`` and ``method`` in the
zip directory can be set to anything. ``zip_bytes(members)`` is the archive.
"""

from __future__ import annotations

import functools
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np


def npy(
    array: np.ndarray | None = None,
    *,
    shape=None,
    descr=None,
    fortran_order=False,
    data: bytes | None = None,
    version=(1, 0),
    header: str | None = None,
) -> bytes:
    """An .npy file's bytes: the array's header (or the one given: shape, descr, fortran_order,
    or the whole header text), then data (default: the array's bytes)."""
    array = np.zeros(0, dtype=np.float32) if array is None else np.asarray(array)
    if header is None:
        fields = {
            "descr": descr if descr is not None else np.lib.format.dtype_to_descr(array.dtype),
            "fortran_order": fortran_order,
            "shape": tuple(array.shape) if shape is None else shape,
        }
        header = repr(fields)
    text = header.encode("latin1")
    width = 2 if version == (1, 0) else 4
    pad = -(6 + 2 + width + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    length = len(text).to_bytes(width, "little")
    return (
        b"\x93NUMPY" + bytes(version) + length + text + (array.tobytes() if data is None else data)
    )


@dataclass
class Member:
    name: str
    data: bytes = b""
    deflate: bool = False
    compressed: bytes | None = None  # a ready deflate stream (with file_size and crc given)
    file_size: int | None = None  # what the zip directory says; default: len(data)
    crc: int | None = None
    method: int | None = None
    flags: int = 0
    local_name: str | None = None  # the name in the member's own header; default: name

    def stream(self) -> tuple[bytes, int, int, int]:
        """(bytes in the archive, method, crc, file size in the directory)."""
        if self.compressed is not None:
            method = zipfile.ZIP_DEFLATED
            body = self.compressed
        elif self.deflate:
            method = zipfile.ZIP_DEFLATED
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = packer.compress(self.data) + packer.flush()
        else:
            method, body = zipfile.ZIP_STORED, self.data
        crc = zlib.crc32(self.data) if self.crc is None else self.crc
        size = len(self.data) if self.file_size is None else self.file_size
        return body, self.method if self.method is not None else method, crc, size


def zip_bytes(members: list[Member], *, entries: int | None = None) -> bytes:
    """A zip archive of members, in order (duplicates kept); entries: the member count the end
    record declares (default: the real one)."""
    out, directory = bytearray(), bytearray()
    for member in members:
        body, method, crc, size = member.stream()
        name = member.name.encode()
        local_name = (member.local_name or member.name).encode()
        offset = len(out)
        local = struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, member.flags, method, 0, 0x21, crc, len(body),
            size & 0xFFFFFFFF, len(local_name), 0,
        )  # fmt: skip
        out += local + local_name + body
        directory += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, member.flags, method, 0, 0x21, crc, len(body),
            size & 0xFFFFFFFF, len(name), 0, 0, 0, 0, 0, offset,
        ) + name  # fmt: skip
    count = len(members) if entries is None else entries
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, min(count, 0xFFFF), min(count, 0xFFFF), len(directory),
        len(out), 0,
    )  # fmt: skip
    return bytes(out + directory + end)


@functools.cache
def deflated_zeros(prefix: bytes, zeros: int) -> tuple[bytes, int]:
    """(deflate stream, size) of prefix followed by `zeros` zero bytes, made without ever holding
    them: full flushes make every MiB of zeros compress to the same bytes. (Its CRC is not
    computed: a bounded reader never reaches the stream's end, where zipfile checks it.)"""
    mib = bytes(2**20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = packer.compress(prefix) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
    assert block == again  # the trick holds: a block of zeros is the same bytes every time
    whole, rest = divmod(zeros - 2 * 2**20, 2**20)
    tail = packer.compress(bytes(rest)) + packer.flush()
    return head + block * (whole + 2) + tail, len(prefix) + zeros


# -- checkpoints -----------------------------------------------------------------------------------

FORMAT = "xpnet-checkpoint/1"
SIZES = (784, 50, 10)


def net_config(input_size=784, hidden_size=50, output_size=10, **changes) -> dict:
    config = {
        "input_size": input_size,
        "hidden_size": hidden_size,
        "output_size": output_size,
        "weight_init_std": 0.01,
        "activation": "relu",
        "dtype": "float32",
    }
    config.update(changes)
    return {key: value for key, value in config.items() if value is not ...}


def meta_bytes(net: dict | None = None, state: dict | None = None, **extra) -> bytes:
    meta = {"format": FORMAT, "net": net_config() if net is None else net, "state": state or {}}
    meta.update(extra)
    return npy(np.array(json.dumps(meta)))


def params(sizes=SIZES, dtype=np.float32) -> dict[str, np.ndarray]:
    i, h, o = sizes
    rng = np.random.default_rng(0)
    return {
        "W1": rng.standard_normal((i, h)).astype(dtype),
        "b1": np.zeros(h, dtype),
        "W2": rng.standard_normal((h, o)).astype(dtype),
        "b2": np.zeros(o, dtype),
    }


def checkpoint_members(sizes=SIZES, dtype=np.float32, net=None) -> list[Member]:
    """The members of a valid checkpoint of a TwoLayerNet (sizes, dtype), to change one of."""
    members = [Member(f"params/{k}.npy", npy(v)) for k, v in params(sizes, dtype).items()]
    members.append(Member("arrays/train_loss.npy", npy(np.array([2.3, 2.2]))))
    members.append(Member("meta.npy", meta_bytes(net)))
    return members


def replaced(members: list[Member], name: str, *new: Member) -> list[Member]:
    """members with the one named name replaced by new (several, or none)."""
    at = [m.name for m in members].index(name)
    return [*members[:at], *new, *members[at + 1 :]]
