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

from ..manifests.inputs import Input
from ..pipeline.secretfiles import is_manifest, redact_manifest
from ..pipeline.sources import list_sources

__all__ = ["hash_file", "hash_files", "hash_input", "hash_links"]


def hash_file(path: str, *, redacted: bool = False) -> str:
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
