"""Files downloaded verified: each checked against its SHA-256 before it is kept, mirror by mirror.

:func:`download_verified` makes sure every file of a {name: SHA-256} mapping is in a folder: a file
already there with the right hash is kept, any other is streamed from each mirror in turn
(:mod:`.transfer`) into a temporary file beside it, hashed on the way, then renamed, so a failed
or forged download leaves nothing. A failure leaves the folder as it was: folders it made are
removed again while empty, and a good file is never replaced. A mirror's fault is named with
the mirror (and a mirror that gave no answer is not asked again for the next file); a local one
(a full disk, a folder that may not be written) is named with the folder. :func:`verified_files`
answers the same question without the network.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..atomic import TEMP, new_file_mode, temporary_names
from ..errors import Do, Use
from .common import DatasetError
from .transfer import MirrorError, transfer

__all__ = [
    "SAMPLE",
    "SAMPLE_HINT",
    "damaged_files",
    "download_verified",
    "file_sha256",
    "remove_stale_temporaries",
    "verified_files",
]

SAMPLE_HINT = "or use the bundled 5,000-image sample: {sample}"  # a field of SAMPLE
SAMPLE = {"sample": Do("use_sample_data")}
STALE = 600.0  # seconds: a temporary file untouched this long is a killed run's (see TIMEOUT)
ELSEWHERE = {"root": Use("root", "DIR")}


def download_verified(
    directory: Path,
    checksums: Mapping[str, str],
    mirrors: Sequence[str],
    *,
    progress: bool = False,
) -> dict[str, Path]:
    """Make sure every file of ``checksums`` is in ``directory``, verified.

    Parameters
    ----------
    directory : pathlib.Path
        The data folder; made where it does not exist, and removed again (with the folders
        made above it) when the download fails and leaves it empty.
    checksums : mapping of str to str
        File name to SHA-256.
    mirrors : sequence of str
        Base URLs, each ending in "/", tried in turn.
    progress : bool, optional
        Show a progress bar per file (on a terminal or in a notebook).

    Returns
    -------
    dict of str to pathlib.Path
        Each file's path.

    Raises
    ------
    DatasetError
        When no mirror gives a verified file, naming each URL tried and why it failed; or when
        the folder or a file in it cannot be written (permission, a full disk), naming it.
    """
    from ..training.progress import interactive

    made = _make_folder(directory)
    try:
        remove_stale_temporaries(directory, checksums)
        paths: dict[str, Path] = {}
        down: dict[str, str] = {}  # mirror -> why it failed as a whole: not asked again
        for name, sha256 in checksums.items():
            path = directory / name
            if path.is_file() and file_sha256(path) == sha256:
                paths[name] = path
                continue
            there = path.is_file()  # there, with another SHA-256: a partial or damaged copy
            failures = []
            for base in mirrors:
                url = base + name
                if base in down:
                    failures.append(f"{url}: not asked, as {down[base]} before")
                    continue
                try:
                    _download(url, path, sha256, bar=progress and interactive())
                except MirrorError as error:
                    failures.append(f"{url}: {error.reason}")
                    if error.down:
                        down[base] = error.reason
                else:
                    paths[name] = path
                    break
            else:
                tried = _braced("; ".join(failures) or "no mirror given")
                damaged = (
                    f"{_braced(str(path))} fails its SHA-256 check (a partial or damaged copy) and "
                )
                raise DatasetError(
                    f"{damaged if there else ''}could not download a verified {name} ({tried})."
                    " Check the network, "
                    f"set XPNET_MNIST_MIRRORS to mirrors that have the files, "
                    f"or put the files into {_braced(str(directory))}, {SAMPLE_HINT}",
                    **SAMPLE,
                )
        return paths
    except BaseException:  # Ctrl-C too: the folder as it was
        _remove_made(made)
        raise


def _download(url: str, path: Path, sha256: str, *, bar: bool) -> None:
    """url into a temporary file beside path, hashed as it comes, renamed over path when its
    SHA-256 is sha256. MirrorError for the mirror's faults, DatasetError for the folder's."""
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP)
    except OSError as error:
        raise _unwritable(path, error) from None
    digest = hashlib.sha256()
    try:
        try:
            with os.fdopen(fd, "wb") as handle:

                def sink(chunk: bytes) -> None:
                    handle.write(chunk)
                    digest.update(chunk)

                transfer(url, sink, bar=bar)
                handle.flush()
                os.fsync(handle.fileno())
            if digest.hexdigest() != sha256:
                got = digest.hexdigest()
                raise MirrorError(f"SHA-256 mismatch, expected {sha256}, got {got}", down=False)
            if hasattr(os, "fchmod"):
                os.chmod(temporary, new_file_mode())
            os.replace(temporary, path)
        except OSError as error:  # the disk's, not the mirror's: MirrorError is no OSError
            raise _unwritable(path, error) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _unwritable(path: Path, error: OSError) -> DatasetError:
    """The error of a file that cannot be written into the data folder, with the fix."""
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        fix = "free space there, or keep the data elsewhere: {root} (or XPNET_DATA_DIR)"
    else:
        fix = "give a folder you may write into: {root} (or XPNET_DATA_DIR)"
    where = _braced(str(path.parent))
    return DatasetError(
        f"cannot write {_braced(path.name)} into the data folder {where} ({reason}); {fix}",
        **ELSEWHERE,
    )


def _make_folder(directory: Path) -> list[Path]:
    """Make directory (and its parents); the folders made, deepest first."""
    missing, folder = [], directory
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _remove_made(missing)
        reason = error.strerror or str(error)
        raise DatasetError(
            f"cannot make the data folder {_braced(str(directory))} ({reason}); give a folder"
            " you may write into: {root} (or XPNET_DATA_DIR)",
            **ELSEWHERE,
        ) from None
    return missing


def _remove_made(made: list[Path]) -> None:
    """Remove the folders a failed download made, deepest first, while they are empty."""
    for folder in made:
        try:
            folder.rmdir()
        except OSError:  # not empty (a verified file kept, another run's), or gone
            return


def remove_stale_temporaries(directory: Path, names: Iterable[str]) -> list[Path]:
    """Remove the temporary files of ``names`` that killed downloads or writes left.

    A temporary file is a killed run's once nothing has written to it for :data:`STALE`
    seconds (a live download gives up far sooner), so another run's is never taken.

    Parameters
    ----------
    directory : pathlib.Path
        The data folder.
    names : iterable of str
        The files whose temporary files go (``.train-images-idx3-ubyte.gz.k2j4x8aa.tmp``).

    Returns
    -------
    list of pathlib.Path
        The files removed.
    """
    pattern, removed, now = temporary_names(names), [], time.time()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        with contextlib.suppress(OSError):
            if (
                pattern.fullmatch(entry.name)
                and entry.is_file(follow_symlinks=False)
                and now - entry.stat(follow_symlinks=False).st_mtime > STALE
            ):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file at path, in hex.

    Parameters
    ----------
    path : pathlib.Path

    Returns
    -------
    str
    """
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _braced(text: str) -> str:
    """text as literal text of a message template (its braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")


def damaged_files(directory: Path, checksums: Mapping[str, str]) -> list[str]:
    """The files of ``checksums`` that are in ``directory`` with another SHA-256.

    Parameters
    ----------
    directory : pathlib.Path
        The data folder.
    checksums : mapping of str to str
        File name to SHA-256.

    Returns
    -------
    list of str
        Their names: partial or damaged copies, which a download replaces.
    """
    return [
        name
        for name, sha256 in checksums.items()
        if (directory / name).is_file() and file_sha256(directory / name) != sha256
    ]


def verified_files(directory: Path, checksums: Mapping[str, str]) -> dict[str, Path] | None:
    """Every file of ``checksums`` in ``directory`` with its SHA-256, without the network.

    Parameters
    ----------
    directory : pathlib.Path
        The data folder.
    checksums : mapping of str to str
        File name to SHA-256.

    Returns
    -------
    dict of str to pathlib.Path or None
        Each file's path, or None when any file is missing or has another hash.
    """
    paths = {name: directory / name for name in checksums}
    for name, path in paths.items():
        if not path.is_file() or file_sha256(path) != checksums[name]:
            return None
    return paths
