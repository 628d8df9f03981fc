"""``slim-lambda cache push|pull|info --remote``: warm a team's remote cache by hand.

A workstation that built the trees pushes them once, and every CI runner starts warm; a
laptop pulls what CI built before going offline. The same verbs as a synth's
(:mod:`slim_lambda.run.remote`), so a pushed entry is exactly what a synth would upload.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable

from .errors import ConfigurationError
from .plan.remote import REMOTE_ENV, WRITE_ENV, remote_cache, remote_problems
from .run.cache import DepsCache
from .run.remote import BadEntry, fetch_entry, upload_entry
from .run.remote_store import S3Store

__all__ = ["remote_command"]

Say = Callable[[str], None]


def _stderr(line: str) -> None:
    print(f"slim-lambda: {line}", file=sys.stderr, flush=True)


def _store(url: str | None, action: str) -> S3Store:
    url = url or os.environ.get(REMOTE_ENV)
    where = f"slim-lambda cache {action} --remote"
    if not url:
        raise ConfigurationError(where, [f"no remote cache: give --remote s3://BUCKET/PREFIX "
                                         f"or set {REMOTE_ENV}"])
    if problems := remote_problems(url):
        raise ConfigurationError(where, problems)
    remote = remote_cache(url)
    assert remote is not None
    if action == "push" and not remote.write:
        raise ConfigurationError(where, [f"{WRITE_ENV}=0 makes {url} read-only"])
    return S3Store(remote)


def _matching(keys: list[str], wanted: list[str]) -> list[str]:
    """``keys`` that start with one of ``wanted`` (all of them when none is wanted)."""
    return [k for k in keys if not wanted or any(k.startswith(w) for w in wanted)]


def remote_command(action: str, url: str | None, wanted: list[str], cache: DepsCache, *,
                   as_json: bool = False, say: Say = _stderr) -> int:
    """Run ``cache ACTION --remote``; returns the exit status."""
    if action not in ("info", "push", "pull"):
        raise ConfigurationError(f"slim-lambda cache {action}", [
            "--remote works with push, pull and info; prune, clear and verify act on the "
            "local cache (an S3 lifecycle rule ages the remote's entries)"])
    store = _store(url, action)
    remote = store.remote
    if action == "info":
        entries = list(store.manifests())
        if as_json:
            print(json.dumps({"url": remote.url, "entries": [
                {"key": k, "bytes": size, "uploaded": when} for k, size, when in entries]},
                indent=2))
            return 0
        print(f"remote cache: {remote.url}: {len(entries)} entries, "
              f"{sum(size for _k, size, _w in entries) / 1048576:.1f} MiB")
        for key, size, uploaded in reversed(entries):
            when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(uploaded))
            print(f"  {key[:16]}  {size / 1048576:8.1f} MiB  {when} UTC")
        return 0
    failed = 0
    if action == "push":
        for key in _matching([e.key for e, _s, _u in cache.entries()], wanted):
            with cache.lock(key, exclusive=False):
                entry = cache.lookup(key)
                if entry is None:
                    continue
                try:
                    transfer = upload_entry(store, entry, say)
                except BadEntry as e:
                    say(f"{key[:16]} not pushed: {e}")
                    failed += 1
                    continue
            say(f"{key[:16]} {transfer.describe(remote.url).removeprefix('cache: ')}")
        return 1 if failed else 0
    for key in _matching([k for k, _s, _w in store.manifests()], wanted):
        with cache.lock(key):
            if cache.lookup(key) is not None:
                say(f"{key[:16]} is in {cache.root} already")
                continue
            try:
                _entry, fetched = fetch_entry(store, cache, key, say)
            except BadEntry as e:
                say(f"{key[:16]} not pulled: {e}")
                failed += 1
                continue
        if fetched is not None:
            say(f"{key[:16]} {fetched.describe(remote.url).removeprefix('cache: ')}")
    return 1 if failed else 0
