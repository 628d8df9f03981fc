"""Walking a directory tree as sorted, relative, POSIX-style paths; Lambda's file modes."""

from __future__ import annotations

import os
from collections.abc import Iterator

__all__ = ["ancestors", "iter_files", "normalize_permissions", "top_name"]


def iter_files(root: str) -> Iterator[tuple[str, os.stat_result]]:
    """Yield ``(relative path, lstat)`` of every non-directory entry, in sorted order.

    Symlinks are yielded (with their own lstat) and never followed.
    """
    root = os.path.abspath(root)

    def walk(abs_dir: str, rel_dir: str) -> Iterator[tuple[str, os.stat_result]]:
        try:
            entries = sorted(os.scandir(abs_dir), key=lambda e: e.name)
        except FileNotFoundError:
            return
        for entry in entries:
            rel = f"{rel_dir}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                yield from walk(entry.path, rel + "/")
            else:
                yield rel, entry.stat(follow_symlinks=False)

    yield from walk(root, "")


def top_name(rel: str) -> str:
    """``numpy`` for ``numpy/x.py``, ``numpy.libs/y.so``, ``numpy.cpython-311-….so``."""
    return rel.split("/", 1)[0].split(".", 1)[0]


def ancestors(rel: str) -> list[str]:
    """The parent directories of a relative path, nearest first (``a/b/c`` → ``a/b``, ``a``)."""
    parts = rel.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]


def normalize_permissions(root: str, rels: list[str] | None = None) -> None:
    """Lambda runs as another user: files world-readable, executables executable. A file
    already so, but read only, is left alone: it is a hard link to a sealed one (uv links
    from its cache what an earlier entry's seal made read only), and its mode is theirs."""
    if rels is None:
        rels = [rel for rel, _st in iter_files(root)]
        for dirpath, dirnames, _files in os.walk(root):
            for d in dirnames:
                path = os.path.join(dirpath, d)
                if not os.path.islink(path):
                    os.chmod(path, 0o755)
    for rel in rels:
        path = os.path.join(root, rel)
        if os.path.islink(path):
            continue
        mode = os.stat(path).st_mode
        want = 0o755 if mode & 0o111 else 0o644
        if mode & 0o7777 not in (want, want & ~0o222):
            os.chmod(path, want)
