"""Packing a cache entry into independent zstd frames, and unpacking an untrusted one.

zstd, because it measured best on the seed workload's 199 MB tree: level 3 makes 52 MB,
gzip -6 61 MB in ten times the time. The object holds only the files' bytes, in the
manifest's order, cut after whole files into frames of about :data:`FRAME_BYTES`; names,
kinds, sizes and modes travel in the manifest alone (:mod:`.remote_manifest`). So frames
compress on worker threads while this thread reads and hashes the files, and decompress on
worker threads that write the files (:mod:`.filewriters`), and no parser ever reads a name
from the object. Independent 8 MiB frames cost nothing in size: the seed's object is
52.34 MB, against 52.37 MB as one tar stream.
Packing refuses a file that no longer matches the hash sealed when the entry was built (an
edit through an asset's hard link is not spread to the team). Unpacking makes the
manifest's directories, writes only the files it lists, checked, and makes links last.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

from ..pipeline.workers import available_cpus
from .filewriters import MAX_WORKERS, FileWriters
from .remote_manifest import META_NAME, TREE, Frame, Manifest, Record

__all__ = ["FRAME_BYTES", "pack_entry", "unpack_entry"]

LEVEL = 3
FRAME_BYTES = 8 << 20
"""A frame closes after the file that brings it to this many bytes: 17 frames for the
seed's tree (the largest 33 MB, one library), enough to keep every core busy, large enough
to cost no ratio."""


class _Hashing:
    """A file object that hashes and counts what is written through it."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f, self.sha, self.bytes = f, hashlib.sha256(), 0

    def write(self, data: Any) -> int:
        self.sha.update(data)
        self.bytes += len(data)
        return self.f.write(data)


def _walk(root: str, rel: str) -> Iterator[tuple[str, os.stat_result]]:
    """``(relative path, lstat)`` of every member under ``rel``, directories first."""
    for entry in sorted(os.scandir(os.path.join(root, rel)), key=lambda e: e.name):
        path, st = f"{rel}/{entry.name}", entry.stat(follow_symlinks=False)
        yield path, st
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(root, path)


def _compress(parts: list[bytes]) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor(level=LEVEL).compress(b"".join(parts))


def _decompress(frame: bytes, size: int) -> bytes:
    """One frame's bytes, which must say they decode to exactly ``size``."""
    import zstandard

    try:
        if zstandard.frame_content_size(frame) != size:
            raise ValueError(f"a frame does not say it holds the {size:,} bytes of the "
                             "files the manifest lists in it")
        return zstandard.ZstdDecompressor().decompress(frame, max_output_size=size)
    except zstandard.ZstdError as e:
        raise ValueError(f"a frame of the object does not decompress ({e})") from e


class _Framer:
    """Cuts the files into frames as they come, compresses each on the pool, and writes
    the frames to the sink in order, with at most two per worker in memory."""

    def __init__(self, pool: ThreadPoolExecutor, workers: int, sink: _Hashing) -> None:
        self.pool, self.most, self.sink = pool, 2 * workers, sink
        self.frames: list[Frame] = []
        self._pending: deque[tuple[Future[bytes], tuple[Record, ...]]] = deque()
        self._files: list[Record] = []
        self._parts: list[bytes] = []
        self._raw = 0

    def add(self, record: Record, data: bytes) -> None:
        self._files.append(record)
        self._parts.append(data)
        self._raw += len(data)
        if self._raw >= FRAME_BYTES:
            self.close_frame()

    def close_frame(self) -> None:
        if self._files:
            self._pending.append((self.pool.submit(_compress, self._parts),
                                  tuple(self._files)))
            self._files, self._parts, self._raw = [], [], 0
        while len(self._pending) > self.most:
            self._emit()

    def finish(self) -> list[Frame]:
        self.close_frame()
        while self._pending:
            self._emit()
        return self.frames

    def _emit(self) -> None:
        future, files = self._pending.popleft()
        self.frames.append(Frame(self.sink.write(future.result()), files))


def pack_entry(entry_dir: str, out: IO[bytes], sealed: dict[str, str]
               ) -> tuple[list[Record], list[Frame], int, str]:
    """Write the files of the entry's ``tree/`` and its meta to ``out`` as frames; return
    the records (files in the object's order), the frames, the object's size and sha256.
    ``sealed``: the tree's hashes recorded at commit; a file that differs is a ValueError."""
    records: list[Record] = []
    sink = _Hashing(out)
    workers = min(MAX_WORKERS, available_cpus())
    with ThreadPoolExecutor(workers, thread_name_prefix="slim-lambda-pack") as pool:
        framer = _Framer(pool, workers, sink)
        members = [(META_NAME, os.lstat(os.path.join(entry_dir, META_NAME))),
                   (TREE, os.lstat(os.path.join(entry_dir, TREE))), *_walk(entry_dir, TREE)]
        for rel, st in members:
            path = os.path.join(entry_dir, rel)
            if stat.S_ISDIR(st.st_mode):
                records.append(Record(rel, "dir"))
            elif stat.S_ISLNK(st.st_mode):
                records.append(Record(rel, "link", target=os.readlink(path)))
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    data = f.read()
                sha = hashlib.sha256(data).hexdigest()
                tree_rel = rel[len(TREE) + 1:]
                if rel != META_NAME and sealed.get(tree_rel) != sha:
                    raise ValueError(f"{tree_rel} differs from what was built (run "
                                     "`slim-lambda cache verify`)")
                record = Record(rel, "file", size=len(data), sha256=sha,
                                mode=0o755 if st.st_mode & 0o111 else 0o644)
                records.append(record)
                framer.add(record, data)
            else:
                raise ValueError(f"{rel} is not a file, a directory or a link")
        frames = framer.finish()
    return records, frames, sink.bytes, sink.sha.hexdigest()


def _read_exactly(source: IO[bytes], n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        data = source.read(min(n - got, 1 << 20))
        if not data:
            raise ValueError(f"the object ends {n - got:,} bytes before its manifest says "
                             "(truncated)")
        chunks.append(data)
        got += len(data)
    return b"".join(chunks)


def unpack_entry(source: IO[bytes], staging: str, manifest: Manifest) -> None:
    """Unpack the object read from ``source`` (its size and sha256 checked by the caller
    once it is read) into ``staging`` (empty, private) as ``manifest`` says: ValueError
    when a file is not exactly what it lists, or the object does not unpack."""
    records = manifest.records.values()
    try:
        directories = {r.path for r in records if r.kind == "dir"}
        directories.update(os.path.dirname(r.path) for r in records if r.kind != "dir")
        for directory in sorted(directories - {""}):
            os.makedirs(os.path.join(staging, directory), 0o755, exist_ok=True)
        with FileWriters(_decompress) as writers:
            for frame in manifest.frames:
                writers.submit(_read_exactly(source, frame.bytes),
                               [(os.path.join(staging, r.path), r) for r in frame.files])
            writers.finish()
        for link in (r for r in records if r.kind == "link"):  # last: none is written through
            os.symlink(link.target, os.path.join(staging, link.path))
    except OSError as e:
        raise ValueError(f"the object does not unpack ({type(e).__name__}: {e})") from e
