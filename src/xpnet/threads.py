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
user's choice for the pools that read it (``READ_BY``): ``use_threads()`` (no n) leaves those as
they are and gives the others xpnet's default. PyTorch reads OMP_ and MKL_NUM_THREADS, not
OPENBLAS_NUM_THREADS, so ``OPENBLAS_NUM_THREADS=1`` alone still gets torch one thread. An
explicit n wins everywhere. The limits are the process's, as threadpoolctl's are: enter blocks
from one Python thread.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

__all__ = [
    "DEFAULT_THREADS",
    "READ_BY",
    "THREAD_VARIABLES",
    "available_cpus",
    "default_threads",
    "use_threads",
]

DEFAULT_THREADS = 1  # the book's shapes: fastest on a busy machine, within 8% on an idle one
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
READ_BY = {  # a pool (threadpoolctl's internal_api, or PyTorch's intra-op pool) -> its variables
    "openblas": ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"),
    "mkl": ("MKL_NUM_THREADS", "OMP_NUM_THREADS"),
    "openmp": ("OMP_NUM_THREADS", "MKL_NUM_THREADS"),  # torch sizes its OpenMP pool from either
    "intra-op": ("OMP_NUM_THREADS", "MKL_NUM_THREADS"),  # torch.set_num_threads's pool
}  # any other pool: any of THREAD_VARIABLES

_limits: list[int | None] = []  # torch's n in each open use_threads block (None: left)
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
        A positive int, or None for xpnet's default: 1, except for the pools that read an
        OPENBLAS_NUM_THREADS, OMP_NUM_THREADS or MKL_NUM_THREADS the environment sets
        (``READ_BY``), which are left as they are.

    Yields
    ------
    int or None
        The count applied (None: every pool left to the environment).

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
    set_by_user = _set_by_user if n is None else lambda pool: False
    n = DEFAULT_THREADS if n is None else n
    from threadpoolctl import ThreadpoolController

    controller = ThreadpoolController()
    pools = {p["filepath"]: n for p in controller.info() if not set_by_user(p["internal_api"])}
    torch_n = None if set_by_user("intra-op") else n
    _limits.append(torch_n)
    try:
        limit_torch(sys.modules.get("torch"))  # first: threadpoolctl also sets torch's OpenMP
        with controller.limit(limits=pools or None):
            yield n if pools or torch_n else None
    finally:
        depth = len(_limits)
        _limits.pop()
        if _torch_restore and _torch_restore[-1][0] == depth:
            torch = sys.modules["torch"]
            torch.set_num_threads(_torch_restore.pop()[1])
            limit_torch(torch)  # torch loaded inside this block: the enclosing block's limit


def _set_by_user(pool: str) -> bool:
    """Whether the environment sets a variable this pool reads: then it is the user's."""
    return any(os.environ.get(name) for name in READ_BY.get(pool, THREAD_VARIABLES))


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
    if _limits[-1] is None:  # OMP_ or MKL_NUM_THREADS set: torch's pool is the user's
        return
    _torch_restore.append((depth, torch.get_num_threads()))
    torch.set_num_threads(_limits[-1])
