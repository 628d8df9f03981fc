"""A cached tree is sealed when it is committed: every file made read-only and its sha256
recorded beside the tree, so that what a later synth links into an asset can be checked.

Assets are hard links to the cache's inodes (copying 200 MB per synth would cost seconds),
so an edit to a file in ``cdk.out`` is an edit to the cache. Read-only files stop an
editor run as an ordinary user; the size check on every lookup
(:meth:`~slim_lambda.run.cache.CacheEntry.problem`) catches a truncated or grown file;
``slim-lambda cache verify`` compares every file with its recorded hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Mapping

from ..pipeline.tree import iter_files

__all__ = ["HASHES", "check_hashes", "seal_tree", "tree_hashes"]

HASHES = "hashes.json"
"""Beside ``tree/`` in an entry: relative path → sha256 of every file of the tree."""
WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_hashes(tree: str) -> dict[str, str]:
    """The sha256 of every regular file of ``tree``, read only: what :func:`seal_tree` is
    given when the hashing ran beside other work on a finished tree."""
    return {rel: _sha256(os.path.join(tree, rel)) for rel, st in iter_files(tree)
            if stat.S_ISREG(st.st_mode)}


def seal_tree(tree: str, entry_dir: str, known: Mapping[str, str] | None = None
              ) -> dict[str, str]:
    """Make every regular file of ``tree`` read-only and record its hash in the entry.
    ``known``: hashes computed as the files were written (a remote entry's, each checked
    against its manifest) or since the tree was finished (:func:`tree_hashes`), not
    computed again."""
    hashes: dict[str, str] = {}
    for rel, st in iter_files(tree):
        path = os.path.join(tree, rel)
        if not stat.S_ISREG(st.st_mode):
            continue
        hashes[rel] = (known or {}).get(rel) or _sha256(path)
        if st.st_mode & WRITE_BITS:  # else a hard link to a file sealed before
            os.chmod(path, stat.S_IMODE(st.st_mode) & ~WRITE_BITS)
    with open(os.path.join(entry_dir, HASHES), "w", encoding="utf-8") as f:
        json.dump(hashes, f, sort_keys=True)
    return hashes


def check_hashes(tree: str, entry_dir: str) -> list[str]:
    """Every file that differs from its recorded hash, is missing, or was added; an entry
    without recorded hashes (built by an older version) is one problem."""
    try:
        with open(os.path.join(entry_dir, HASHES), encoding="utf-8") as f:
            recorded: dict[str, str] = json.load(f)
    except (OSError, ValueError) as e:
        return [f"no readable {HASHES} ({type(e).__name__})"]
    problems = []
    present = set()
    for rel, st in iter_files(tree):
        if not stat.S_ISREG(st.st_mode):
            continue
        present.add(rel)
        want = recorded.get(rel)
        if want is None:
            problems.append(f"{rel} was added after the entry was built")
        elif _sha256(os.path.join(tree, rel)) != want:
            problems.append(f"{rel} differs from what was built")
    problems += [f"{rel} is missing" for rel in sorted(set(recorded) - present)]
    return problems
