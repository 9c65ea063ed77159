"""The memory bound: what this process may still allocate, for sizes nothing else bounds."""

from __future__ import annotations

import os
import re

__all__ = ["memory_available"]

FALLBACK_MEMORY = 16 * 2**30  # where the system says nothing


def memory_available() -> int:
    """Bytes this process may still allocate, as well as the system tells.

    Returns
    -------
    int
        The least of: the address-space and data limits (RLIMIT_AS, RLIMIT_DATA) less what the
        process uses of each, the memory cgroup's limit less its usage, and the memory
        available (MemAvailable, else the physical memory); FALLBACK_MEMORY where none of them
        is known.

    Examples
    --------
    >>> memory_available() > 0
    True
    """
    bounds = []
    try:
        import resource

        used = _proc_status()
        for limit, key in ((resource.RLIMIT_AS, "VmSize"), (resource.RLIMIT_DATA, "VmData")):
            soft = resource.getrlimit(limit)[0]
            if soft != resource.RLIM_INFINITY and soft >= 0:
                bounds.append(soft - used.get(key, 0))
    except (ImportError, OSError, ValueError):
        pass
    for limit_file, usage_file in (  # cgroup v2, v1
        ("memory.max", "memory.current"),
        ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes"),
    ):
        limit = _number_in(f"/sys/fs/cgroup/{limit_file}")
        usage = _number_in(f"/sys/fs/cgroup/{usage_file}")
        if limit is not None and limit < 2**60:
            bounds.append(limit - (usage or 0))
    meminfo = _meminfo_available()
    if meminfo is not None:
        bounds.append(meminfo)
    elif hasattr(os, "sysconf"):
        try:
            bounds.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError):
            pass
    return max(0, min(bounds)) if bounds else FALLBACK_MEMORY


def _proc_status() -> dict[str, int]:
    """VmSize, VmData, ... of /proc/self/status in bytes (empty where there is none)."""
    values = {}
    try:
        with open("/proc/self/status") as status:
            for line in status:
                key, _, rest = line.partition(":")
                match = re.fullmatch(r"\s*(\d+) kB\s*", rest)
                if match:
                    values[key] = int(match[1]) * 1024
    except OSError:
        pass
    return values


def _number_in(path: str) -> int | None:
    try:
        with open(path) as file:
            return int(file.read().strip())
    except (OSError, ValueError):
        return None


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
