"""The wheels a GPU machine without a network lacks: download them here, choose them there.

    python scripts/gpu_wheels.py download [.whl]   # here, with the network (about 21 MB)
    python scripts/gpu_wheels.py choose [.whl]     # there: the wheels to install, one a line

The GPU machine of the acceptance run has Python 3.12 and CuPy, PyTorch and JAX built for CUDA
13, but not array-api-compat, array-api-strict or array-api-extra, and it cannot fetch them.
The CuPy graph path also needs nvmath-python (its cuBLAS handle, which stream capture accepts),
and nvmath-python needs cuda-bindings, cuda-core and cuda-pathfinder, which the image may or
may not have. ``choose`` therefore picks a wheel only when its distribution is not
installed or is older than nvmath-python needs (``MINIMUM``), so that the CUDA bindings of the
image, which its CuPy and torch run with, are kept where they will do; a wheel for another
Python is left out. The folder is git-ignored;
`scripts/gpu_acceptance.sh` installs what ``choose`` names into a folder of its own on
PYTHONPATH, in one pip call (``pip --target`` replaces a folder such as ``cuda/`` that two
wheels share when they come in two calls).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import platform as platform_module
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

PYTHON, PLATFORMS = "3.12", ("manylinux_2_28_x86_64", "manylinux2014_x86_64")
WHEELS = ("array-api-compat", "array-api-strict", "array-api-extra", "nvmath-python",
          "cuda-bindings", "cuda-core", "cuda-pathfinder")  # fmt: skip
MINIMUM = {"cuda-bindings": "13.0.1", "cuda-core": "0.5.0", "cuda-pathfinder": "1.5.1"}
LIMIT = {"cuda-bindings": "14", "cuda-core": "2", "cuda-pathfinder": "2"}  # nvmath-python 1.0's


def requirements() -> list[str]:
    """The pip requirement of each wheel: ``name>=MINIMUM,<LIMIT`` where there are bounds."""
    said = []
    for name in WHEELS:
        bounds = [f">={MINIMUM[name]}"] if name in MINIMUM else []
        bounds += [f"<{LIMIT[name]}"] if name in LIMIT else []
        said.append(name + ",".join(bounds))
    return said


def download(folder: Path) -> None:
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--python-version", PYTHON, "--implementation", "cp", *platforms,
               "-d", str(folder), *requirements()]  # fmt: skip
    subprocess.run(command, check=True)


def installed(name: str) -> str | None:
    """The version of distribution ``name`` this Python has, or None."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def choose(folder: Path, version_of: Callable[[str], str | None] = installed) -> list[Path]:
    """The wheels of ``folder`` whose distribution is missing or older than ``MINIMUM``."""
    chosen = []
    for wheel in sorted(folder.glob("*.whl")):
        if not _fits(wheel.name):
            continue  # for another Python (a dry run on this machine's)
        name = wheel.name.split("-")[0].replace("_", "-").lower()
        have = version_of(name)
        if have is None or (name in MINIMUM and _numbers(have) < _numbers(MINIMUM[name])):
            chosen.append(wheel)
    return chosen


def _fits(filename: str, python: tuple[int, int] = sys.version_info[:2]) -> bool:
    """Whether the wheel ``filename`` (name-version[-build]-python-abi-platform.whl) is for
    this Python: a pure one (py3), or one built for this CPython (cp312) on Linux x86_64."""
    *_, tags, _abi, platform = filename.removesuffix(".whl").split("-")
    if "py3" in tags.split("."):
        return True
    here = platform_module.machine() == "x86_64" and sys.platform == "linux"
    return f"cp{python[0]}{python[1]}" in tags.split(".") and here and "x86_64" in platform


def _numbers(version: str) -> tuple[int, ...]:
    """(13, 0, 1) of "13.0.1" or "13.0.1.post2": the leading release numbers."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["download", "choose"])
    parser.add_argument("folder", nargs="?", type=Path, default=Path(".whl"))
    args = parser.parse_args(argv)
    if args.action == "download":
        download(args.folder)
        return 0
    for wheel in choose(args.folder):
        print(wheel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
