"""Where the figures were taken: the machine, the libraries, the threads, the GPU, the commit.

``machine_info()`` is what every suite's JSON carries under "machine"; ``gpu_facts()`` adds the
GPU's name, driver and library versions for the GPU suite. ``thread_environment(threads)`` is
the one place that says how a thread count becomes environment variables (before NumPy loads).
Only the standard library is imported at the top: this module loads before NumPy.
"""

from __future__ import annotations

import datetime
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
XLA_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false"  # XLA's CPU matmuls on one thread too
ROOT = Path(__file__).resolve().parent.parent


def thread_environment(threads: int, environ: dict[str, str]) -> dict[str, str]:
    """environ with the BLAS/OpenMP thread variables set to `threads` (0: left alone), and
    XLA's CPU matmuls on one thread when threads is 1. OpenBLAS reads them once, when it loads."""
    env = dict(environ)
    if threads > 0:
        env.update({name: str(threads) for name in THREAD_VARIABLES})
    if threads == 1 and XLA_ONE_THREAD not in env.get("XLA_FLAGS", ""):
        env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {XLA_ONE_THREAD}".strip()
    return env


def set_torch_threads(threads: int) -> None:
    """torch.set_num_threads(threads) when threads > 0 (PyTorch keeps its own pool)."""
    if threads > 0:
        import torch

        torch.set_num_threads(threads)


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def load_average() -> tuple[float, float, float] | None:
    return os.getloadavg() if hasattr(os, "getloadavg") else None


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info() -> dict[str, Any]:
    """NumPy's BLAS from numpy.show_config, and threadpoolctl's view when it is installed."""
    import numpy as np

    info: dict[str, Any] = {}
    try:
        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        info["numpy_blas"] = {
            key: blas.get(key) for key in ("name", "version", "openblas configuration")
        }
    except Exception as error:  # old NumPy: show_config has no mode=
        info["numpy_blas"] = f"unavailable ({type(error).__name__})"
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {key: pool.get(key) for key in ("internal_api", "version", "num_threads", "filepath")}
            for pool in threadpool_info()
        ]
    except ImportError:
        info["threadpools"] = "threadpoolctl not installed"
    return info


def versions() -> dict[str, str | None]:
    """The versions of the libraries this process has loaded (None: not loaded)."""
    import numpy as np

    found: dict[str, str | None] = {"python": platform.python_version(), "numpy": np.__version__}
    for name in ("torch", "cupy", "jax", "dask", "array_api_compat", "array_api_strict", "xpnet"):
        module = sys.modules.get(name)
        found[name] = getattr(module, "__version__", "?") if module else None
    return found


def thread_settings() -> dict[str, Any]:
    settings: dict[str, Any] = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    if "XLA_FLAGS" in os.environ:
        settings["XLA_FLAGS"] = os.environ["XLA_FLAGS"]
    torch = sys.modules.get("torch")
    if torch is not None:
        settings["torch.get_num_threads()"] = torch.get_num_threads()
    return settings


def git_revision() -> str | None:
    """The commit, with '+dirty' when src/ or benchmarks/ (its results aside) differ from it."""
    try:
        run = dict(cwd=ROOT, capture_output=True, text=True, timeout=10, check=True)
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], **run).stdout.strip()
        paths = ["src", "benchmarks", ":!benchmarks/results"]
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *paths], **run).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def gpu_names() -> list[str]:
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return []


def machine_info(*, date: str | None = None, load_at_start=None, revision=None) -> dict[str, Any]:
    """The machine, the libraries, the threads, the date and the exact command. Call it after
    the work: the versions are those of the libraries the work loaded (date, load average and
    revision: give them as they were at the start)."""
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "date": date or now(),
        "command": shlex.join(["python", *_argv()]),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "sched_getaffinity": affinity,
        "load_average_at_start": load_at_start,
        "load_average_at_end": load_average(),
        "platform": platform.platform(),
        "gpus": gpu_names(),
        "versions": versions(),
        "xpnet_revision": revision or git_revision(),
        "threads": thread_settings(),
        "blas": blas_info(),
    }


def _argv() -> list[str]:
    """sys.argv as typed: `-m benchmarks ...` rather than the path of __main__.py."""
    argv = list(sys.argv)
    if argv and argv[0].endswith("__main__.py"):
        argv[0:1] = ["-m", Path(argv[0]).parent.name]
    return argv


# -- the GPU --------------------------------------------------------------------------------------


def nvidia_smi() -> list[dict]:
    fields = ["index", "name", "driver_version", "memory.total", "compute_cap", "power.limit"]
    for query in (fields, fields[:4]):  # an older driver lacks compute_cap
        run = subprocess.run(
            ["nvidia-smi", f"--query-gpu={','.join(query)}", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        if run.returncode == 0:
            rows = [line.split(", ") for line in run.stdout.strip().splitlines()]
            return [dict(zip(query, row, strict=False)) for row in rows]
    raise RuntimeError(f"nvidia-smi failed: {run.stderr.strip() or run.stdout.strip()}")


def cupy_facts(index: int) -> dict:
    import cupy

    runtime = cupy.cuda.runtime
    props = runtime.getDeviceProperties(index)
    name = props["name"]
    return {
        "version": cupy.__version__,
        "cuda_runtime": runtime.runtimeGetVersion(),
        "cuda_driver_api": runtime.driverGetVersion(),
        "device_count": runtime.getDeviceCount(),
        "name": name.decode() if isinstance(name, bytes) else str(name),
        "compute_capability": f"{props['major']}.{props['minor']}",
        "multiprocessors": props["multiProcessorCount"],
        "memory_bytes": props["totalGlobalMem"],
    }


def torch_facts(index: int) -> dict:
    import torch

    facts = {"version": torch.__version__, "cuda": torch.version.cuda}
    facts["cuda_available"] = torch.cuda.is_available()
    if facts["cuda_available"]:
        facts["name"] = torch.cuda.get_device_name(index)
        facts["capability"] = ".".join(map(str, torch.cuda.get_device_capability(index)))
        facts["cudnn"] = torch.backends.cudnn.version()
    return facts


def gpu_facts(index: int) -> dict:
    """nvidia-smi's, CuPy's and PyTorch's view of GPU `index`; each one's error where it fails."""
    facts: dict = {}
    for key, function in (
        ("nvidia_smi", nvidia_smi),
        ("cupy", lambda: cupy_facts(index)),
        ("torch", lambda: torch_facts(index)),
    ):
        try:
            facts[key] = function()
        except Exception as error:  # e.g. no nvidia-smi in a dry run
            facts[key] = {"unavailable": f"{type(error).__name__}: {error}"}
    return facts
