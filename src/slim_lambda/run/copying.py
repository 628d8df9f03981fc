"""A stage by copy (``file_access='copy'``): its shares go into the created container as one
tar, its result and output come back the same way, and what it cost is a step.

The work directory returns only ``result.json``; the output returns only when the stage
succeeded, into the caller's directory (the cache's private staging tree, CDK's asset
directory), which the caller already discards on failure: nothing half-copied is kept.
The pip and uv download caches are a Docker volume each per user (:func:`cache_volume`):
they live with the engine, as they must when the engine is elsewhere.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .archive import Share, list_share, plan_archive
from .container_spec import Fetch, Transfer
from .tarstream import extract_tar, tar_stream

__all__ = ["CopiedStage", "cache_volume", "user_id"]

RESULT = "result.json"


def user_id(user: str | None) -> int:
    """The uid of a container ``user`` (``uid:gid``); None runs as the image's root."""
    return int(user.split(":")[0]) if user else 0


def cache_volume(cache: str, uid: int) -> str:
    """The engine-side download cache (``pip_cache`` or ``uv_cache``) of builds that run as
    ``uid`` (a new volume takes the owner of the directory it is mounted on: one per user
    keeps it writable)."""
    return f"slim-lambda-{cache.replace('_', '-')}-{uid}"


@dataclass
class CopiedStage:
    """One stage run's :class:`Transfer`, and the steps it took."""

    shares: Sequence[Share]
    uid: int
    work: tuple[str, str]
    """(host, container) work directory."""
    output: tuple[str, str]
    """(host, container) output directory."""
    steps: list[dict[str, Any]] = field(default_factory=list)

    def transfer(self) -> Transfer:
        return Transfer(upload=self._upload, collect=self._collect)

    def _upload(self) -> Iterator[bytes]:
        started = time.monotonic()
        items = plan_archive(((s, list_share(s)) for s in self.shares), self.uid)
        total = 0
        for chunk in tar_stream(items):
            total += len(chunk)
            yield chunk
        files = sum(item.kind == "file" for item in items)
        self._step(f"copy into the container ({files:,} files, {total / 1e6:.1f} MB)",
                   started)

    def _collect(self, fetch: Fetch) -> None:
        started = time.monotonic()
        host_work, seen_work = self.work
        if not self._extract(fetch(f"{seen_work}/{RESULT}"), host_work, ""):
            return  # read_result explains a stage that stopped before writing one
        with open(os.path.join(host_work, RESULT), encoding="utf-8") as f:
            if "error" in json.load(f):
                return
        host_output, seen_output = self.output
        written = self._extract(fetch(seen_output), host_output,
                                os.path.basename(seen_output.rstrip("/")))
        self._step(f"copy out of the container ({written / 1e6:.1f} MB)", started)

    @staticmethod
    def _extract(chunks: Iterable[bytes] | None, dest: str, top: str) -> int:
        return 0 if chunks is None else max(1, extract_tar(chunks, dest, top))

    def _step(self, name: str, started: float) -> None:
        self.steps.append({"name": name, "seconds": round(time.monotonic() - started, 3)})
