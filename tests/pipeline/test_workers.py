"""workers.py: pools sized to the CPUs the container may use, not the machine's cores."""

from __future__ import annotations

import os

import pytest

from slim_lambda.pipeline.workers import available_cpus, cpu_quota, pool_size


@pytest.mark.parametrize(("quota", "period", "cpus"), [
    ("max 100000\n", None, None),         # cgroup v2, no limit
    ("200000 100000\n", None, 2),         # docker run --cpus 2
    ("150000 100000\n", None, 2),         # --cpus 1.5: rounded up
    ("50000 100000\n", None, 1),
    ("-1\n", "100000\n", None),           # cgroup v1, no limit
    ("300000\n", "100000\n", 3),
    ("garbage", None, None),
])
def test_a_cfs_quota_reads_as_cpus(quota: str, period: str | None, cpus: int | None) -> None:
    assert cpu_quota(quota, period) == cpus


def test_the_quota_caps_the_affinity() -> None:
    files = {"/sys/fs/cgroup/cpu.max": "100000 100000\n"}
    assert available_cpus(files.get) == 1
    affinity = len(os.sched_getaffinity(0))
    assert available_cpus({"/sys/fs/cgroup/cpu.max": "max 100000"}.get) == affinity
    v1 = {"/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "100000",
          "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000"}
    assert available_cpus(v1.get) == 1
    assert available_cpus({}.get) == affinity


def test_pool_size_is_bounded_by_the_tasks_and_at_least_one() -> None:
    assert pool_size(3, jobs=8) == 3
    assert pool_size(100, jobs=4) == 4
    assert pool_size(0, jobs=4) == 1
    assert 1 <= pool_size(100) <= len(os.sched_getaffinity(0))
