"""NumPy: the default backend, on the CPU; host data is already its arrays."""

from __future__ import annotations

from array_api_compat import is_numpy_namespace

from ._base import Library, quiet_numpy_overflow


class NumPy(Library):
    """NumPy through array-api-compat's wrapper; device "cpu" only."""

    name = module = "numpy"
    title = "NumPy"
    package = "numpy"
    array_kind = ("a numpy array", "numpy arrays")
    owns_namespace = staticmethod(is_numpy_namespace)
    quiet_overflow = staticmethod(quiet_numpy_overflow)

    def load(self, device: str = "cpu"):
        import numpy

        return numpy

    def namespace(self):
        import array_api_compat.numpy as xp

        return xp

    def owns_device(self, device) -> bool:
        return False  # NumPy's device is the string "cpu", taken by get_backend as text

    def from_host(self, xp, host, device):
        return host  # already a NumPy array
