"""The dependency cache: finished dependency trees, content-addressed.

Layout under the cache directory::

    deps/<key>/tree/                          the finished tree (never written after commit)
    deps/<key>/tree.slim-lambda-deps.json     its meta (sizes, pycs, import probes)
    deps/<key>/used                           touched on every use (LRU order)
    locks/<key>.lock                          flock: exclusive to build, shared to read
    pip/                                      pip's download cache
    build/uv/                                 uv's download cache
    build/.tmp-<key>-<pid>-*/                 a tree being built (``tree/``, held files)

A tree is built in ``build/.tmp-<key>-<pid>-*`` (``0700``: no one else plants a file
that gets cached) and renamed into place in one step, so a half-written entry is never
seen; a synth killed midway leaves only a ``.tmp-`` directory, which the next build of
that key, or the next prune once the key's lock is free, removes. The build directory
holds uv's cache too: a build container mounts it once, so uv hard-links what it installs
from its cache instead of copying 200 MB (two mounts are two file systems to ``link``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .integrity import check_hashes, seal_tree
from .workdir import pid_alive

__all__ = ["CACHE_DIR_ENV", "CacheEntry", "DepsCache", "default_cache_dir", "entry_at"]

CACHE_DIR_ENV = "SLIM_LAMBDA_CACHE_DIR"
META_SUFFIX = ".slim-lambda-deps.json"
_DEPS = "deps"
_BUILD = "build"
STALE_TMP_SECONDS = 6 * 3600


def default_cache_dir(option: str | None = None) -> str:
    """``$SLIM_LAMBDA_CACHE_DIR``, else the option, else the user's cache directory."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return os.path.abspath(os.path.expanduser(env))
    if option:
        return os.path.abspath(os.path.expanduser(option))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "slim-lambda")


def entry_at(root: str, key: str) -> CacheEntry:
    """The entry of ``key`` in the cache at ``root`` (whether or not it exists)."""
    return CacheEntry(key, os.path.join(root, _DEPS, key))


def has_entries(root: str) -> bool:
    """Whether the cache at ``root`` holds any entry (False for a fresh runner's)."""
    try:
        with os.scandir(os.path.join(root, _DEPS)) as found:
            return any(e.name[:1] != "." for e in found)
    except OSError:
        return False


@dataclass(frozen=True)
class CacheEntry:
    key: str
    path: str

    @property
    def tree(self) -> str:
        return os.path.join(self.path, "tree")

    @property
    def meta_path(self) -> str:
        return self.tree + META_SUFFIX

    def meta(self) -> dict[str, Any]:
        with open(self.meta_path, encoding="utf-8") as f:
            data: dict[str, Any] = json.load(f)
        return data

    def problem(self) -> str | None:
        """Why this entry cannot be used, or None: its meta is missing or unreadable, or a
        file of its tree is missing or has another size than the meta records (a
        truncated file, an asset file edited through its hard link)."""
        if not os.path.isdir(self.tree):
            return "its tree is missing"
        try:
            files = self.meta()["files"]
            recorded = {rel: int(v[0]) for rel, v in files.items()}
        except FileNotFoundError:
            return "its meta file is missing"
        except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
            return f"its meta file is unreadable ({type(e).__name__})"
        for rel, size in recorded.items():
            try:
                actual = os.lstat(os.path.join(self.tree, rel)).st_size
            except OSError:
                return f"{rel} is missing"
            if actual != size:
                return f"{rel} has {actual:,} bytes, {size:,} recorded"
        return None

    def write_meta(self, meta: dict[str, Any]) -> None:
        tmp = self.meta_path + f".{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(meta, f)
        os.replace(tmp, self.meta_path)


def _dir_bytes(path: str) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


class DepsCache:
    """Content-addressed finished dependency trees with locking and LRU pruning."""

    def __init__(self, root: str, *, max_bytes: int = 5 * 1024**3) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.deps = os.path.join(root, _DEPS)
        self.build = os.path.join(root, _BUILD)
        self.locks = os.path.join(root, "locks")
        for d in (self.deps, self.locks, self.pip_cache, self.build):
            os.makedirs(d, exist_ok=True)
        with contextlib.suppress(OSError):  # uv's cache where earlier versions kept it
            os.rename(os.path.join(root, "uv"), self.uv_cache)
        os.makedirs(self.uv_cache, exist_ok=True)

    @property
    def pip_cache(self) -> str:
        return os.path.join(self.root, "pip")

    @property
    def uv_cache(self) -> str:
        return os.path.join(self.build, "uv")

    def entry(self, key: str) -> CacheEntry:
        return entry_at(self.root, key)

    def lookup(self, key: str, *, discard: Callable[[str], None] | None = None
               ) -> CacheEntry | None:
        """The key's entry when it exists and is intact (every file of the size its meta
        records). A broken one is None; with ``discard`` (the caller holds the exclusive
        lock) it is also removed, and ``discard`` gets a one-line notice."""
        entry = self.entry(key)
        if not os.path.isdir(entry.path):
            return None
        problem = entry.problem()
        if problem is not None:
            if discard is not None:
                self._remove(entry)
                discard(f"slim-lambda: cache entry {key[:16]} is broken ({problem}); "
                        "removed it, rebuilding")
            return None
        with open(os.path.join(entry.path, "used"), "a"):
            pass
        os.utime(os.path.join(entry.path, "used"))
        return entry

    @contextlib.contextmanager
    def lock(self, key: str, *, exclusive: bool = True, wait: bool = True
             ) -> Iterator[bool]:
        """Hold the key's lock; yields False when ``wait`` is off and it is taken."""
        path = os.path.join(self.locks, f"{key}.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            flags = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            try:
                fcntl.flock(fd, flags | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)

    def staging(self, key: str) -> str:
        """A fresh ``0700`` directory for building ``key``; commit it with :meth:`commit`.
        The caller holds the key's exclusive lock, so any other staging directory of the
        key is a killed build's: removed first."""
        for where in (self.build, self.deps):  # deps/: where earlier versions built
            for name in os.listdir(where):
                if name.startswith(f".tmp-{key}-"):
                    shutil.rmtree(os.path.join(where, name), ignore_errors=True)
        return tempfile.mkdtemp(prefix=f".tmp-{key}-{os.getpid()}-", dir=self.build)

    def _abandoned(self, name: str) -> bool:
        """A ``.tmp-`` directory no running build uses: a staging directory whose key's
        lock is free, a trash directory whose process is gone."""
        parts = name.split("-")
        if name.startswith(".tmp-trash-"):
            return parts[-1].isdigit() and not pid_alive(int(parts[-1]))
        key = parts[1] if len(parts) > 3 else ""
        if len(key) != 64:
            return False
        with self.lock(key, wait=False) as got:
            return got

    def commit(self, key: str, staging: str, hashes: Mapping[str, str] | None = None
               ) -> CacheEntry:
        """Move a finished staging directory (``tree/`` + meta) into place atomically;
        ``hashes``: the tree's file hashes, when already computed and checked."""
        entry = self.entry(key)
        os.chmod(staging, 0o755)  # built privately; a committed entry is readable
        seal_tree(os.path.join(staging, "tree"), staging, hashes)
        with open(os.path.join(staging, "used"), "w"):
            pass
        with open(os.path.join(staging, "bytes"), "w") as f:
            f.write(str(_dir_bytes(staging)))
        if os.path.isdir(entry.path):  # built by someone else meanwhile: keep theirs
            shutil.rmtree(staging, ignore_errors=True)
        else:
            os.rename(staging, entry.path)
        return entry

    def entries(self) -> list[tuple[CacheEntry, int, float]]:
        """(entry, bytes, last used) for every committed entry, least recently used first."""
        found = []
        for name in os.listdir(self.deps):
            if name.startswith("."):
                continue
            entry = self.entry(name)
            try:
                with open(os.path.join(entry.path, "bytes")) as f:
                    size = int(f.read().strip() or 0)
                used = os.path.getmtime(os.path.join(entry.path, "used"))
            except (OSError, ValueError):
                size, used = _dir_bytes(entry.path), 0.0
            found.append((entry, size, used))
        found.sort(key=lambda t: t[2])
        return found

    def prune(self, max_bytes: int | None = None, *, keep: str | None = None) -> list[str]:
        """Remove least recently used entries until the total fits; skip entries in use."""
        cap = self.max_bytes if max_bytes is None else max_bytes
        removed = []
        now = time.time()
        for where in (self.deps, self.build):
            for name in os.listdir(where):
                path = os.path.join(where, name)
                if name.startswith(".tmp-") and (
                        now - os.path.getmtime(path) > STALE_TMP_SECONDS
                        or self._abandoned(name)):
                    shutil.rmtree(path, ignore_errors=True)
        entries = self.entries()
        total = sum(size for _e, size, _u in entries)
        for entry, size, _used in entries:
            if total <= cap:
                break
            if entry.key == keep:
                continue
            with self.lock(entry.key, wait=False) as got:
                if not got:
                    continue
                self._remove(entry)
            total -= size
            removed.append(entry.key)
        return removed

    def verify(self) -> dict[str, list[str]]:
        """Check every entry's files against their recorded sizes and hashes; remove the
        broken ones (the next synth rebuilds them). Returns key → problems, broken only;
        an entry in use by a build is skipped."""
        broken: dict[str, list[str]] = {}
        for entry, _size, _used in self.entries():
            with self.lock(entry.key, wait=False) as got:
                if not got:
                    continue
                problem = entry.problem()
                problems = [problem] if problem else check_hashes(entry.tree, entry.path)
                if problems:
                    self._remove(entry)
                    broken[entry.key] = problems
        return broken

    def _remove(self, entry: CacheEntry) -> None:
        """Out of sight in one rename, then deleted (the caller holds the key's lock)."""
        trash = os.path.join(self.deps, f".tmp-trash-{entry.key[:16]}-{os.getpid()}")
        os.rename(entry.path, trash)
        shutil.rmtree(trash, ignore_errors=True)

    def clear(self) -> int:
        """Remove every entry and download cache; returns the bytes freed."""
        freed = 0
        for d in (self.deps, self.pip_cache, self.uv_cache):
            freed += _dir_bytes(d)
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d, exist_ok=True)
        return freed

    def info(self) -> dict[str, Any]:
        entries = self.entries()
        return {
            "path": self.root,
            "max_bytes": self.max_bytes,
            "entries": [{"key": e.key, "bytes": size, "last_used": used,
                         **_entry_summary(e)} for e, size, used in entries],
            "deps_bytes": sum(size for _e, size, _u in entries),
            "download_bytes": _dir_bytes(self.pip_cache) + _dir_bytes(self.uv_cache),
        }


def _entry_summary(entry: CacheEntry) -> dict[str, Any]:
    try:
        meta = entry.meta()
    except (OSError, ValueError):
        return {}
    return {"runtime": meta.get("runtime"), "architecture": meta.get("architecture"),
            "installer": meta.get("installer"), "image": meta.get("image"),
            "label": meta.get("label", "")}
