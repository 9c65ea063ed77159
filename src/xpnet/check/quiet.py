"""What a learner's code writes to the terminal while xpnet runs it: kept, not shown.

A learner's file prints as it works (a debug print in a loop, 80,000 times in a numerical
gradient) and draws progress bars on standard error (tqdm). While xpnet imports, builds or
checks the learner's code, :func:`kept` takes both streams into one buffer, so that xpnet's
report stands alone; :func:`lines` counts them, for a note. Warnings still reach the real
standard error (where nothing else records them), and so does everything xpnet prints after:
its messages, and the learner's traceback of an error.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import sys
import warnings

__all__ = ["kept", "lines"]


@contextlib.contextmanager
def kept(buffer: io.StringIO | None = None):
    """Standard output and standard error into ``buffer``, yielded. Without one, nothing reads
    them: ``print`` then writes only to a file of the learner's own, never formatting what it
    would print to the terminal (a debug ``print(y)`` in loss, 160,000 times in a check, costs a
    minute of str() of arrays, past the time limit)."""
    unread = buffer is None
    buffer = io.StringIO() if buffer is None else buffer
    stderr, show, printing = sys.stderr, warnings.showwarning, builtins.print

    def shown(message, category, filename, lineno, file=None, line=None):
        show(message, category, filename, lineno, stderr if file is None else file, line)

    def unformatted(*objects, sep=" ", end="\n", file=None, flush=False):
        if file is not None and file not in (sys.stdout, sys.stderr):
            printing(*objects, sep=sep, end=end, file=file, flush=flush)

    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        warnings.showwarning = shown
        builtins.print = unformatted if unread else printing
        try:
            yield buffer
        finally:
            warnings.showwarning, builtins.print = show, printing


def lines(buffer: io.StringIO) -> int:
    """The lines written to buffer: a last one without its newline (a progress bar's) counts."""
    text = buffer.getvalue()
    return text.count("\n") + bool(text and not text.endswith("\n"))
