"""Files downloaded verified: each checked against its SHA-256 before it is kept, mirror by mirror.

:func:`download_verified` makes sure every file of a {name: SHA-256} mapping is in a folder: a file
already there with the right hash is kept, any other is downloaded from each mirror in turn into
a temporary file (pooch), verified, then renamed, so a failed or forged download leaves nothing.
:func:`verified_files` answers the same question without the network.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import Do
from .common import DatasetError

__all__ = ["SAMPLE", "SAMPLE_HINT", "damaged_files", "download_verified", "verified_files"]

SAMPLE_HINT = "or use the bundled 5,000-image sample: {sample}"  # a field of SAMPLE
SAMPLE = {"sample": Do("use_sample_data")}


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
        The data folder.
    checksums : mapping of str to str
        File name to SHA-256.
    mirrors : sequence of str
        Base URLs, each ending in "/", tried in turn.
    progress : bool, optional
        Show a progress bar per file (on a terminal).

    Returns
    -------
    dict of str to pathlib.Path
        Each file's path.

    Raises
    ------
    DatasetError
        When no mirror gives a verified file, naming each URL tried and why it failed.
    """
    import pooch  # imported here so that `import xpnet` stays fast

    show = progress and sys.stderr.isatty()
    paths = {}
    for name, sha256 in checksums.items():
        path = directory / name
        if path.is_file() and pooch.file_hash(str(path)) == sha256:
            paths[name] = path
            continue
        there = path.is_file()  # there, with another SHA-256: a partial or damaged copy
        failures = []
        for base in mirrors:
            url = base + name
            try:
                pooch.retrieve(
                    url,
                    known_hash=f"sha256:{sha256}",
                    fname=name,
                    path=directory,
                    progressbar=show,
                )
            except (OSError, ValueError) as error:  # requests' errors are OSErrors
                failures.append(f"{url}: {_reason(error)}")
            else:
                paths[name] = path
                break
        else:
            tried = "; ".join(failures) or "no mirror given"
            damaged = (
                f"{_braced(str(path))} fails its SHA-256 check (a partial or damaged copy) and "
            )
            raise DatasetError(
                f"{damaged if there else ''}could not download a verified {name} ({tried})."
                " Check the network, "
                f"set XPNET_MNIST_MIRRORS to mirrors that have the files, "
                f"or put the files into {directory}, {SAMPLE_HINT}",
                **SAMPLE,
            )
    return paths


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
    import pooch

    return [
        name
        for name, sha256 in checksums.items()
        if (directory / name).is_file() and pooch.file_hash(str(directory / name)) != sha256
    ]


def _reason(error: BaseException) -> str:
    """A short reason for a failed download: the checksum pair, or the innermost cause."""
    match = re.search(r"expected (?:sha256:)?(\w+) but got (\w+)", str(error))
    if isinstance(error, ValueError) and match:
        return f"SHA-256 mismatch, expected {match[1]}, got {match[2]}"
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__
    return str(error) or type(error).__name__


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
    import pooch

    paths = {name: directory / name for name in checksums}
    for name, path in paths.items():
        if not path.is_file() or pooch.file_hash(str(path)) != checksums[name]:
            return None
    return paths
