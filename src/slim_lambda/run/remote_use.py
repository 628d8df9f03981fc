"""What one build does with the remote cache, and what each failure means to it.

On a local miss the build asks the remote; after building a tree itself it uploads it
(unless the remote is read-only). A remote that fails (down, denied, slow) is one warning
and a local build, or an error when the remote is required; a remote that failed once is
not asked again by this process, so a synth of fifty functions waits for one timeout, not
fifty. An entry that fails a check is one notice and a local build: bad bytes never ship.
The report gets the transfers as notices and steps, and ``cache.remote`` says what
happened (``hit``, ``miss``, ``uploaded``, ``present``, ``read-only``, ``bad``,
``failed``; "" without a remote).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..errors import RemoteCacheError
from ..options import BundlingOptions
from ..plan.remote import REQUIRED_ENV, WRITE_ENV, RemoteCache, remote_cache
from ..report.parts import Step
from .cache import CacheEntry, DepsCache, default_cache_dir, has_entries
from .remote import BadEntry, fetch_entry, upload_entry
from .remote_store import S3Store, warm_client

__all__ = ["FETCH_STEP", "UPLOAD_STEP", "RemoteUse", "build_remote", "warm_ahead"]

FETCH_STEP = "remote cache fetch"
UPLOAD_STEP = "remote cache upload"
"""The report's step that packs, checks and PUTs a new entry."""

_FAILED: dict[str, str] = {}
"""Remote URL → the failure that made this process stop asking it."""


def build_remote(bundling: BundlingOptions) -> RemoteCache | None:
    """The remote cache a build with these options uses; None without one (or without a
    cache: a build with ``cache=False`` neither fetches nor uploads)."""
    return (remote_cache(bundling.remote_cache, bundling.remote_cache_required)
            if bundling.cache else None)


def warm_ahead(bundling: BundlingOptions) -> None:
    """On a fresh runner (a remote, and a local cache with no entries) make the S3 client
    on a thread now, while the caller hashes its inputs: its build will ask the remote.
    Never for a cache that may hit locally: there boto3 would be loaded for nothing (on a
    local hit that cost 0.3 s)."""
    if build_remote(bundling) is not None and \
            not has_entries(default_cache_dir(bundling.cache_dir)):
        warm_client()


class RemoteUse:
    """The remote cache of one build (None: no remote, every call does nothing)."""

    def __init__(self, remote: RemoteCache | None, say: Callable[[str], None],
                 store: S3Store | None = None) -> None:
        self.remote = remote
        self.store = store or (S3Store(remote) if remote is not None else None)
        self._say = say
        self.state = ""
        self.notices: list[str] = []
        self.warnings: list[str] = []
        self.steps: list[Step] = []
        self.transferred: tuple[int, float] = (0, 0.0)
        """Bytes and seconds of what this build moved."""

    def _failed(self, e: RemoteCacheError) -> None:
        assert self.remote is not None
        if self.remote.required:
            raise RemoteCacheError(
                f"{e}. The remote cache is required (bundling.remote_cache_required or "
                f"{REQUIRED_ENV}=1): fix the credentials, the bucket or the network, or "
                "drop the requirement to build locally instead") from e
        _FAILED[self.remote.url] = str(e)
        self.state = "failed"
        self.warnings.append(f"{e}; built locally without the remote cache")

    def _usable(self) -> bool:
        if self.remote is None or self.store is None:
            return False
        if self.remote.url in _FAILED:
            if self.state != "failed":  # failed for an earlier build: one warning each
                self._failed(RemoteCacheError(f"{_FAILED[self.remote.url]} (earlier in this "
                                              "process; not asked again)"))
            return False
        return True

    def fetch(self, cache: DepsCache, key: str) -> CacheEntry | None:
        """The key's entry from the remote, committed locally, or None (the caller holds
        the key's exclusive lock)."""
        if not self._usable():
            return None
        assert self.remote is not None and self.store is not None
        started = time.monotonic()
        self._say(f"dependencies not cached here; asking {self.remote.url}")
        try:
            entry, transfer = fetch_entry(self.store, cache, key, self._say)
        except RemoteCacheError as e:
            self._failed(e)
            return None
        except BadEntry as e:
            self.state = "bad"
            self.notices.append(
                f"cache: the remote entry {key[:16]} at {self.remote.url} was ignored: {e}; "
                f"built locally. Delete s3://{self.remote.bucket}/"
                f"{self.remote.manifest_key(key)} and the next build uploads a good one")
            return None
        self.steps.append({"name": FETCH_STEP,
                           "seconds": round(time.monotonic() - started, 3)})
        if entry is None or transfer is None:
            self.state = "miss"
            return None
        self.state = "hit"
        self.transferred = (transfer.bytes, transfer.seconds)
        self.notices.append(transfer.describe(self.remote.url))
        return entry

    def upload(self, entry: CacheEntry) -> None:
        """Upload an entry this build made (the caller holds a lock on its key)."""
        if not self._usable():
            return
        assert self.remote is not None and self.store is not None
        if not self.remote.write:
            self.state = "read-only"
            self.notices.append(f"cache: not uploaded to {self.remote.url} ({WRITE_ENV}=0)")
            return
        started = time.monotonic()
        try:
            transfer = upload_entry(self.store, entry, self._say)
        except RemoteCacheError as e:
            self._failed(e)
            return
        except BadEntry as e:
            self.warnings.append(f"cache: not uploaded to {self.remote.url}: {e}")
            return
        self.steps.append({"name": UPLOAD_STEP,
                           "seconds": round(time.monotonic() - started, 3)})
        if self.state in ("", "miss"):  # a bad remote entry stays the news
            self.state = transfer.outcome
        self.transferred = (transfer.bytes, transfer.seconds)
        self.notices.append(transfer.describe(self.remote.url))
