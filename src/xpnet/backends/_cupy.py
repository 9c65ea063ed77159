"""CuPy: arrays on a CUDA GPU ("cuda", "cuda:N"), through array-api-compat.

Two facts shape this class. CuPy places new arrays and runs kernels on its *current* GPU, and
array-api-compat drops ``device=`` for CuPy's creation functions (compat issue #337): so work
for "cuda:1" runs inside :meth:`CuPy.enter` (a ``cupy.cuda.Device`` is the context that makes it
current). And CuPy's wheels load CUDA's libraries only when first used: a machine with a driver
but no CUDA toolkit counts its GPUs, then fails at the first kernel (NVRTC compiles CuPy's
kernels) or the first matrix product (cuBLAS); :meth:`CuPy.problem_on` tries both, once per GPU.
"""

from __future__ import annotations

from array_api_compat import is_cupy_namespace

from ..errors import Use, XpnetValueError
from ._base import DeviceUnavailableError, Library, brief

CUDA_HINT = 'pip install "xpnet[cuda12]" (or "xpnet[cuda13]" for CUDA 13)'


class CuPy(Library):
    """cupy through array-api-compat; devices "cuda[:N]"; None means CuPy's current GPU."""

    name = module = device_module = "cupy"
    title = "CuPy"
    package = "cupy-cuda12x"
    array_kind = ("a cupy array", "cupy arrays")
    fast_paths = ("cupy-graph", "cupy-fused")
    cpu, gpu, enters_device = False, True, True
    owns_namespace = staticmethod(is_cupy_namespace)

    def __init__(self) -> None:
        self.problems: dict[int, str] = {}  # GPU index -> "" (CuPy runs there) or what is missing

    def pip_install(self, python):
        return (
            super().pip_install(python) + " (CuPy needs an NVIDIA GPU with CUDA 12; for CUDA 13,"
            " cupy-cuda13x; on a CPU, import numpy as np instead)"
        )

    def install_hint(self):
        return CUDA_HINT

    def not_installed(self, device):
        return DeviceUnavailableError(
            "device {device} needs CuPy, which is not installed: {hint}, or use {cpu}",
            device=repr(device),
            hint=CUDA_HINT,
            cpu=Use("device", "cpu"),
        )

    def namespace(self):
        self.load()
        import array_api_compat.cupy as xp

        return xp

    def device(self, text, index):
        if text == "cpu":
            raise XpnetValueError(
                "backend 'cupy' runs on a GPU only; got device {device}. For the CPU use"
                " {numpy} or {torch}; for a GPU, {cuda} or {cuda_n}",
                device=repr(text),
                numpy=Use("backend", "numpy"),
                torch=Use("backend", "torch"),
                cuda=Use("device", "cuda"),
                cuda_n=Use("device", "cuda:N"),
            )
        text = "cuda" if text is None else text
        cupy = self.load(text)
        count, why = self.count(cupy)
        if index is None:  # no device given: CuPy's current GPU
            index = cupy.cuda.runtime.getDevice() if count else 0
        if index >= count:
            raise DeviceUnavailableError(
                "device {device} needs an NVIDIA GPU, but CuPy sees {count} ({problem}): use {cpu}",
                device=repr(text),
                count=count,
                problem=why or "no device with that index",
                cpu=Use("device", "cpu"),
            )
        problem = self.problem_on(cupy, index)
        if problem:
            raise DeviceUnavailableError(
                "device {device}: CuPy sees {count} GPU(s) but cannot run on GPU {index}:"
                " {problem}. Install CuPy with CUDA's libraries: {hint}, which bring CuPy's"
                " [ctk] extra; or use {cpu}",
                gpu_seen=True,
                device=repr(text),
                count=count,
                index=index,
                problem=problem,
                hint=CUDA_HINT,
                cpu=Use("device", "cpu"),
            )
        return cupy.cuda.Device(index)

    @staticmethod
    def count(cupy) -> tuple[int, str]:
        """(the number of GPUs CuPy sees, why it sees none when that failed, else "")."""
        try:
            return cupy.cuda.runtime.getDeviceCount(), ""
        except Exception as error:  # CUDARuntimeError: no driver, no device
            return 0, f"{type(error).__name__}: {error}"

    def problem_on(self, cupy, index: int) -> str:
        """What keeps CuPy from running on GPU index ("" when nothing does), found once per GPU:
        NVRTC loaded, a kernel compiled and a 2x2 cuBLAS matrix product checked."""
        if index not in self.problems:
            problem = ""
            try:
                cupy.cuda.nvrtc.getVersion()
            except Exception as error:  # DynamicLibNotFoundError, ImportError, CUDA errors
                problem = f"NVRTC, CUDA's kernel compiler, cannot be loaded ({brief(error)})"
            if not problem:
                try:
                    with cupy.cuda.Device(index):
                        a = cupy.ones((2, 2), dtype=cupy.float32) + 1  # compiles a kernel
                        if float((a @ a).sum()) != 32.0:  # cuBLAS
                            problem = "a 2x2 matrix product on the GPU gave a wrong result"
                except Exception as error:
                    problem = f"a kernel or a cuBLAS matrix product failed ({brief(error)})"
            self.problems[index] = problem
        return self.problems[index]

    def device_text(self, device) -> str:
        return f"cuda:{device.id}"  # not CuPy's "<CUDA Device 1>"

    def enter(self, device):
        return device  # a cupy.cuda.Device is the context that makes it the current GPU

    def on_gpu(self, x) -> bool:
        return True

    def gpu_name(self, device):
        name = self.load().cuda.runtime.getDeviceProperties(device.id)["name"]
        return name.decode() if isinstance(name, bytes) else str(name)

    def gpus(self, module):
        count = self.count(module)[0]
        return [self.gpu_name(module.cuda.Device(i)) for i in range(count)]

    def problem(self, module, gpus):
        if gpus == 0:
            return f"no usable GPU ({self.count(module)[1] or 'CuPy sees none'})"
        problem = self.problem_on(module, 0)
        return f"cannot run on GPU 0: {problem}" if problem else None

    def install_warning(self):
        import importlib.metadata

        names = importlib.metadata.distributions()
        cupies = sorted({d.metadata["Name"] for d in names if _is_cupy(d.metadata["Name"])})
        if len(cupies) < 2:
            return None
        return (
            f"several CuPy packages are installed ({', '.join(cupies)}); they share one module"
            " and break each other: keep only the one for your CUDA version"
        )

    def to_numpy(self, x):
        return x.get()

    def synchronize(self, device) -> None:
        with device:
            self.load().cuda.get_current_stream().synchronize()


def _is_cupy(name: str | None) -> bool:
    return (name or "").lower().startswith("cupy")  # cupy, cupy-cuda12x, cupy-cuda13x, ...
