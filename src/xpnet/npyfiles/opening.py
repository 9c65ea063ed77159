"""Opening a file that is data, and the refusal every bounded reader raises.

:func:`open_regular` opens a path only when it is a regular file (a symlink to one is fine), so a
FIFO or a device is named, never read from; :class:`UnreadableFile` is the refusal the readers of
this package raise, naming the file, the member and what was declared; :func:`size_text` writes
the sizes in those messages.
"""

from __future__ import annotations

import os
import stat

__all__ = ["UnreadableFile", "open_regular", "size_text"]


class UnreadableFile(ValueError):
    """A file that is refused before (or while) its data are read. ``path``, ``member`` (an
    .npz member, or None) and ``detail`` (the short cause, without the path) are kept."""

    __module__ = "xpnet.npyfiles"  # tracebacks name it where it is imported from

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
