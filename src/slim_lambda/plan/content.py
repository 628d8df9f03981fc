"""Hashing what a build reads, by content: the entry's sources, and each input a
requirements file feeds pip (:mod:`slim_lambda.manifests.inputs`).

Names and sizes are not enough: a rebuilt wheel of the same name and size, or a
constraints file whose pin changed, must change the deps key, or the cache ships the old
bytes. Files that may hold credentials (manifests, included requirements files) are hashed
with their URL credentials redacted; the key never depends on a secret.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from ..manifests.inputs import Input
from ..pipeline.secretfiles import is_manifest, redact_manifest
from ..pipeline.sources import list_sources

__all__ = ["hash_file", "hash_files", "hash_input", "hash_links"]


MEMO_MIN_BYTES = 1 << 20
_MEMO: dict[tuple[object, ...], str] = {}
"""Content hashes of large files by identity (device, inode, size, mtime, ctime): a synth
with many functions sharing a find-links directory of large wheels reads each wheel once,
and the next synth reads none (the hash is kept in the cache directory, under
``file-hashes/``; ctime changes with every write and cannot be set back). Small files
(sources, manifests, which a test may rewrite within the clock's tick) are always read."""
MEMO_DIR = "file-hashes"


def hash_file(path: str, *, redacted: bool = False) -> str:
    st = os.stat(path)
    if st.st_size < MEMO_MIN_BYTES:
        return _hash_file(path, redacted)
    identity = (os.path.realpath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns,
                st.st_ctime_ns, redacted)
    if (known := _MEMO.get(identity)) is None:
        known = _MEMO[identity] = _remembered(identity, lambda: _hash_file(path, redacted))
    return known


def _remembered(identity: tuple[object, ...], compute: Callable[[], str]) -> str:
    """The hash a synth before this one stored for ``identity``, else computed and stored.
    A cache directory that cannot be read or written only costs the reading."""
    from ..run.cache import default_cache_dir  # where the cache lives has one owner

    name = hashlib.sha256(repr(identity).encode()).hexdigest()[:40]
    path = os.path.join(default_cache_dir(), MEMO_DIR, name)
    try:
        with open(path, encoding="ascii") as f:
            stored = f.read().strip()
        if len(stored) == 64 and all(c in "0123456789abcdef" for c in stored):
            return stored
    except (OSError, UnicodeDecodeError):
        pass
    digest = compute()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(digest)
        os.replace(tmp, path)
    except OSError:
        pass
    return digest


def _hash_file(path: str, redacted: bool) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        if redacted:
            h.update(redact_manifest(f.read()))
        else:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def hash_files(root: str, exclude: tuple[str, ...]) -> str:
    """The tree under ``root`` as :func:`~slim_lambda.pipeline.sources.list_sources`
    lists it: names, exec bits and content."""
    h = hashlib.sha256()
    for rel in list_sources(root, exclude):
        path = os.path.join(root, rel)
        h.update(rel.encode() + b"\0")
        h.update(b"x" if os.access(path, os.X_OK) else b"-")
        h.update(hash_file(path, redacted=is_manifest(rel)).encode())
        h.update(b"\0")
    return h.hexdigest()


def hash_links(directory: str) -> list[list[str]]:
    """A ``--find-links`` directory: pip reads its top-level files only."""
    return sorted([name, hash_file(os.path.join(directory, name))]
                  for name in os.listdir(directory)
                  if os.path.isfile(os.path.join(directory, name)))


def hash_input(item: Input, entry: str) -> list[object]:
    """``[kind, path relative to the entry, content hash]``: stable across checkouts."""
    where = os.path.relpath(item.path, entry)
    if item.kind == "tree":
        return [item.kind, where, hash_files(item.path, ())]
    if item.kind == "links":
        return [item.kind, where, hash_links(item.path)]
    return [item.kind, where, hash_file(item.path, redacted=item.kind == "requirements")]
