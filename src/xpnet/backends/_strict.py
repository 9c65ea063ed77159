"""array-api-strict: the standard and nothing else (version 2024.12), for the tests.

It has three devices, "cpu" (its CPU_DEVICE), "device1" and "device2", all on the host, which
refuse to be mixed: a ``device=`` that xpnet forgets fails on a laptop.
"""

from __future__ import annotations

from array_api_compat import is_array_api_strict_namespace

from ._base import DeviceUnavailableError, Library, quiet_numpy_overflow

API_VERSION = "2024.12"
DEVICES = ("cpu", "device1", "device2")


class Strict(Library):
    """array_api_strict; devices "cpu", "device1", "device2"."""

    name = module = device_module = "array_api_strict"
    title = "array-api-strict"
    package = "array-api-strict"
    array_kind = ("an array_api_strict array", "array_api_strict arrays")
    owns_namespace = staticmethod(is_array_api_strict_namespace)
    quiet_overflow = staticmethod(quiet_numpy_overflow)  # it computes with NumPy

    def not_installed(self, device):
        return DeviceUnavailableError(
            "backend 'array_api_strict' is not installed: pip install array-api-strict"
        )

    def namespace(self):
        xp = self.load()
        xp.set_array_api_strict_flags(api_version=API_VERSION)
        return xp

    def device(self, text, index):
        if text not in (None, "cpu"):
            raise self.cpu_only(text)
        return self.load().Device("CPU_DEVICE")

    def other_device(self, text):
        try:
            return self.load().Device(text)
        except ValueError:
            raise ValueError(
                f"unknown device {text!r} for array_api_strict; expected 'cpu', 'device1' or"
                " 'device2'"
            ) from None

    def device_text(self, device) -> str:
        for text in DEVICES:
            if device == (self.device(None, None) if text == "cpu" else self.other_device(text)):
                return text
        return str(device)

    def to_numpy(self, x):
        import numpy as np

        return np.asarray(x.to_device(self.device(None, None)))
