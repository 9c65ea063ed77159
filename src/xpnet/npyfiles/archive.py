""".npz files read bounded: the zip directory first, then a member's header, then its data.

:class:`Archive` checks the zip directory (its size from the end record, then each member's name,
duplicates, encryption, compression and sizes) before anything is decompressed; a member's array
is read only after the caller has accepted its header (:meth:`Archive.read`).
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .header import MAX_HEADER, Header, read_header
from .opening import UnreadableFile, open_regular, size_text

__all__ = ["Archive"]

MAX_MEMBERS = 64  # members of an .npz file xpnet reads (a checkpoint has about 7)
MAX_DIRECTORY = 2**20  # bytes of its zip directory (each entry is under 200 bytes)
# what a zip member's failure to read can raise, besides OSError (a damaged file, not a bug)
ZIP_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # an unknown compression method
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    KeyError,
    IndexError,
    OverflowError,
)


class Archive:
    """An .npz file opened for bounded reading; use it as a context manager.

    Opening checks the zip directory (its size, member count, names, duplicates, encryption,
    compression, and that no member's compressed bytes lie beyond the file's end); nothing of
    any member is decompressed yet. :meth:`header` then reads a member's header, and
    :meth:`read` its array once the caller has accepted that header.

    Parameters
    ----------
    path : str or os.PathLike
        The .npz file.
    kind : str
        How messages name it ("checkpoint", "MNIST cache").
    allowed : callable, optional
        allowed(name): whether a member name may appear (default: any).
    rule : str, optional
        The allowed names, for the message of a refusal.
    max_members : int, optional
        The most members the file may have.

    Raises
    ------
    UnreadableFile
        The file cannot be opened, is no zip file, or its directory is refused.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npz")
    >>> np.savez(path, x=np.arange(3))
    >>> with Archive(path, kind="file") as archive:
    ...     header = archive.header("x.npy")
    ...     archive.read("x.npy", header).tolist()
    [0, 1, 2]
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        kind: str,
        allowed: Callable[[str], bool] | None = None,
        rule: str = "",
        max_members: int = MAX_MEMBERS,
    ) -> None:
        self.path, self.kind = Path(path), kind
        self.file = open_regular(path, kind)
        try:
            size = os.fstat(self.file.fileno()).st_size
            self._check_directory(size, max_members)
            try:
                self.zip = zipfile.ZipFile(self.file)
                infos = self.zip.infolist()
            except ZIP_ERRORS as error:
                raise self._unreadable(f"truncated or not an .npz file: {_short(error)}") from None
            self.members = self._check_members(infos, size, allowed, rule, max_members)
        except BaseException:
            self.file.close()
            raise

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if hasattr(self, "zip"):
            self.zip.close()
        self.file.close()

    @property
    def names(self) -> list[str]:
        return list(self.members)

    def where(self, member: str) -> str:
        return f"{self.path}: member {member}"

    def refuse(self, member: str | None, detail: str) -> UnreadableFile:
        """An UnreadableFile naming this archive and the member: "c.npz: member params/W1.npy:
        detail"; without a member, "c.npz detail" (detail: "is not ...")."""
        message = f"{self.where(member)}: {detail}" if member else f"{self.path} {detail}"
        return UnreadableFile(message, path=self.path, member=member, detail=detail)

    def _unreadable(self, detail: str, member: str | None = None) -> UnreadableFile:
        return UnreadableFile(
            f"{self.path} is not a readable {self.kind} ({detail})",
            path=self.path,
            member=member,
            detail=detail,
        )

    def _check_directory(self, size: int, max_members: int) -> None:
        """Refuse a zip directory too large to parse, read from the end record alone."""
        entries, directory = _end_record(self.file, size)
        if directory is None:
            return  # no end record: zipfile says it is no zip file
        if directory > MAX_DIRECTORY or entries > max_members:
            raise self._unreadable(
                f"its zip directory declares {entries} members in {size_text(directory)}; an"
                f" xpnet {self.kind} has at most {max_members} members"
            )

    def _check_members(self, infos, size: int, allowed, rule: str, max_members: int) -> dict:
        if len(infos) > max_members:
            raise self._unreadable(
                f"it has {len(infos)} members; an xpnet {self.kind} has at most {max_members}"
            )
        twice = [name for name, count in Counter(i.filename for i in infos).items() if count > 1]
        if twice:
            raise self.refuse(
                twice[0],
                f"appears {Counter(i.filename for i in infos)[twice[0]]} times; a"
                f" {self.kind} holds each member once",
            )
        members = {}
        for info in infos:
            name = info.filename
            if allowed is not None and not allowed(name):
                raise self.refuse(
                    None, f"is not an xpnet {self.kind}: it holds a member named {name!r}; {rule}"
                )
            if info.flag_bits & 0x1:
                raise self.refuse(name, f"is encrypted; an xpnet {self.kind} never is")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise self.refuse(
                    name,
                    f"uses zip compression method {info.compress_type}; xpnet reads stored and"
                    " deflated members (np.savez, np.savez_compressed)",
                )
            if info.header_offset + info.compress_size > size:
                raise self.refuse(
                    name,
                    f"declares {info.compress_size} compressed bytes at offset"
                    f" {info.header_offset}, beyond the file's end ({size} bytes): the file is"
                    " truncated",
                )
            if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
                raise self.refuse(
                    name,
                    f"is stored uncompressed with {info.compress_size} bytes but the zip"
                    f" directory says it holds {info.file_size}",
                )
            members[name] = info
        return members

    def header(self, member: str) -> Header:
        """The member's .npy header, read bounded; its size in the zip directory must be the
        header's offset plus the bytes its shape and dtype declare."""
        info = self.members[member]
        try:
            with self.zip.open(info) as stream:
                header = read_header(stream, self.where(member))
        except UnreadableFile as error:
            raise UnreadableFile(
                str(error), path=self.path, member=member, detail=error.detail
            ) from None
        except ZIP_ERRORS as error:
            raise self._unreadable(f"member {member}: {_short(error)}", member) from None
        if info.file_size != header.offset + header.nbytes:
            raise self.refuse(
                member,
                f"declares {header}, {header.offset + header.nbytes} bytes with its header, but"
                f" the zip directory says it holds {info.file_size} bytes"
                f" ({size_text(info.file_size)})",
            )
        return header

    def read(self, member: str, header: Header) -> np.ndarray:
        """The member's array, once ``header`` (from :meth:`header`) has been accepted; in
        native byte order. A damaged member (a bad CRC, a short stream) is UnreadableFile."""
        info = self.members[member]
        try:
            with self.zip.open(info) as stream:
                array = np.lib.format.read_array(
                    stream, allow_pickle=False, max_header_size=MAX_HEADER
                )
                if stream.read(1):  # also reaches the end, where zipfile checks the CRC
                    raise ValueError("data after the array")
        except ZIP_ERRORS as error:
            raise self._unreadable(f"member {member}: {_short(error)}", member) from None
        if array.shape != header.shape or array.dtype != header.dtype:
            raise self.refuse(member, f"changed while it was read (now {array.shape})")
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        return array


def _end_record(handle, size: int) -> tuple[int, int | None]:
    """(members, directory bytes) from a zip file's end record (zip64's where it has one), or
    (0, None) where there is no end record."""
    tail_size = min(size, 22 + 65_535)  # the record, and a comment of at most 64 KiB
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return 0, None
    entries, directory = struct.unpack("<10xHL6x", tail[at : at + 22])
    if at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":  # zip64: its own end record
        (offset,) = struct.unpack("<8xQ4x", tail[at - 20 : at])
        if offset + 56 <= size:
            handle.seek(offset)
            record = handle.read(56)
            if record[:4] == b"PK\x06\x06":
                entries, directory = struct.unpack("<32xQQ8x", record)
    handle.seek(0)
    return entries, directory


def _short(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:300]
