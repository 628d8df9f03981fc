"""Tar streams to and from a build container (``file_access='copy'``), and the guard that
unpacks one.

:func:`tar_stream` writes the planned members (:mod:`.archive`) as a tar in one pass,
reading each file as it goes: no temporary archive, memory bounded by a chunk. A file that
changes size meanwhile is an error, never a corrupt archive.

:func:`extract_tar` is the write boundary for what comes back: it writes only directories,
regular files and links under ``dest``, creates every file new (never through a link,
never over an existing file), keeps links inside ``dest``, and refuses anything else
(devices, absolute names, ``..``). Modes keep the owner's bits and lose group and other
write; owners are this user. Python's own tar filters would do part of this, but not on
the Python 3.11 that Debian ships.
"""

from __future__ import annotations

import os
import posixpath
import tarfile
import time
from collections.abc import Iterable, Iterator

from ..pipeline.errors import BuildError
from .archive import Item

__all__ = ["extract_tar", "tar_stream"]

CHUNK = 1 << 20
BLOCK = tarfile.BLOCKSIZE


def _header(item: Item, size: int = 0, mtime: float | None = None) -> bytes:
    info = tarfile.TarInfo(item.name)
    info.type = {"dir": tarfile.DIRTYPE, "file": tarfile.REGTYPE,
                 "link": tarfile.SYMTYPE}[item.kind]
    info.mode, info.uid, info.gid, info.size = item.mode, item.owner, item.owner, size
    info.mtime = int(time.time() if mtime is None else mtime)
    if item.kind == "link":
        info.linkname = item.source
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def _file(item: Item) -> Iterator[bytes]:
    with open(item.source, "rb") as f:
        st = os.fstat(f.fileno())
        yield _header(item, st.st_size, st.st_mtime)
        left = st.st_size
        while left:
            data = f.read(min(CHUNK, left))
            if not data:
                raise BuildError("copy", f"{item.source} shrank while it was copied into the "
                                 "build container", details="Synth again once nothing "
                                 "writes to it.")
            left -= len(data)
            yield data
    if st.st_size % BLOCK:
        yield bytes(BLOCK - st.st_size % BLOCK)


def tar_stream(items: Iterable[Item]) -> Iterator[bytes]:
    """The members as one tar, in chunks of about :data:`CHUNK` bytes."""
    buffer = bytearray()
    for item in items:
        for piece in (_file(item) if item.kind == "file" else (_header(item),)):
            buffer += piece
            if len(buffer) >= CHUNK:
                yield bytes(buffer)
                buffer.clear()
    buffer += bytes(2 * BLOCK)
    yield bytes(buffer)


class _Chunks:
    """A readable file over an iterator of byte chunks (tarfile's stream mode reads it in
    small pieces: each read copies only what it returns)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._it = iter(chunks)
        self._chunk = b""
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        parts: list[bytes] = []
        while size != 0:
            if self._at >= len(self._chunk):
                chunk = next(self._it, None)
                if chunk is None:
                    break
                self._chunk, self._at = chunk, 0
            end = len(self._chunk) if size < 0 else min(len(self._chunk), self._at + size)
            parts.append(self._chunk[self._at:end])
            if size > 0:
                size -= end - self._at
            self._at = end
        return b"".join(parts)


def _inside(rel: str) -> bool:
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and ".." not in parts and "" not in parts


def extract_tar(chunks: Iterable[bytes], dest: str, top: str = "") -> int:
    """Unpack a container path's tar into the existing directory ``dest``; returns the
    bytes of the files written. ``top``: the path was that directory, whose name starts
    every member's and is left out."""
    made = {""}  # directories this call made (and dest): the only parents allowed
    files: set[str] = set()
    modes: list[tuple[str, int]] = []
    written = 0

    def refuse(name: str, why: str) -> BuildError:
        return BuildError("copy", f"the build container's output holds {name!r}, which "
                          f"{why}; nothing was kept", details="This is not something "
                          "slim-lambda's pipeline writes: check the install hooks.")

    with tarfile.open(fileobj=_Chunks(chunks), mode="r|",  # type: ignore[call-overload]
                      bufsize=CHUNK) as tar:
        for member in tar:
            rel = member.name.rstrip("/")
            if top:
                if rel == top:
                    continue
                if not rel.startswith(top + "/"):
                    raise refuse(member.name, f"is not under {top}/")
                rel = rel.removeprefix(top + "/")
            if not _inside(rel) or posixpath.dirname(rel) not in made:
                raise refuse(member.name, "lies outside the output or under a link")
            path = os.path.join(dest, rel)
            if member.isdir():
                os.mkdir(path, 0o700)
                made.add(rel)
                modes.append((path, (member.mode & 0o755) | 0o700))
            elif member.isfile():
                source = tar.extractfile(member)
                assert source is not None
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                             | os.O_CLOEXEC, 0o600)
                with open(fd, "wb") as out:
                    while data := source.read(CHUNK):
                        out.write(data)
                        written += len(data)
                os.chmod(path, member.mode & 0o755 | 0o600)
                os.utime(path, (member.mtime, member.mtime))
                files.add(rel)
            elif member.issym():
                target = posixpath.normpath(posixpath.join(posixpath.dirname(rel),
                                                           member.linkname))
                if member.linkname.startswith("/") or not _inside(target):
                    raise refuse(member.name, f"links to {member.linkname}, outside it")
                os.symlink(member.linkname, path)
            elif member.islnk():
                target = member.linkname.removeprefix(top + "/") if top else member.linkname
                if target not in files:
                    raise refuse(member.name, f"is a hard link to {member.linkname}, "
                                 "not a file before it")
                os.link(os.path.join(dest, target), path)
                files.add(rel)
            else:
                raise refuse(member.name, "is neither a file, a directory nor a link")
    for path, mode in reversed(modes):
        os.chmod(path, mode)
    return written
