"""Array files read bounded: what a file declares is checked before any of its data is read.

Files are data, never code (DESIGN.md, decision 8), and a file a user is handed is untrusted:
a header of a few bytes can declare an array of 298 GiB, a deflated zip member can inflate to
gigabytes, a FIFO blocks a read for ever. So every array file xpnet reads goes through here:

- :mod:`.opening`: :func:`open_regular` opens a path only when it is a regular file (a symlink
  to one is fine), so a FIFO or a device is never read from and never blocks;
- :mod:`.header`: :func:`read_header` reads an ``.npy`` header (numpy's format module, at most
  :data:`MAX_HEADER` bytes) and refuses object and structured dtypes;
- :mod:`.archive`: :class:`Archive` reads an ``.npz`` file's zip directory, bounded first (its
  size, then each member's name, duplicates, compression and sizes), then a member's header,
  and a member's data only after the caller has accepted that header (:meth:`Archive.read`);
- :mod:`.memory`: :func:`memory_available` is what this process may still allocate: the bound
  for sizes that nothing else bounds.

A refusal is an :class:`UnreadableFile` (a ValueError) whose message names the file, the member
and what was declared; the callers raise it as their own error (CheckpointError, DatasetError).
"""

from .archive import Archive
from .header import MAX_HEADER, Header, read_header
from .memory import memory_available
from .opening import UnreadableFile, open_regular, size_text

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
