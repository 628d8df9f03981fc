"""How many worker processes the deps stage may use: the CPUs this container may run on.

``os.cpu_count()`` counts the machine's cores, not the container's: ``docker run --cpus 2``
on a 32-core machine sets a CFS quota, ``--cpuset-cpus`` an affinity, and a pool sized to
32 would only queue on the 2 it gets (and load 32 interpreters into memory). Bytecode and
verify size their pools here. The answer never changes what is built: each task's output
depends only on its input, and results are collected in task order.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

__all__ = ["available_cpus", "cpu_quota", "pool_size"]

CGROUP_FILES = (("/sys/fs/cgroup/cpu.max", None),  # cgroup v2: "quota period" or "max period"
                ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us"))
"""Where the container's CPU quota is read, cgroup v2 first, then v1."""


def cpu_quota(quota: str, period: str | None = None) -> int | None:
    """CPUs a CFS quota allows, rounded up; None for no limit. ``quota`` is cgroup v2's
    ``cpu.max`` line (``"150000 100000"``, ``"max 100000"``), or with ``period`` cgroup v1's
    two files (``"-1"`` for no limit)."""
    parts = quota.split()
    if period is not None:
        parts = [*parts[:1], period.strip()]
    if len(parts) != 2 or parts[0] in ("max", "-1"):
        return None
    try:
        q, p = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    return max(1, math.ceil(q / p)) if q > 0 and p > 0 else None


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as f:
            return f.read()
    except OSError:
        return None


def available_cpus(read: Callable[[str], str | None] = _read) -> int:
    """The CPUs this process may use: its affinity, capped by the cgroup's CPU quota."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cpus = os.cpu_count() or 1
    for quota_file, period_file in CGROUP_FILES:
        quota = read(quota_file)
        if quota is None:
            continue
        period = read(period_file) if period_file else None
        if period_file and period is None:
            continue
        limit = cpu_quota(quota, period)
        if limit is not None:
            cpus = min(cpus, limit)
        break
    return max(1, cpus)


def pool_size(tasks: int, jobs: int | None = None) -> int:
    """Workers for ``tasks`` independent tasks: ``jobs`` when given, else the available
    CPUs; never more than there are tasks, never fewer than one."""
    return max(1, min(tasks, jobs or available_cpus()))
