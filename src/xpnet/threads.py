"""How many threads NumPy's BLAS, OpenMP and PyTorch may use while xpnet works: ``use_threads``.

The book's shapes are small: a training step multiplies (100, 784) by (784, 50), an evaluation
chunk (10000, 784) by (784, 50). A second thread gains little there (the book's run: 4-8% on
an idle 2-core machine), and when other programs keep the cores busy, OpenBLAS's and OpenMP's
spin-waiting threads make a step 5-55 times slower (BENCHMARKS.md, "Threads"). So xpnet works
with one thread unless told otherwise:

    with use_threads():          # xpnet's default: 1, or what the environment says (below)
        ...
    with use_threads(2):         # two threads, restored on exit
        ...

The pools are limited through threadpoolctl (the library scikit-learn uses for this), which
reaches every BLAS and OpenMP library loaded in the process, and PyTorch's own intra-op pool
through ``torch.set_num_threads``: at once when torch is loaded, or when xpnet's backend loads
it inside the block. All is restored on exit.

An explicit OPENBLAS_NUM_THREADS, OMP_NUM_THREADS or MKL_NUM_THREADS in the environment is the
user's choice: with it, ``use_threads()`` (no n) leaves every pool as it is. An explicit n wins.
The limits are the process's, as threadpoolctl's are: enter blocks from one Python thread.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

__all__ = [
    "DEFAULT_THREADS",
    "THREAD_VARIABLES",
    "available_cpus",
    "default_threads",
    "use_threads",
]

DEFAULT_THREADS = 1  # the book's shapes: fastest on a busy machine, within 8% on an idle one
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

_limits: list[int] = []  # the n of each open use_threads block, innermost last
_torch_restore: list[tuple[int, int]] = []  # (depth at which torch was set, its previous count)


def default_threads() -> int | None:
    """The thread count ``use_threads()`` applies when given no n.

    Returns
    -------
    int or None
        None when the environment sets one of THREAD_VARIABLES (the libraries read it
        themselves), else DEFAULT_THREADS (1).

    Examples
    --------
    >>> default_threads() in (None, 1)
    True
    """
    if any(os.environ.get(name) for name in THREAD_VARIABLES):
        return None
    return DEFAULT_THREADS


def available_cpus() -> int:
    """The CPUs this process may run on: the most threads that can all run at once.

    Returns
    -------
    int
        The size of the process's CPU affinity set where the system has one, else
        ``os.cpu_count()`` (1 when unknown).

    Examples
    --------
    >>> available_cpus() >= 1
    True
    """
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@contextlib.contextmanager
def use_threads(n: int | None = None) -> Iterator[int | None]:
    """Limit BLAS, OpenMP and PyTorch to n threads inside the block; restore them after.

    Parameters
    ----------
    n : int or None, optional
        A positive int, or None for xpnet's default: 1, and nothing changed when the environment
        sets OPENBLAS_NUM_THREADS, OMP_NUM_THREADS or MKL_NUM_THREADS.

    Yields
    ------
    int or None
        The count applied (None: left to the environment).

    Raises
    ------
    TypeError, ValueError
        For an n that is not a positive int or None, or more than :func:`available_cpus` (more
        threads than CPUs only wait on each other; PyTorch would start every one of them).

    Examples
    --------
    >>> with use_threads(1) as n:
    ...     n
    1
    """
    if n is not None and (isinstance(n, bool) or not isinstance(n, int)):
        raise TypeError(
            f"threads must be a positive int, or None for xpnet's default ({DEFAULT_THREADS}); "
            f"got {type(n).__name__} {n!r}"
        )
    if n is not None and n < 1:
        raise ValueError(
            f"threads must be a positive int, or None for xpnet's default ({DEFAULT_THREADS}); "
            f"got {n}"
        )
    if n is not None and n > available_cpus():
        raise ValueError(
            f"threads must be at most the {available_cpus()} CPUs this process may use (more"
            f" threads than CPUs only wait on each other); got {n}. Pass threads={available_cpus()}"
            " or fewer"
        )
    n = default_threads() if n is None else n
    if n is None:
        yield None
        return
    from threadpoolctl import threadpool_limits

    _limits.append(n)
    try:
        limit_torch(sys.modules.get("torch"))  # first: threadpoolctl also sets torch's OpenMP
        with threadpool_limits(limits=n):
            yield n
    finally:
        depth = len(_limits)
        _limits.pop()
        if _torch_restore and _torch_restore[-1][0] == depth:
            torch = sys.modules["torch"]
            torch.set_num_threads(_torch_restore.pop()[1])
            limit_torch(torch)  # torch loaded inside this block: the enclosing block's limit


def limit_torch(torch) -> None:
    """Apply the innermost open block's limit to PyTorch's intra-op pool, once per block.

    Called on entry, and by backends when it imports torch: torch may load inside a block.

    Parameters
    ----------
    torch : module or None
        The torch module, or None when it is not loaded (nothing to do).
    """
    depth = len(_limits)
    if torch is None or not depth or (_torch_restore and _torch_restore[-1][0] == depth):
        return
    _torch_restore.append((depth, torch.get_num_threads()))
    torch.set_num_threads(_limits[-1])
