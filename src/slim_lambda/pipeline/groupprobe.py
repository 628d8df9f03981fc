"""Importing verify's groups through one driver interpreter (:mod:`.verify_driver`).

The driver runs in the runtime's interpreter with the same isolation as :func:`.probe`
(``-I -B``, the environment of :func:`.child_environment`); its children fork from each
other, so it runs only where ``fork`` is the platform's own (Linux, as in every build
image). The plan and the results pass through a private directory; whatever the driver
does, each group gets a result, and a driver that overruns is killed with all it forked.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence

from .imports import ProbeResult, child_environment
from .verify_plan import Group

__all__ = ["BLAS_THREADS", "can_fork", "kill_session", "probe_groups"]

DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "verify_driver.py")
BLAS_THREADS = {name: "1" for name in (
    "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
"""Set for the driver: a process forked while a BLAS or OpenMP thread pool runs may hang
in the child; with one thread no pool is started. How many threads a library uses does
not change whether it imports."""


def can_fork() -> bool:
    """Whether the driver can run here: Linux (the build images, a Linux host)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _unfinished(names: Sequence[str], reason: str) -> ProbeResult:
    return ProbeResult(failed={n: reason for n in names})


def probe_groups(root: str, groups: Sequence[Group], *, jobs: int, python: str = sys.executable,
                 timeout: float = 300.0, extra_paths: tuple[str, ...] = ()
                 ) -> list[ProbeResult]:
    """Each group's result, in the order given. ``timeout`` bounds one group's imports;
    the whole run may take that long per level of the deepest chain, and once more."""
    if not groups:
        return []
    depth = [1] * len(groups)
    for i, group in enumerate(groups):
        if group.parent is not None:
            depth[i] = depth[group.parent] + 1
    env = {**child_environment(os.environ), **BLAS_THREADS}
    with tempfile.TemporaryDirectory(prefix="slim-verify-") as work:
        plan = os.path.join(work, "plan.json")
        with open(plan, "w", encoding="utf-8") as f:
            json.dump({"paths": [root, *extra_paths],
                       "groups": [{"names": list(g.names), "parent": g.parent}
                                  for g in groups]}, f)
        out = os.path.join(work, "results")
        os.mkdir(out)
        proc = subprocess.Popen(
            [python, "-I", "-B", DRIVER, plan, out, str(jobs), str(timeout)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd="/",
            start_new_session=True)
        try:
            _out, err = proc.communicate(timeout=timeout * (max(depth) + 1))
            reason = (err.decode("utf-8", "replace").strip().splitlines()
                      or [f"exit code {proc.returncode}"])[-1]
        except subprocess.TimeoutExpired:
            reason = f"import did not finish within {timeout:.0f} s"
        finally:
            kill_session(proc.pid)
            proc.wait()
        return [_result(out, i, g.names, reason) for i, g in enumerate(groups)]


def kill_session(sid: int) -> None:
    """Kill every process of session ``sid``: the driver and what it forked, whatever
    process group each group's process put itself in."""
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        pids = [sid]
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 3 and fields[3] == str(sid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _result(out: str, index: int, names: Sequence[str], reason: str) -> ProbeResult:
    try:
        with open(os.path.join(out, f"{index}.json"), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return _unfinished(names, f"the verify driver ended before this import: {reason}")
    return ProbeResult(ok=data["ok"], failed=data["failed"], seconds=data["seconds"],
                       files=data["files"])
