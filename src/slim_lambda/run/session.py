"""One build's resolved context: the request, the environment and its redactor, the mode and
target, the cache and its remote, the zip engine, and the log lines people see.

Built first thing in :func:`slim_lambda.run.build.build`; node's start-up (the zip engine)
is begun before anything else so that it runs on another core meanwhile.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace

from ..plan.request import BuildRequest
from ..plan.resolution_env import resolution_settings
from .access import Access, choose_access, learn_blind, requested_access
from .cache import DepsCache, default_cache_dir
from .container import DockerRunner
from .engine import engine_host
from .environment import build_environment
from .remote_use import RemoteUse, build_remote, warm_ahead
from .target import resolve_mode, resolve_target
from .zipsize import NodeDeflater

__all__ = ["PROGRESS_ENV", "Session"]

Log = Callable[[str], None]
PROGRESS_ENV = "SLIM_LAMBDA_PROGRESS"


def show_progress() -> bool:
    """Steps and packages with their elapsed time: on, but quiet in CI unless
    ``SLIM_LAMBDA_PROGRESS=1``; ``0`` turns it off everywhere."""
    setting = os.environ.get(PROGRESS_ENV)
    return (setting != "0") if setting is not None else not os.environ.get("CI")


class Session:
    """Everything one build resolved before it starts work. Close it."""

    def __init__(self, request: BuildRequest, docker: DockerRunner, log: Log) -> None:
        b = request.bundling
        warm_ahead(b)  # while the rest of this and the key are computed
        self.deflater = NodeDeflater()
        self.docker = docker
        self.env = build_environment(request.bundling)
        # the deps key names what the install sees of this environment
        self.request = replace(request, resolution=resolution_settings(self.env.variables))
        self._log = log
        self._requested_access = requested_access(request.bundling)
        self.access: Access | None = None
        """How this build's containers got their files; None while none ran."""
        self._started = time.monotonic()
        self._progress = show_progress()
        try:
            # a pinned request runs in the mode its asset hash names
            self.mode = (request.pinned.mode if request.pinned is not None
                         else resolve_mode(request, docker))
            self.target = resolve_target(request, self.mode, docker, self.log)
        except BaseException:
            self.deflater.close()
            raise
        self._tmp_cache: str | None = None
        if b.cache:
            root = default_cache_dir(b.cache_dir)
        else:
            self._tmp_cache = root = tempfile.mkdtemp(prefix="slim-lambda-nocache-")
        self.cache = DepsCache(root, max_bytes=b.cache_max_bytes)
        self.remote = RemoteUse(build_remote(b), self.progress)

    def log(self, line: str) -> None:
        self._log(self.env.redact(line))

    def progress(self, line: str) -> None:
        """A step, a package being installed: with the elapsed time and the label."""
        if self._progress and line.strip():
            elapsed = time.monotonic() - self._started
            label = self.request.label or os.path.basename(self.request.entry)
            self.log(f"slim-lambda [{elapsed:5.1f}s {label}] {line.strip()}")

    def file_access(self) -> str:
        """``bind`` or ``copy`` (:mod:`.access`): decided when the first container needs
        it, so a build that runs none never asks."""
        if self.access is not None:
            return self.access.mode
        requested, named_by = self._requested_access
        return self._decided(choose_access(requested, engine_host(os.environ).host,
                                           named_by)).mode

    def _decided(self, access: Access) -> Access:
        """``access`` from now on, said once in the progress lines."""
        self.access = access
        self.progress(f"file access by {access.mode}: {access.reason}")
        return access

    def unseen(self) -> bool:
        """A container did not see this host's files. Where ``auto`` only assumed it would,
        this build and this process copy from now on (True: run the stage again by copy);
        else (``bind`` asked for) the error stands."""
        if self.access is None or not self.access.assumed:
            return False
        self._decided(learn_blind(engine_host(os.environ).host))
        return True

    @property
    def copies_sources(self) -> bool:
        """A project installed as a package brings its code itself."""
        return self.request.copy_sources and not self.request.plan.project

    def close(self) -> None:
        self.deflater.close()
        if self._tmp_cache:
            shutil.rmtree(self._tmp_cache, ignore_errors=True)
