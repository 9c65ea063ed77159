"""Array files read bounded: what a file declares is checked before any of its data is read.

Files are data, never code (DESIGN.md, decision 8), and a file a user is handed is untrusted:
a header of a few bytes can declare an array of 298 GiB, a deflated zip member can inflate to
gigabytes, a FIFO blocks a read for ever. So every array file xpnet reads goes through here:

- :func:`open_regular` opens a path only when it is a regular file (a symlink to one is fine);
  a FIFO or a device is never read from, so it never blocks;
- :func:`read_header` reads an ``.npy`` header (numpy's format module, at most
  :data:`MAX_HEADER` bytes) and refuses object and structured dtypes;
- :class:`Archive` reads an ``.npz`` file's zip directory, bounded first (its size, then each
  member's name, duplicates, compression and sizes), then a member's header, and a member's
  data only after the caller has accepted that header (:meth:`Archive.read`);
- :func:`memory_available` is what this process may still allocate: the bound for sizes that
  nothing else bounds.

A refusal is an :class:`UnreadableFile` (a ValueError) whose message names the file, the member
and what was declared; the callers raise it as their own error (CheckpointError, DatasetError).
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "MAX_HEADER",
    "Archive",
    "Header",
    "UnreadableFile",
    "memory_available",
    "open_regular",
    "read_header",
    "size_text",
]

MAGIC = b"\x93NUMPY"
MAX_HEADER = 10_000  # bytes of an .npy header: numpy's own bound (np.load's max_header_size)
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
ERRNO_WORDS = {"EACCES": "permission denied", "EPERM": "permission denied"}


class UnreadableFile(ValueError):
    """A file that is refused before (or while) its data are read. ``path``, ``member`` (an
    .npz member, or None) and ``detail`` (the short cause, without the path) are kept."""

    def __init__(self, message: str, *, path, member: str | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.path, self.member, self.detail = path, member, detail or message


def size_text(nbytes: int) -> str:
    """Bytes in binary units, as a person reads them: 149 GiB, 153 KiB, 12 bytes.

    >>> size_text(200_000 * 200_000 * 8), size_text(784 * 50 * 4), size_text(12)
    ('298 GiB', '153 KiB', '12 bytes')
    """
    for unit, power in (("PiB", 50), ("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if nbytes >= 2**power:
            return f"{nbytes / 2**power:.3g} {unit}"
    return f"{nbytes} bytes"


# -- opening ---------------------------------------------------------------------------------------


def open_regular(path: str | os.PathLike, what: str = "file"):
    """``path`` opened for binary reading when it is a regular file (a symlink to one is fine).

    The open never blocks (O_NONBLOCK, cleared once the file is known to be regular), so a FIFO
    or a device is named, not read.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    what : str, optional
        How messages name it ("checkpoint": "checkpoint c.npz does not exist").

    Returns
    -------
    io.BufferedReader
        The open file.

    Raises
    ------
    UnreadableFile
        Its ``detail`` says what was found: "does not exist", "cannot be read: permission
        denied", "is a FIFO (named pipe), not a regular file", "is a folder, ...".

    Examples
    --------
    >>> import os, tempfile
    >>> fifo = os.path.join(tempfile.mkdtemp(), "pipe")
    >>> os.mkfifo(fifo)
    >>> open_regular(fifo).read()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    xpnet.npyfiles.UnreadableFile: file ... is a FIFO (named pipe), not a regular file
    """
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_NOCTTY", "O_CLOEXEC", "O_BINARY"):
        flags |= getattr(os, name, 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _refused(path, what, "does not exist") from None
    except PermissionError:
        raise _refused(path, what, "cannot be read: permission denied") from None
    except OSError as error:
        raise _refused(path, what, f"cannot be opened ({error.strerror or error})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _refused(path, what, f"is {_kind(mode)}, not a regular file")
        if flags & getattr(os, "O_NONBLOCK", 0):
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _refused(path, what: str, detail: str) -> UnreadableFile:
    return UnreadableFile(f"{what} {path} {detail}", path=path, detail=detail)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a plain file"


# -- .npy headers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """What an .npy header declares. offset: bytes before the data (magic, length, header)."""

    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    offset: int

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize

    def __str__(self) -> str:  # shape (784, 50) float32 (153 KiB)
        return f"shape {self.shape} {self.dtype.name} ({size_text(self.nbytes)})"


def read_header(handle, where: str) -> Header:
    """The .npy header at handle's position, read bounded (at most MAX_HEADER bytes).

    Parameters
    ----------
    handle : binary file
        Positioned at the start of an .npy array (a file, or a zip member's stream).
    where : str
        How messages name the array ("x.npy", "c.npz: member params/W1.npy"), followed by
        ": " and the problem.

    Returns
    -------
    Header
        shape, dtype, fortran_order and the offset of the data.

    Raises
    ------
    UnreadableFile
        No .npy array, a damaged or oversized header, a negative shape, an object dtype (it
        would need pickle: xpnet never loads one) or a structured one.

    Examples
    --------
    >>> import io, numpy as np
    >>> buffer = io.BytesIO()
    >>> np.save(buffer, np.zeros((784, 50), np.float32))
    >>> _ = buffer.seek(0)
    >>> str(read_header(buffer, "W1.npy"))
    'shape (784, 50) float32 (153 KiB)'
    """
    start = _read_exactly(handle, 8)
    if len(start) < 8 or start[:6] != MAGIC:
        raise _bad(where, "is not an .npy array (it does not begin with numpy's magic string)")
    version = (start[6], start[7])
    if version not in ((1, 0), (2, 0)):
        raise _bad(
            where,
            f"has .npy format version {version[0]}.{version[1]}; xpnet reads 1.0 and 2.0 (what"
            " numpy writes for plain arrays)",
        )
    width = 2 if version == (1, 0) else 4
    length_bytes = _read_exactly(handle, width)
    if len(length_bytes) < width:
        raise _bad(where, "ends inside its .npy header")
    length = int.from_bytes(length_bytes, "little")
    if length > MAX_HEADER:
        raise _bad(
            where,
            f"declares an .npy header of {length} bytes; numpy's headers are under {MAX_HEADER}",
        )
    text = _read_exactly(handle, length)
    if len(text) < length:
        raise _bad(where, "ends inside its .npy header")
    buffer = io.BytesIO(start + length_bytes + text)
    np.lib.format.read_magic(buffer)
    read = (
        np.lib.format.read_array_header_1_0
        if version == (1, 0)
        else np.lib.format.read_array_header_2_0
    )
    try:
        shape, fortran_order, dtype = read(buffer, max_header_size=MAX_HEADER)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as error:
        detail = (str(error).splitlines() or [type(error).__name__])[0][:200]
        raise _bad(where, f"has a damaged .npy header ({detail})") from None
    if any(n < 0 for n in shape):
        raise _bad(where, f"declares the negative shape {shape}")
    if dtype.hasobject:
        raise _bad(where, "holds an object array, which xpnet never loads (it could run code)")
    if dtype.fields is not None or dtype.subdtype is not None:
        raise _bad(where, f"holds a structured dtype {dtype}; xpnet reads plain number arrays")
    return Header(tuple(shape), dtype, fortran_order, 8 + width + length)


def _read_exactly(handle, n: int) -> bytes:
    data = b""
    while len(data) < n:
        more = handle.read(n - len(data))
        if not more:
            break
        data += more
    return data


def _bad(where: str, detail: str) -> UnreadableFile:
    return UnreadableFile(f"{where}: {detail}", path=where, detail=detail)


# -- .npz archives ---------------------------------------------------------------------------------


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


# -- the memory bound ------------------------------------------------------------------------------

FALLBACK_MEMORY = 16 * 2**30  # where the system says nothing


def memory_available() -> int:
    """Bytes this process may still allocate, as well as the system tells.

    Returns
    -------
    int
        The least of: the address-space and data limits (RLIMIT_AS, RLIMIT_DATA) less what the
        process uses of each, the memory cgroup's limit less its usage, and the memory
        available (MemAvailable, else the physical memory); FALLBACK_MEMORY where none of them
        is known.

    Examples
    --------
    >>> memory_available() > 0
    True
    """
    bounds = []
    try:
        import resource

        used = _proc_status()
        for limit, key in ((resource.RLIMIT_AS, "VmSize"), (resource.RLIMIT_DATA, "VmData")):
            soft = resource.getrlimit(limit)[0]
            if soft != resource.RLIM_INFINITY and soft >= 0:
                bounds.append(soft - used.get(key, 0))
    except (ImportError, OSError, ValueError):
        pass
    for limit_file, usage_file in (  # cgroup v2, v1
        ("memory.max", "memory.current"),
        ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes"),
    ):
        limit = _number_in(f"/sys/fs/cgroup/{limit_file}")
        usage = _number_in(f"/sys/fs/cgroup/{usage_file}")
        if limit is not None and limit < 2**60:
            bounds.append(limit - (usage or 0))
    meminfo = _meminfo_available()
    if meminfo is not None:
        bounds.append(meminfo)
    elif hasattr(os, "sysconf"):
        try:
            bounds.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError):
            pass
    return max(0, min(bounds)) if bounds else FALLBACK_MEMORY


def _proc_status() -> dict[str, int]:
    """VmSize, VmData, ... of /proc/self/status in bytes (empty where there is none)."""
    values = {}
    try:
        with open("/proc/self/status") as status:
            for line in status:
                key, _, rest = line.partition(":")
                match = re.fullmatch(r"\s*(\d+) kB\s*", rest)
                if match:
                    values[key] = int(match[1]) * 1024
    except OSError:
        pass
    return values


def _number_in(path: str) -> int | None:
    try:
        with open(path) as file:
            return int(file.read().strip())
    except (OSError, ValueError):
        return None


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
