"""Files written whole: a temporary file beside the target, flushed to disk, then renamed over it.

So a write that fails (a full disk, a quota, a file-size limit) or is killed never leaves half a
file under the real name, and the previous good file stays until the new one is complete. The
new file gets the permissions any new file gets (0666 less the umask: tempfile's own 0600 would
hide a run from the other users who read it), and the temporary files of writes that were
killed (SIGKILL, a power cut) have names that :func:`remove_stale` recognizes.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write(folder / "a.txt", lambda handle: handle.write(b"whole"))
>>> (folder / "a.txt").read_bytes(), sorted(p.name for p in folder.iterdir())
(b'whole', ['a.txt'])
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

__all__ = ["atomic_path", "atomic_write", "new_file_mode", "remove_stale", "temporary_names"]

TEMP = ".tmp"  # .checkpoint.npz.k2j4x8aa.tmp; a file written by name: .loss.png.k2j4x8aa.tmp.png


def new_file_mode() -> int:
    """The mode open() gives a new file: 0o666 less the process's umask.

    Returns
    -------
    int
        The mode, e.g. 0o644 under the usual umask 022.

    Examples
    --------
    >>> new_file_mode() & 0o400  # the owner can always read what it writes
    256
    """
    return 0o666 & ~_umask()


def _umask() -> int:
    try:  # Linux: read it, without changing it even for a moment (threads)
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, write: Callable) -> None:
    """Call write(handle) on a temporary binary file beside path, then rename it over path.

    The file is flushed and fsynced first, so a rename never publishes a file that is not on
    disk; it gets the mode new_file_mode() gives.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder is made if need be.
    write : callable
        write(handle) writes the whole file to the binary handle.

    Raises
    ------
    OSError
        Any failure (OSError, and KeyboardInterrupt too) removes the temporary file and is
        raised again; path keeps what it held.

    Examples
    --------
    See the module's docstring.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP)
    try:
        if hasattr(os, "fchmod"):  # not on Windows, whose files have no such mode
            os.fchmod(fd, new_file_mode())
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside path, with its suffix, to write by name (matplotlib's savefig).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.

    Yields
    ------
    pathlib.Path
        The temporary path: renamed over path (with new_file_mode()) when the block ends
        without an error, removed when it fails.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "plot.png"
    >>> with atomic_path(target) as temporary:
    ...     _ = temporary.write_bytes(b"png")
    >>> target.read_bytes(), temporary.suffix
    (b'png', '.png')
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP + path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def temporary_names(names: Iterable[str]) -> re.Pattern:
    """The pattern of the temporary files that atomic writes of these file names leave.

    Parameters
    ----------
    names : iterable of str
        File names ("checkpoint.npz", "loss.png").

    Returns
    -------
    re.Pattern
        Matching ``.checkpoint.npz.k2j4x8aa.tmp`` and ``.loss.png.k2j4x8aa.tmp.png``.

    Examples
    --------
    >>> pattern = temporary_names(["checkpoint.npz"])
    >>> bool(pattern.fullmatch(".checkpoint.npz.k2j4x8aa.tmp")), bool(pattern.fullmatch("a.tmp"))
    (True, False)
    """
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"\.({alternatives})\.[A-Za-z0-9_]+{re.escape(TEMP)}(\.[A-Za-z0-9]+)?")


def remove_stale(folder: str | os.PathLike, names: Iterable[str]) -> list[Path]:
    """Remove the temporary files that killed atomic writes of ``names`` left in folder.

    The caller makes sure that no write is under way (a run holds its folder's lock).

    Parameters
    ----------
    folder : str or os.PathLike
        Where to look (not below it).
    names : iterable of str
        The file names whose temporary files go (see temporary_names).

    Returns
    -------
    list of pathlib.Path
        The files removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / ".c.npz.k2j4x8aa.tmp").write_bytes(b"half")
    >>> [path.name for path in remove_stale(folder, ["c.npz"])]
    ['.c.npz.k2j4x8aa.tmp']
    """
    pattern, removed = temporary_names(names), []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed
