"""The rows of a run's CSVs: ``metrics.csv`` (one row per evaluation) and ``loss.csv`` (one
row per step), as text, and appended a whole number of rows at a time.

:func:`append_rows` undoes a write cut short (a file-size limit, a full disk), so a file ends
with whole rows only and a crash leaves a readable file; the run's cost stays linear, as no
file is rewritten. Which rows are new is :class:`xpnet.cli.runfolder.RunFolder`'s to count.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from pathlib import Path

__all__ = ["LOSSES", "METRICS", "append_rows", "csv_text", "loss_rows", "metric_rows"]

METRICS = ["epoch", "iteration", "loss", "train_acc", "test_acc", "seconds"]
LOSSES = ["iteration", "loss"]


def metric_rows(records) -> list[list]:
    """metrics.csv's rows of these EpochRecords."""
    return [[r.epoch, r.iteration, r.loss, r.train_acc, r.test_acc, r.seconds] for r in records]


def loss_rows(losses, before: int) -> list[list]:
    """loss.csv's rows of these losses, the first being step ``before + 1``'s."""
    return [[before + i + 1, loss] for i, loss in enumerate(losses)]


def csv_text(rows: list[list]) -> bytes:
    """rows as CSV text, one line (ending in a newline) each."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def append_rows(path: Path, data: bytes) -> None:
    """Whole rows appended on an O_APPEND descriptor: a write cut short (a file-size limit, a
    full disk) is undone, so the file ends with whole rows only (the folder's lock keeps other
    writers out). The file is created as any new file is (0666 less the umask)."""
    if not data:
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        size = os.fstat(fd).st_size
        try:
            while data:
                data = data[os.write(fd, data) :]
        except BaseException:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)  # no torn row: the rows of this call go, all of them
            raise
    finally:
        os.close(fd)
