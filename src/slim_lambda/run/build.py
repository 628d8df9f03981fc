"""From a request to a built, measured, checked asset: cache → deps → assemble → finish.

The dependency tree comes from the cache when an identical one was built before (the deps
key, :func:`slim_lambda.plan.keys.deps_key`), else from the remote cache when one is set
(:mod:`.remote_use`; a tree built here is uploaded to it), else from the deps stage, built
into the cache's staging directory and committed whole. The asset is then assembled from the
tree and the sources, its zip size measured the way the CDK CLI will zip it (a new tree's
from a sample; its exact shares are measured once this build has returned, :mod:`.zipafter`),
and the report checked against the limits. No CDK here: the CLI calls :func:`build` as is, and
:mod:`slim_lambda.cdk` wraps it as CDK's ``ILocalBundling``.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..pipeline.errors import BuildError
from ..pipeline.imports import handler_imports, probe_key
from ..pipeline.sources import list_sources
from ..plan.keys import deps_key
from ..plan.request import BuildRequest
from ..report.finish import finish_report
from ..report.model import Report
from . import zipafter
from .cache import CacheEntry, DepsCache
from .container import DockerRunner
from .engine import engine_host
from .integrity import tree_hashes
from .session import Session
from .stages import assemble, build_deps
from .target import requested_mode
from .zipshares import estimate_into, exact_zipped_bytes, zip_shares

__all__ = ["build", "stderr_log"]

Log = Callable[[str], None]


def stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def build(request: BuildRequest, output_dir: str, *, runner: DockerRunner | None = None,
          log: Log = stderr_log) -> Report:
    """Build into ``output_dir`` (empty); return the checked report.

    Raises BuildError, DockerError, ConfigurationError or SizeLimitError. The caller
    owns ``output_dir`` and discards it on failure.
    """
    session = Session(request, runner or DockerRunner(), log)
    try:
        report, measure_after = _build(session, output_dir)
    finally:
        session.close()
    if measure_after is not None:  # the exact zip shares, after the synth's own work
        zipafter.start(session.cache.root, measure_after, session.remote.remote)
    return report


def _build(session: Session, output_dir: str) -> tuple[Report, str | None]:
    """The report, and the key whose exact zip shares are to be measured after it."""
    request, cache = session.request, session.cache
    built: CacheEntry | None = None
    imports: list[str] = []
    if request.copy_sources:
        imports = own_imports(request)
    key = deps_key(request, session.target)
    cache_info: dict[str, Any] = {"key": key[:16], "path": cache.root,
                                  "enabled": request.bundling.cache}
    # one lock from lookup to link: prune never removes an entry in between
    with cache.lock(key, exclusive=False):
        entry = cache.lookup(key)
        if entry is not None:
            cache_info["hit"] = True
            session.progress(f"dependencies from the cache ({key[:16]})")
            meta = entry.meta()
            report = assemble(session, entry.tree, entry.meta_path, meta, output_dir, imports)
    if entry is None:
        with cache.lock(key):
            entry = cache.lookup(key, discard=session.log)
            if entry is None:
                entry = session.remote.fetch(cache, key)
            cache_info["hit"] = entry is not None
            if entry is None:
                entry = built = _build_entry(session, cache, key, imports)
            meta = entry.meta()
            report = assemble(session, entry.tree, entry.meta_path, meta, output_dir, imports)
    measure_after = None
    if request.kind == "image":  # never zipped: no zip size to measure
        report["zipped_bytes"] = None
    else:  # after assembling, so that node's start-up overlapped it
        started = time.monotonic()
        # exact now only when the figure decides the synth, or no cache keeps the tree
        meta, later = zip_shares(entry, meta, session.deflater, lambda: cache.lock(key),
                                 exact_now=request.limits.fail_on_zipped
                                 or not request.bundling.cache)
        measure_after = key if later else None
        exact_zipped_bytes(report, meta, output_dir, request.prefix, session.deflater)
        report.setdefault("steps", []).append(
            {"name": "zip size", "seconds": round(time.monotonic() - started, 3)})
    probe = report.pop("probe", None)
    if probe is not None:
        with cache.lock(key):
            meta = entry.meta()
            meta.setdefault("probes", {})[probe_key(probe["modules"])] = probe
            entry.write_meta(meta)
    if built is not None:  # complete, with its zip shares and probes
        with cache.lock(key, exclusive=False):
            session.remote.upload(built)
    cache_info["remote"] = session.remote.state
    cache_info["remote_bytes"], cache_info["remote_seconds"] = session.remote.transferred
    report["steps"] += session.remote.steps
    report["notices"] += session.remote.notices
    report["warnings"] += session.remote.warnings
    cache.prune(keep=key)
    report["mode"] = session.mode
    if session.mode == "local" and requested_mode(request) == "auto":
        report["notices"].append(
            f"local mode: no Docker engine answered at {engine_host(os.environ).host} "
            "(bundling.mode='auto'), so uv installed wheels on this host and what it cannot "
            "do for the target was skipped; start Docker, or set SLIM_LAMBDA_MODE=docker to "
            "require it")
    if session.access is not None and session.access.mode == "copy":
        report["notices"].append(
            f"file access by copy: {session.access.reason}; the build's inputs and outputs "
            "went through the Docker API instead of bind mounts")
    report["image_id"] = session.target.image_id
    report["cache"] = cache_info
    return finish_report(request, report, session.log), measure_after


def own_imports(request: BuildRequest) -> list[str]:
    """The third-party modules the function's own code imports: the entry's and the extra
    sources' files, minus the names those ship under."""
    exclude = request.bundling.exclude
    extra_tops = {s.dest.split("/")[0] for s in request.extra_sources}
    found = handler_imports(request.entry, list_sources(request.entry, exclude))
    for source in request.extra_sources:
        found += handler_imports(source.path, list_sources(source.path, exclude))
    return [m for m in dict.fromkeys(found) if m.split(".")[0] not in extra_tops]


def _build_entry(session: Session, cache: DepsCache, key: str, imports: list[str]
                 ) -> CacheEntry:
    """Run the deps stage into a staging directory and commit it as the key's entry;
    nothing half-built ever becomes an entry."""
    request = session.request
    image = f", {request.image}" if session.mode == "docker" else ""
    session.progress(f"building dependencies ({session.mode} mode{image})")
    staging = cache.staging(key)
    staged = CacheEntry(key, staging)
    try:
        os.mkdir(staged.tree, 0o700)  # the container runs as this user: no one else writes
        meta = build_deps(session, staged.tree, imports)
        with ThreadPoolExecutor(max_workers=1) as pool:  # both only read the finished tree
            hashing = pool.submit(tree_hashes, staged.tree)
            estimate_into(meta, staged.tree)  # sampled zip shares, for this report
            hashes = hashing.result()
        meta["label"] = request.label
        os.chmod(staged.tree, 0o755)
        staged.write_meta(meta)
        return cache.commit(key, staging, hashes)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError.from_os_error("deps", e) from e
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
