"""PyTorch: tensors on the CPU ("cpu") or a CUDA GPU ("cuda:N"), through array-api-compat.

Loaded inside a ``use_threads`` block, its intra-op thread pool obeys the block too. A host
array becomes a tensor by a copy, never by sharing NumPy's memory.
"""

from __future__ import annotations

from array_api_compat import is_torch_namespace

from ..errors import Use
from ._base import DeviceUnavailableError, Library


class Torch(Library):
    """torch through array-api-compat; devices "cpu" and "cuda[:N]"."""

    name = module = device_module = "torch"
    title = "PyTorch"
    package = "torch"
    extra = "torch"
    array_kind = ("a torch tensor", "torch tensors")
    gpu = True
    owns_namespace = staticmethod(is_torch_namespace)

    def fast_paths_on(self, device):
        if getattr(device, "type", None) == "cuda":
            return ("torch-graph",), ""
        return (), "torch on the CPU has no faster step than its eager one"

    def load(self, device: str = "cpu"):
        torch = super().load(device)
        from ..threads import limit_torch

        limit_torch(torch)
        return torch

    def namespace(self):
        self.load()
        import array_api_compat.torch as xp

        return xp

    def device(self, text, index):
        torch = self.load()
        if text in (None, "cpu"):
            return torch.device("cpu")
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if index >= count:
            raise DeviceUnavailableError(
                "device {device} needs a CUDA build of PyTorch and a GPU, but PyTorch sees"
                " {count} (torch {version}): use {cpu}",
                device=repr(text),
                count=count,
                version=torch.__version__,
                cpu=Use("device", "cpu"),
            )
        return torch.device("cuda", index)

    def device_text(self, device) -> str:
        if device.type != "cuda":
            return str(device)
        index = device.index
        if index is None:  # torch.device("cuda"): the current GPU
            index = self.load().cuda.current_device()
        return f"cuda:{index}"

    def in_place_fix(self, x, name):
        if not x.requires_grad:
            return None  # a leaf that records autograd's graph refuses in-place writes
        return f"it has requires_grad=True (autograd refuses in-place writes); pass {name}.detach()"

    def on_gpu(self, x) -> bool:
        return x.device.type == "cuda"

    def gpu_name(self, device):
        return self.load().cuda.get_device_name(device) if device.type == "cuda" else None

    def gpus(self, module):
        if not module.cuda.is_available():
            return []
        return [module.cuda.get_device_name(i) for i in range(module.cuda.device_count())]

    def from_host(self, xp, host, device):
        if device.type == "cpu":  # a copy: never share host memory
            return xp.asarray(host, device=device, copy=True)
        return xp.asarray(host, device=device)

    def to_numpy(self, x):
        return x.detach().cpu().numpy()

    def synchronize(self, device) -> None:
        if device.type == "cuda":
            self.load().cuda.synchronize(device)
