"""Which Zarr chunk a failed read of rows start..stop-1 stumbled on, and its reads settled.

zarr reads the chunks of a row range concurrently, on its own event loop; when one fails, the
others are still pending there, and at exit Python reports each as 'Task was destroyed but it
is pending!' after xpnet's one line. :func:`damaged_chunk` first lets them finish, then reads
the range's chunks again one at a time and names the first that fails: its file under the
array's folder and the rows it holds.
"""

from __future__ import annotations

import asyncio
import itertools

SETTLE = 10.0  # seconds the other reads of a failed range get to finish


def damaged_chunk(array, path: str, start: int, stop: int, said: str) -> str:
    """'PATH/c/9/0, the chunk of rows 4500..4999': the first chunk of rows start..stop-1 that
    cannot be read, with its error when it is not the one the range's read ``said``; '' when
    each chunk reads alone."""
    settle_reads()
    rows = array.chunks[0]
    grid = [range(start // rows, (stop - 1) // rows + 1)]
    grid += [range(n) for n in array.cdata_shape[1:]]
    for index in itertools.product(*grid):
        try:
            array.blocks[index]
        except Exception as error:  # the codec's error, a wrong size, a file gone
            first, last = index[0] * rows, min((index[0] + 1) * rows, array.shape[0]) - 1
            why = f"{type(error).__name__}: {(str(error).splitlines() or [''])[0][:300]}"
            return f"{path}/{chunk_key(array, index)}, the chunk of rows {first}..{last}" + (
                f" ({why})" if why != said else ""
            )
    return ""


def chunk_key(array, index: tuple[int, ...]) -> str:
    """The chunk's file name under the array's folder ('c/9/0' in Zarr 3, '9.0' in Zarr 2)."""
    metadata = getattr(array, "metadata", None)
    if hasattr(metadata, "encode_chunk_key"):  # zarr 3
        return metadata.encode_chunk_key(index)
    return ".".join(map(str, index))  # zarr 2's default key encoding


def settle_reads() -> None:
    """Wait (at most SETTLE seconds) until zarr's event loop runs nothing but this wait."""
    try:
        from zarr.core.sync import sync  # zarr 3: its loop; zarr 2 has none
    except ImportError:
        return

    async def others_done() -> None:
        others = asyncio.all_tasks() - {asyncio.current_task()}
        if others:
            await asyncio.wait(others, timeout=SETTLE)

    try:
        sync(others_done())
    except Exception:  # a loop already closed at exit: nothing is left to report then
        pass
