"""Zip sizes as the CDK CLI's zip will have them, without zipping.

Each file's share of the zip (deflated bytes plus headers) is measured once per cached
tree, by node's zlib (the CLI's own) when node is there, else estimated with Python's; the
function's own files are deflated per synth. :class:`EarlyShares` measures a new tree while
the deps stage still verifies it, so the exact size is off the critical path: only what
changed after the stage marked the files final (a file verify kept, a RECORD listing it)
is deflated when the stage ends.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from ..pipeline.sizes import END_RECORD, PYTHON_ZLIB, entry_sizes, zip_share
from ..pipeline.tree import iter_files
from .cache import CacheEntry
from .zipsize import NodeDeflater

__all__ = ["EarlyShares", "ensure_zip_shares", "exact_zipped_bytes", "measure_zip_shares"]


class EarlyShares:
    """The tree's zip shares by the CDK CLI's zlib, measured while the deps stage still
    verifies the tree: node starts deflating when the stage marks the files final. Each
    file's identity (inode, size, mtime) is noted before it is read; at the end only the
    files that are new or whose identity changed since (verify's repair adds files and
    replaces a RECORD) are deflated again, so a repair no longer costs a second pass over
    the whole tree."""

    def __init__(self, deflater: NodeDeflater, tree: str, marker: str) -> None:
        self._deflater = deflater
        self._tree = tree
        self._stop = threading.Event()
        self._sizes: dict[str, int] | None = None
        self._seen: dict[str, tuple[int, int, int]] = {}
        self._seconds = 0.0
        self._thread: threading.Thread | None = None
        if deflater.engine() is not None:
            self._thread = threading.Thread(target=self._run, args=(marker,), daemon=True)
            self._thread.start()

    def _run(self, marker: str) -> None:
        while not os.path.exists(marker):
            if self._stop.wait(0.1):
                return
        started = time.monotonic()
        self._seen = {rel: _identity(st) for rel, st in iter_files(self._tree)}
        self._sizes = self._deflater.sizes(self._tree, sorted(self._seen))
        self._seconds = round(time.monotonic() - started, 3)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the early pass (the marker must exist); True once it has measured."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._sizes is not None

    def finish(self, meta: dict[str, Any] | None) -> None:
        """Stop waiting for the marker; fill ``meta``'s shares when they were measured,
        deflating now only what changed after the early pass."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        sizes, engine = self._sizes, self._deflater.engine()
        if meta is None or sizes is None or engine is None:
            return
        started = time.monotonic()
        stale = sorted(rel for rel in meta["files"] if rel not in sizes
                       or _identity(os.lstat(os.path.join(self._tree, rel)))
                       != self._seen.get(rel))
        again = self._deflater.sizes(self._tree, stale)
        if again is None:
            return
        sizes = {**sizes, **again}
        for rel in meta["files"]:
            meta["files"][rel][1] = zip_share(rel, sizes[rel])
        meta["zip_engine"] = engine
        meta.setdefault("steps", []).append(
            {"name": "zip sizes (node, while verifying)", "seconds": self._seconds})
        if stale:
            meta["steps"].append({"name": f"zip sizes (node, {len(stale)} changed after)",
                                  "seconds": round(time.monotonic() - started, 3)})


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    return st.st_ino, st.st_size, st.st_mtime_ns


def ensure_zip_shares(entry: CacheEntry, meta: dict[str, Any], deflater: NodeDeflater,
                      lock: Callable[[], AbstractContextManager[bool]]) -> dict[str, Any]:
    """The tree's meta with zip shares by the CDK CLI's zlib: measured once per tree (and
    again only if node's zlib changes), under the entry's exclusive lock."""
    wanted = deflater.engine() or PYTHON_ZLIB
    if meta.get("zip_engine", PYTHON_ZLIB) == wanted:
        return meta
    with lock():
        return measure_zip_shares(entry, deflater)


def measure_zip_shares(entry: CacheEntry, deflater: NodeDeflater) -> dict[str, Any]:
    """Set the tree's per-file zip shares to what the CDK CLI's zlib produces (node), or
    to Python's estimate without node. Returns the updated meta."""
    meta = entry.meta()
    wanted = deflater.engine() or PYTHON_ZLIB
    if meta.get("zip_engine", PYTHON_ZLIB) == wanted:
        return meta  # another build did it meanwhile
    rels = sorted(meta["files"])
    started = time.monotonic()
    sizes = deflater.sizes(entry.tree, rels) if wanted != PYTHON_ZLIB else None
    if sizes is not None:
        for rel, compressed in sizes.items():
            meta["files"][rel][1] = zip_share(rel, compressed)
    else:
        wanted = PYTHON_ZLIB
        meta["files"].update(entry_sizes(entry.tree, rels))
    meta["zip_engine"] = wanted
    meta.setdefault("steps", []).append({"name": f"zip sizes ({wanted.split(' ')[0]})",
                                         "seconds": round(time.monotonic() - started, 3)})
    entry.write_meta(meta)
    return meta


def exact_zipped_bytes(report: dict[str, Any], meta: dict[str, Any], output_dir: str,
                        prefix: str, deflater: NodeDeflater) -> None:
    """The asset's zipped size as the CDK CLI's zip will have it: the cached shares of the
    dependency files, plus the function's own files deflated by the same engine."""
    own = set(report.pop("own_files", []))
    zip_engine = meta.get("zip_engine") or PYTHON_ZLIB
    extra = 2 * len(prefix.encode("utf-8"))
    total = END_RECORD
    missing = []
    for rel in report.get("file_bytes", {}):
        inner = rel[len(prefix):]
        if rel not in own and inner in meta["files"]:
            total += meta["files"][inner][1] + extra
        else:
            missing.append(rel)
    sizes = deflater.sizes(output_dir, missing) if zip_engine != PYTHON_ZLIB else None
    if sizes is not None:
        total += sum(zip_share(rel, compressed) for rel, compressed in sizes.items())
        report["zipped_measured_with"] = zip_engine
    else:
        total += sum(v[1] for v in entry_sizes(output_dir, missing).values())
        report["zipped_measured_with"] = (
            "python zlib (an estimate: the CDK CLI's zlib may differ by about 1%)"
            if zip_engine == PYTHON_ZLIB else
            f"{zip_engine} for the dependencies, python zlib for your files (node failed)")
    report["zipped_bytes"] = total
