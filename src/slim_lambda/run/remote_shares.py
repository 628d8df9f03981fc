"""A remote entry's exact zip shares, published beside it once measured.

An entry is uploaded as soon as it is built, with its zip shares estimated (the exact ones
are measured after the synth, :mod:`.zipafter`), and it is immutable once its manifest
exists. So without this every runner that downloads it measured the exact shares again
after its own synth: 3 to 4 CPU-seconds on the seed workload, thrown away with an
ephemeral CI machine. The machine that measures them (the uploader's background
measurement, or any runner's that may write) creates ``shares-v2.json`` beside the
manifest if none is there; a runner that fetches the entry takes them when they are for
its key and its tree's files, so its report is exact at once and nothing runs after its
synth. Shares are only the zipped-size figure (never what ships); shares that are not
plausible for their files' sizes are refused, and a runner whose zip engine (its node)
differs still measures its own.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import RemoteCacheError
from ..plan.remote import RemoteCache
from .cache import CacheEntry
from .remote_store import S3Store
from .zipestimate import ZIP_ESTIMATE

__all__ = ["apply_shares", "publish_shares", "read_shares", "shares_doc"]


def shares_doc(key: str, meta: dict[str, Any]) -> bytes | None:
    """The document of an entry's measured shares; None while they are an estimate."""
    engine = meta.get("zip_engine")
    if not isinstance(engine, str) or engine == ZIP_ESTIMATE:
        return None
    shares = {rel: v[1] for rel, v in sorted(meta["files"].items())}
    return json.dumps({"key": key, "zip_engine": engine, "shares": shares},
                      sort_keys=True).encode()


def read_shares(data: object, key: str, files: dict[str, list[int]]) -> tuple[str, dict[str, int]]:
    """``(zip engine, shares)`` of a document, checked to be for ``key`` and for exactly
    ``files`` (rel → [size, share]), each share plausible for its file's size (at least
    its headers, at most stored plus headers); ValueError otherwise."""
    if not isinstance(data, dict) or data.get("key") != key:
        raise ValueError("not the shares of this key")
    engine, shares = data.get("zip_engine"), data.get("shares")
    if not isinstance(engine, str) or engine == ZIP_ESTIMATE or not engine:
        raise ValueError("no zip engine")
    if not isinstance(shares, dict) or set(shares) != set(files):
        raise ValueError("not the shares of this tree's files")
    for rel, share in shares.items():
        headers = 2 * len(rel.encode("utf-8"))
        if not isinstance(share, int) or not headers < share <= files[rel][0] + headers + 1024:
            raise ValueError(f"the share of {rel} is not plausible")
    return engine, shares


def apply_shares(store: S3Store, entry: CacheEntry) -> bool:
    """Take the remote's exact shares for a just-fetched entry (the caller holds its
    key's exclusive lock); False when there are none usable (the shares stay the entry's
    estimate, measured after the synth as before)."""
    try:
        data = store.get(store.remote.shares_key(entry.key))
        if data is None:
            return False
        meta = entry.meta()
        engine, shares = read_shares(json.loads(data), entry.key, meta["files"])
    except (RemoteCacheError, ValueError, KeyError, OSError):
        return False
    for rel, share in shares.items():
        meta["files"][rel][1] = share
    meta["zip_engine"] = engine
    entry.write_meta(meta)
    return True


def publish_shares(remote: RemoteCache, entry: CacheEntry) -> bool:
    """Create the remote's shares of an entry whose exact shares are measured, unless it
    has them; False when there was nothing to publish or the remote refused."""
    if not remote.write:
        return False
    body = shares_doc(entry.key, entry.meta())
    if body is None:
        return False
    store = S3Store(remote)
    try:
        if not store.exists(remote.manifest_key(entry.key)):
            return False  # shares only beside an entry
        return store.create(remote.shares_key(entry.key), body)
    except RemoteCacheError:
        return False
