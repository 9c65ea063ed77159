"""NumPy: the default backend, on the CPU; host data is already its arrays."""

from __future__ import annotations

from array_api_compat import is_numpy_namespace, is_writeable_array

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

    def in_place_fix(self, x, name):
        if is_writeable_array(x):
            return None  # a broadcast view, np.load(mmap_mode="r") or setflags(write=False)
        return (
            f"{name} is read-only (its writeable flag is off); pass a writable copy,"
            f" {name} = numpy.array({name}), and where f reads the array from elsewhere"
            " (lambda W: net.loss(x, t)), put the copy there too"
        )
