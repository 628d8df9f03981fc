"""Zip sizes as the CDK CLI's zip will have them, without zipping.

Each file's share of the zip (deflated bytes plus headers) is kept per cached tree: a new
tree gets a sampled estimate at once (:mod:`.zipestimate`), and the exact shares, by
node's zlib (the CLI's own) when node is there, else Python's, are measured after the
synth in the background (:mod:`.zipafter`), or at once when the figure decides the synth
(``fail_on_zipped``) or no cache keeps the tree for a next report. The function's own
files are deflated per synth.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from ..pipeline.sizes import END_RECORD, PYTHON_ZLIB, entry_sizes, zip_share
from .cache import CacheEntry
from .zipestimate import ZIP_ESTIMATE, estimate_shares
from .zipsize import NodeDeflater

__all__ = ["estimate_into", "exact_zipped_bytes", "measure_zip_shares", "zip_shares"]

Lock = Callable[[], AbstractContextManager[bool]]


def estimate_into(meta: dict[str, Any], tree: str) -> None:
    """Fill a new tree's meta with sampled zip shares (a quarter of a second on the
    seed workload, instead of ten CPU-seconds of exact deflating)."""
    started = time.monotonic()
    shares = estimate_shares(tree, {rel: v[0] for rel, v in meta["files"].items()})
    for rel, share in shares.items():
        meta["files"][rel][1] = share
    meta["zip_engine"] = ZIP_ESTIMATE
    meta.setdefault("steps", []).append(
        {"name": "zip sizes (estimate)", "seconds": round(time.monotonic() - started, 3)})


def zip_shares(entry: CacheEntry, meta: dict[str, Any], deflater: NodeDeflater, lock: Lock,
               *, exact_now: bool) -> tuple[dict[str, Any], bool]:
    """The tree's meta with zip shares, and whether its exact shares are still to be
    measured. They are measured here only when ``exact_now``; a tree without any shares
    (built before estimates existed, node failing meanwhile) is estimated here."""
    wanted = deflater.engine() or PYTHON_ZLIB
    if meta.get("zip_engine") == wanted:
        return meta, False
    if exact_now:
        return measure_zip_shares(entry, deflater, lock, when="now"), False
    if meta.get("zip_engine") is None:
        with lock():
            meta = entry.meta()
            if meta.get("zip_engine") is None:
                estimate_into(meta, entry.tree)
                entry.write_meta(meta)
    return meta, True


def measure_zip_shares(entry: CacheEntry, deflater: NodeDeflater, lock: Lock, *,
                       when: str) -> dict[str, Any]:
    """Set the tree's per-file zip shares to what the CDK CLI's zlib produces (node), or
    to Python's zlib without node. The tree is immutable, so it is read without the
    entry's lock; the lock is held only to write the meta. Returns the updated meta."""
    wanted = deflater.engine() or PYTHON_ZLIB
    meta = entry.meta()
    if meta.get("zip_engine") == wanted:
        return meta  # another build did it meanwhile
    rels = sorted(meta["files"])
    started = time.monotonic()
    sizes = deflater.sizes(entry.tree, rels) if wanted != PYTHON_ZLIB else None
    if sizes is not None:
        shares = {rel: zip_share(rel, compressed) for rel, compressed in sizes.items()}
    else:
        wanted = PYTHON_ZLIB
        shares = {rel: v[1] for rel, v in entry_sizes(entry.tree, rels).items()}
    seconds = round(time.monotonic() - started, 3)
    with lock():
        meta = entry.meta()
        if meta.get("zip_engine") == wanted or set(meta["files"]) != set(shares):
            return meta
        for rel, share in shares.items():
            meta["files"][rel][1] = share
        meta["zip_engine"] = wanted
        meta.setdefault("steps", []).append(
            {"name": f"zip sizes ({wanted.split(' ')[0]}, {when})", "seconds": seconds})
        entry.write_meta(meta)
    return meta


def exact_zipped_bytes(report: dict[str, Any], meta: dict[str, Any], output_dir: str,
                        prefix: str, deflater: NodeDeflater) -> None:
    """The asset's zipped size as the CDK CLI's zip will have it: the cached shares of the
    dependency files, plus the function's own files deflated by the CLI's engine (node)
    when it answers, else by Python's zlib. ``zipped_measured_with`` says which."""
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
    else:
        total += sum(v[1] for v in entry_sizes(output_dir, missing).values())
    report["zipped_bytes"] = total
    report["zipped_estimated"] = zip_engine == ZIP_ESTIMATE
    if zip_engine == PYTHON_ZLIB:
        report["zipped_measured_with"] = (
            "python zlib (an estimate: the CDK CLI's zlib may differ by about 1%)")
    elif zip_engine == ZIP_ESTIMATE:
        report["zipped_measured_with"] = (
            f"{ZIP_ESTIMATE} for the dependencies (within a few % of the CDK CLI's zip; "
            "exact after this synth), "
            f"{'node' if sizes is not None else 'python zlib'} for your files")
    elif sizes is not None:
        report["zipped_measured_with"] = zip_engine
    else:
        report["zipped_measured_with"] = (
            f"{zip_engine} for the dependencies, python zlib for your files (node failed)")
