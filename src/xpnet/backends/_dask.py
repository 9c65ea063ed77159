"""Dask: lazy task graphs of NumPy chunks, on the CPU of whichever scheduler computes them.

Work runs only at a compute, each compute re-reads the data, and every write in place grows the
graph: xpnet evaluates and checks Dask networks but does not train them.
"""

from __future__ import annotations

from array_api_compat import is_dask_namespace

from ._base import Library


class Dask(Library):
    """dask.array through array-api-compat; device "cpu" only; lazy."""

    name = module = "dask"
    title = "Dask"
    package = '"dask[array]"'
    extra = "dask"
    array_kind = ("a dask array", "dask arrays")
    lazy = True
    owns_namespace = staticmethod(is_dask_namespace)

    def fast_paths_on(self, device):
        return (), "dask trains nowhere (it evaluates)"

    def namespace(self):
        self.load()
        import array_api_compat.dask.array as xp

        return xp

    def owns_device(self, device) -> bool:
        return False  # Dask's device is "cpu", taken by get_backend as text

    def compute(self, arrays: tuple) -> tuple:
        import dask

        return dask.compute(*arrays)  # one compute: shared work runs once
