"""JAX: immutable arrays on the CPU ("cpu") or a CUDA GPU ("cuda:N"), and a compiler (jit).

Arrays cannot be written in place: ``x[i] = v`` is ``x.at[i].set(v)``, a new array. There is no
device barrier: to wait, wait for a result (``block_until_ready``). The first JAX backend turns
on ``jax_enable_x64`` (xpnet's default dtype is the book's float64), with one Float64Notice.
"""

from __future__ import annotations

from array_api_compat import device as device_of
from array_api_compat import is_jax_namespace

from ..errors import Use
from ._base import DeviceUnavailableError, Float64Notice, Library, warn


class Jax(Library):
    """jax.numpy (the standard's namespace itself); devices "cpu" and "cuda[:N]"."""

    name = module = "jax"
    title = "JAX"
    package = "jax"
    extra = "jax"
    device_module = "jaxlib"
    array_kind = ("a jax array", "jax arrays")
    fast_paths = ("jax-scan",)  # one XLA program per log interval beats ~35 dispatches a step
    gpu = immutable = compiles = True
    owns_namespace = staticmethod(is_jax_namespace)

    def namespace(self):
        enable_float64(self.load())
        import jax.numpy as xp  # JAX's own namespace is the standard's (compat returns it too)

        return xp

    def owns_device(self, device) -> bool:
        return type(device).__module__.split(".")[0] in ("jaxlib", "jax")

    def device(self, text, index):
        jax = self.load()
        if text in (None, "cpu"):
            return jax.devices("cpu")[0]
        try:
            gpus = jax.devices("gpu")
        except RuntimeError:  # no GPU platform in this jaxlib, or no GPU
            gpus = []
        if index >= len(gpus):
            raise DeviceUnavailableError(
                "device {device} needs a CUDA build of JAX and a GPU, but JAX sees {count}"
                ' (jax {version}): pip install "jax[cuda12]", or use {cpu}',
                device=repr(text),
                count=len(gpus),
                version=jax.__version__,
                cpu=Use("device", "cpu"),
            )
        return gpus[index]

    def device_text(self, device) -> str:  # JAX's own text is "cpu:0" or "cuda:0"
        return "cpu" if device.platform == "cpu" else f"cuda:{device.id}"

    def on_gpu(self, x) -> bool:
        return getattr(device_of(x), "platform", None) == "gpu"  # None: a tracer inside jit

    def gpu_name(self, device):
        return device.device_kind if device.platform == "gpu" else None

    def gpus(self, module):
        return [device.device_kind for device in module.devices("gpu")]

    def updated(self, x, index, value):
        return x.at[index].set(value)

    def wait(self, x, device) -> None:
        x.block_until_ready()

    def compile(self, function, arguments, donate, device):
        lowered = self.load().jit(function, donate_argnums=donate).lower(*arguments)
        if device.platform == "cpu":
            try:
                return lowered.compile(compiler_options=CPU_OPTIONS)
            except RuntimeError as error:  # a jaxlib without the option: its default matmuls
                if not any(name in str(error) for name in CPU_OPTIONS):
                    raise
        return lowered.compile()


# XLA's CPU compiler (jaxlib 0.10) hands each matmul to YNNPACK by default, except one whose
# left operand contracts its first axis (x.T @ dout), which Eigen does. For the book's shapes
# on one thread (batch 100, 784-50-10) Eigen is the faster of the two: x @ W1 takes ~60% of
# YNNPACK's time, and the compiled step 85-90% (BENCHMARKS.md, "Fast paths"). This keeps YNNPACK
# for reductions only, in the programs xpnet compiles (XLA_FLAGS and the user's own jit are
# left alone); a jaxlib that lacks the option compiles with its defaults.
CPU_OPTIONS = {"xla_cpu_experimental_ynn_fusion_type": "LIBRARY_FUSION_TYPE_REDUCE"}


def enable_float64(jax) -> None:
    """Turn on ``jax_enable_x64``, with one Float64Notice, unless it is on already.

    Without it JAX makes every float64 array float32, silently; xpnet's default dtype is float64
    (the book's), and its numerical gradients always work on a float64 copy. The switch is
    global to the process: JAX's default dtypes become 64-bit for the caller's own JAX code too,
    which is why it is announced. Turn it on yourself first
    (``jax.config.update("jax_enable_x64", True)``) to skip the notice.
    """
    if not jax.config.jax_enable_x64:
        jax.config.update("jax_enable_x64", True)
        warn(
            Float64Notice(
                "xpnet turned on jax_enable_x64 for float64 (its default dtype, and the"
                " numerical gradient's): JAX's default dtypes are 64-bit in this process from"
                " now on"
            )
        )
