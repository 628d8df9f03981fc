"""Run by path in the runtime's interpreter: import groups of modules, each in a process
forked from the one that imported the distributions its own distribution requires.

Importing scikit-learn's 30 subpackages in a fresh interpreter imports scipy and numpy
again, and each of those in its own interpreter imports numpy again: most of verify's time
was spent importing the same modules over and over. Here a group's process, once its own
modules are imported, forks the groups that start from it, so scipy's group begins with
numpy already imported and scikit-learn's with both. A forked child sees only modules that
were imported from the same finished tree, so it cannot hide a file slimming removed.

Standard library only, no package imports of ours, Python 3.10+: this file runs in build
images with whatever the runtime ships. Arguments: the plan (JSON: ``paths`` put first on
``sys.path``; ``groups``, each ``names`` and the index of its ``parent`` or null, parents
listed before their children), the results directory, the number of groups importing at
once, and the seconds one group may take. Each group's result is ``<index>.json`` in the
results directory: ``ok``, ``failed`` (name → traceback tail), ``seconds``, ``files``.
A group that dies is reported by the process that forked it; a group whose parent did not
import its first module is run again from this process, which imports nothing.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import signal
import sys
import time
import traceback
import warnings
from typing import Any

POLL = 0.05
"""Seconds between looks at the children while waiting for a token."""


def _write(out_dir: str, index: int, result: dict[str, Any]) -> None:
    path = os.path.join(out_dir, f"{index}.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(result, f)
    os.replace(path + ".tmp", path)


def _done(out_dir: str, index: int) -> bool:
    return os.path.exists(os.path.join(out_dir, f"{index}.json"))


def _import(root: str, names: list[str], timeout: float) -> dict[str, Any]:
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # a parent's module may have set one
    signal.alarm(max(1, int(timeout)))
    out: dict[str, Any] = {"ok": [], "failed": {}, "seconds": 0.0, "files": []}
    start = time.perf_counter()
    for name in names:
        try:
            importlib.import_module(name)
            out["ok"].append(name)
        except BaseException as e:  # SystemExit and KeyboardInterrupt too: a module raised it
            tb = traceback.format_exception(type(e), e, e.__traceback__)
            out["failed"][name] = "".join(tb[-6:]).strip()
    out["seconds"] = time.perf_counter() - start
    signal.alarm(0)
    prefix = root.rstrip("/") + "/"
    for mod in list(sys.modules.values()):
        f = getattr(mod, "__file__", None)
        if isinstance(f, str) and f.startswith(prefix):
            out["files"].append(f[len(prefix):])
    return out


def _death(status: int, timeout: float) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGALRM:
            return f"import did not finish within {timeout:.0f} s"
        return f"the interpreter died with signal {sig} ({signal.Signals(sig).name})"
    return f"the interpreter exited with code {os.WEXITSTATUS(status)} while importing"


class Driver:
    def __init__(self, plan: dict[str, Any], out_dir: str, jobs: int, timeout: float) -> None:
        self.root: str = plan["paths"][0]
        self.groups: list[dict[str, Any]] = plan["groups"]
        self.out_dir, self.timeout = out_dir, timeout
        self.children: dict[int, list[int]] = {i: [] for i in range(len(self.groups))}
        for i, group in enumerate(self.groups):
            if group["parent"] is not None:
                self.children[group["parent"]].append(i)
        self.tokens_r, self.tokens_w = os.pipe()
        os.set_blocking(self.tokens_r, False)
        os.write(self.tokens_w, b"t" * jobs)

    def _acquire(self, wait: float | None) -> bool:
        """Take a token (a group may import), waiting at most ``wait`` seconds for one
        (None: as long as it takes)."""
        select.select([self.tokens_r], [], [], wait)
        try:  # another process may have taken it meanwhile: the read end never blocks
            return os.read(self.tokens_r, 1) == b"t"
        except BlockingIOError:
            return False

    def _release(self) -> None:
        os.write(self.tokens_w, b"t")

    def _run_group(self, index: int) -> None:
        """In the forked child: import, report, then serve the groups that start here."""
        names = self.groups[index]["names"]
        result = _import(self.root, names, self.timeout)
        _write(self.out_dir, index, result)
        self._release()
        if names[0] in result["ok"] and self.children[index]:
            self.serve(self.children[index])

    def _fork(self, index: int, new_group: bool) -> int:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                if new_group:
                    os.setpgid(0, 0)
                self._run_group(index)
            except BaseException:
                code = 70
            finally:
                os._exit(code)
        if new_group:
            with contextlib.suppress(OSError):
                os.setpgid(pid, pid)
        return pid

    def _reaped(self, index: int, pid: int, status: int, new_group: bool) -> None:
        if new_group:  # what a dead group's process left behind ends with it
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        if not _done(self.out_dir, index):
            self._release()  # it died holding its token
            reason = _death(status, self.timeout)
            names = self.groups[index]["names"]
            _write(self.out_dir, index, {"ok": [], "failed": {n: reason for n in names},
                                         "seconds": 0.0, "files": []})

    def serve(self, indices: list[int], *, new_groups: bool = False) -> None:
        """Fork each group in ``indices`` from this process as tokens allow; wait for them
        all. Waiting for a token, it reaps: a child that died holds one only until then."""
        pids: dict[int, int] = {}
        pending = list(indices)
        while pending or pids:
            if pending and self._acquire(POLL if pids else None):
                index = pending.pop(0)
                pids[self._fork(index, new_groups)] = index
                continue
            if not pids:
                continue
            pid, status = os.waitpid(-1, os.WNOHANG if pending else 0)
            if pid in pids:  # not one a module started while it was imported
                self._reaped(pids.pop(pid), pid, status, new_groups)

    def run(self) -> None:
        """Waves from this bare process: first the groups that start from nothing, then
        those whose parent could not serve them, until every group has its result."""
        while True:
            todo = [i for i, group in enumerate(self.groups) if not _done(self.out_dir, i)
                    and (group["parent"] is None or _done(self.out_dir, group["parent"]))]
            if not todo:
                return
            self.serve(todo, new_groups=True)


def main(argv: list[str]) -> None:
    plan_path, out_dir, jobs, timeout = argv[1], argv[2], int(argv[3]), float(argv[4])
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    sys.path[0:0] = plan["paths"]
    # a process with threads forks with a warning on 3.12+; the children run no threads
    # of ours, and the BLAS pools the environment limits to one thread
    warnings.filterwarnings("ignore", message=r".*fork\(\)", category=DeprecationWarning)
    Driver(plan, out_dir, max(1, jobs), timeout).run()


if __name__ == "__main__":
    main(sys.argv)
