"""The remote cache's two verbs: fetch an entry into the local cache, upload one from it.

The remote key is the local key. A fetch reads the manifest, streams the object it names
into the key's private staging directory, unpacking its frames, as the manifest lists
them, while it arrives (:mod:`.remote_pack`: no name is read from the object), checks the
whole object's size and sha256, checks the entry as a local lookup would, and only then
commits it through the cache's one atomic commit, with the exact zip shares published
beside it when there are some (:mod:`.remote_shares`). An upload
packs the entry, puts the object under a name no other upload uses, then creates the
manifest only if none exists: the first complete upload wins, a reader never mixes two,
and the loser deletes its object. Nothing here decides what a failure means to a build:
:class:`~slim_lambda.errors.RemoteCacheError` (the remote failed) and :class:`BadEntry`
(the remote's entry is not what its manifest says) go to the caller.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .cache import CacheEntry, DepsCache
from .integrity import HASHES
from .remote_manifest import Manifest, read_manifest
from .remote_pack import pack_entry, unpack_entry
from .remote_shares import apply_shares
from .remote_store import Meter, S3Store, Stream

__all__ = ["BadEntry", "Transfer", "fetch_entry", "upload_entry"]

Say = Callable[[str], None]


class BadEntry(Exception):
    """The remote's entry for a key failed a check; it is ignored."""


@dataclass(frozen=True)
class Transfer:
    """What moved: the object's bytes, the seconds it took, and what happened."""

    outcome: str
    """``hit``, ``uploaded``, ``present`` (someone uploaded it first) or ``refused``."""
    bytes: int = 0
    seconds: float = 0.0

    def describe(self, url: str) -> str:
        size = (f"{self.bytes / 1e6:.1f} MB" if self.bytes >= 100_000 else
                f"{self.bytes / 1e3:.1f} kB")
        speed = (f", {self.bytes / 1e6 / self.seconds:.1f} MB/s" if self.seconds >= 0.1
                 else "")
        moved = f": {size} in {self.seconds:.1f} s{speed}"
        return {"hit": f"cache: remote hit from {url}{moved}",
                "uploaded": f"cache: uploaded to {url}{moved}",
                "present": f"cache: {url} has this entry already (another build uploaded it "
                           "first)"}.get(self.outcome, f"cache: remote {self.outcome}")


class _Checked:
    """The object's bytes as they stream in: hashed, counted, metered; no more than the
    manifest names are read."""

    def __init__(self, body: Stream, manifest: Manifest, meter: Meter) -> None:
        self.body, self.limit, self.meter = body, manifest.object_bytes, meter
        self.sha, self.bytes = hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.body.read(n if n >= 0 else 1 << 20)
        self.sha.update(data)
        self.bytes += len(data)
        self.meter(len(data))
        if self.bytes > self.limit:
            raise ValueError(f"the object is larger than the {self.limit:,} bytes its "
                             "manifest names")
        return data

    def rest(self) -> None:
        while self.read(1 << 20):
            pass


def fetch_entry(store: S3Store, cache: DepsCache, key: str, say: Say
                ) -> tuple[CacheEntry | None, Transfer | None]:
    """The key's entry from the remote, committed to ``cache`` (the caller holds the key's
    exclusive lock); (None, None) when the remote has none. Raises BadEntry or
    RemoteCacheError; a bad entry never reaches the cache."""
    remote = store.remote
    data = store.get(remote.manifest_key(key))
    if data is None:
        return None, None
    try:
        manifest = read_manifest(json.loads(data), key, remote.entry_prefix(key))
    except ValueError as e:
        raise BadEntry(f"its manifest is not usable: {e}") from e
    staging = cache.staging(key)
    try:
        transfer = _download(store, manifest, staging, say)
        problem = CacheEntry(key, staging).problem()
        if problem is not None:
            raise BadEntry(f"the unpacked entry is broken: {problem}")
        checked = {r.path.removeprefix("tree/"): r.sha256 for r in manifest.records.values()
                   if r.kind == "file" and r.path.startswith("tree/")}
        entry = cache.commit(key, staging, checked)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    apply_shares(store, entry)
    return entry, transfer


def _download(store: S3Store, manifest: Manifest, staging: str, say: Say) -> Transfer:
    """Stream the object into ``staging``, unpacking as it arrives (one pass, no copy on
    disk), then check its size and sha256: nothing is committed before both checks."""
    meter = Meter(f"downloading {manifest.key[:16]}", manifest.object_bytes, say)
    stream = store.open(manifest.object)
    source: Any = _Checked(stream, manifest, meter)
    problem = None
    try:
        unpack_entry(source, staging, manifest)
        source.rest()
    except ValueError as e:
        problem = str(e)
    finally:
        stream.close()
    if source.bytes != manifest.object_bytes or source.sha.hexdigest() != \
            manifest.object_sha256:
        raise BadEntry(f"its object is not the {manifest.object_bytes:,} bytes its manifest "
                       "names, or has another sha256 (truncated or altered)")
    if problem is not None:
        raise BadEntry(f"its object does not match its manifest: {problem}")
    return Transfer("hit", source.bytes, meter.seconds)


def upload_entry(store: S3Store, entry: CacheEntry, say: Say) -> Transfer:
    """Upload a committed entry unless the remote has it; the caller holds a lock on the
    key. Raises RemoteCacheError, or BadEntry when the local entry is not as sealed."""
    remote = store.remote
    if store.exists(remote.manifest_key(entry.key)):
        return Transfer("present")
    try:
        with open(os.path.join(entry.path, HASHES), encoding="utf-8") as f:
            sealed: dict[str, str] = json.load(f)
    except (OSError, ValueError) as e:
        raise BadEntry(f"the local entry has no readable {HASHES}") from e
    with tempfile.NamedTemporaryFile(prefix="slim-lambda-upload-") as f:
        try:
            records, frames, size, sha = pack_entry(entry.path, f, sealed)
        except ValueError as e:
            raise BadEntry(f"the local entry is not as built: {e}") from e
        f.flush()
        manifest = Manifest(entry.key, remote.object_key(entry.key, uuid.uuid4().hex), size,
                            sha, {r.path: r for r in records}, tuple(frames))
        meter = Meter(f"uploading {entry.key[:16]}", size, say)
        store.upload(f.name, manifest.object, meter)
    body = json.dumps(manifest.to_json(), sort_keys=True).encode()
    if store.create(remote.manifest_key(entry.key), body):
        return Transfer("uploaded", size, meter.seconds)
    store.delete(manifest.object)  # another upload completed first: theirs stays
    return Transfer("present", size, meter.seconds)
