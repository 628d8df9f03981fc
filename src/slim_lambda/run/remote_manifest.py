"""The manifest of a remote cache entry, and the rules an untrusted entry must pass: pure.

An entry travels as one object and a manifest. The manifest names the object, its size and
sha256, every file, directory and link of the entry (its ``tree/`` and its meta) with its
size, sha256 and mode, and the object's frames: the object is only the files' bytes, in the
manifest's order, cut into independent zstd frames of whole files, so that a reader
decompresses them in parallel and takes no name, kind or size from the object itself. The
manifest is written last, so an entry without one is not there yet; a reader trusts nothing
the manifest does not name, and a manifest only for the key it asked for and an object
under that key's prefix. Paths are checked before anything is written: no absolute path,
no ``..``, no link leaving the tree; and frames must add up to the object and its files.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from ..plan.remote import ENTRY_FORMAT as FORMAT
from .cache import META_SUFFIX

__all__ = ["FORMAT", "META_NAME", "Frame", "Manifest", "Record", "frame_bound", "link_problem",
           "member_problem", "read_manifest"]

TREE = "tree"
META_NAME = TREE + META_SUFFIX
KINDS = ("file", "dir", "link")
MODES = (0o644, 0o755)
"""The only file modes an entry has (Lambda's: readable, executables executable)."""


@dataclass(frozen=True)
class Record:
    """One member of an entry: ``tree/...`` or the meta file."""

    path: str
    kind: str
    size: int = 0
    sha256: str = ""
    mode: int = 0o644
    target: str = ""
    """A link's target, relative to its directory."""

    def to_json(self) -> dict[str, Any]:
        if self.kind == "file":
            return {"path": self.path, "kind": "file", "size": self.size,
                    "sha256": self.sha256, "mode": self.mode}
        if self.kind == "link":
            return {"path": self.path, "kind": "link", "target": self.target}
        return {"path": self.path, "kind": self.kind}


@dataclass(frozen=True)
class Frame:
    """One zstd frame of the object: ``bytes`` long, holding ``files`` back to back."""

    bytes: int
    files: tuple[Record, ...]

    @property
    def raw_bytes(self) -> int:
        return sum(r.size for r in self.files)


@dataclass(frozen=True)
class Manifest:
    key: str
    object: str
    """The object's S3 key: under the entry's own prefix."""
    object_bytes: int
    object_sha256: str
    records: dict[str, Record]
    """Every member, the files in the object's order."""
    frames: tuple[Frame, ...]

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "key": self.key, "object": self.object,
                "object_bytes": self.object_bytes, "object_sha256": self.object_sha256,
                "compression": "zstd", "files": [r.to_json() for r in self.records.values()],
                "frames": [{"bytes": f.bytes, "files": len(f.files)} for f in self.frames]}


def frame_bound(raw_bytes: int) -> int:
    """The most bytes zstd may take for ``raw_bytes`` (its compress bound, with room for
    the frame's header): a manifest that says more is not believed."""
    return raw_bytes + (raw_bytes >> 7) + 1024


def member_problem(path: str) -> str | None:
    """Why ``path`` may not be written into an entry: not the meta or under ``tree/``,
    absolute, or with an empty, ``.`` or ``..`` part."""
    if "\0" in path or path.startswith("/"):
        return f"{path!r} is an absolute or invalid path"
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return f"{path!r} has an empty, '.' or '..' part"
    if path != META_NAME and parts[0] != TREE:
        return f"{path!r} is neither the tree nor its meta"
    return None


def link_problem(path: str, target: str) -> str | None:
    """Why a link at ``path`` to ``target`` may not be created: the target is absolute or
    leads out of ``tree/``."""
    if not target or target.startswith("/") or "\0" in target:
        return f"link {path!r} points at {target!r}, not a relative path"
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if resolved != TREE and not resolved.startswith(TREE + "/"):
        return f"link {path!r} points at {target!r}, out of the tree"
    return None


def _record(item: Any) -> Record:
    if not isinstance(item, dict) or item.get("kind") not in KINDS:
        raise ValueError(f"a member is not a file, a directory or a link: {item!r:.80}")
    path, kind = item.get("path"), item["kind"]
    if not isinstance(path, str) or (problem := member_problem(path)):
        raise ValueError(problem or f"a member's path is {path!r}")
    if kind == "file":
        size, sha, mode = item.get("size"), item.get("sha256"), item.get("mode")
        if not isinstance(size, int) or size < 0 or not isinstance(sha, str) \
                or len(sha) != 64 or mode not in MODES:
            raise ValueError(f"{path!r}: size, sha256 or mode is invalid")
        return Record(path, kind, size=size, sha256=sha, mode=mode)
    if kind == "link":
        target = item.get("target")
        if not isinstance(target, str) or (problem := link_problem(path, target)):
            raise ValueError(problem or f"link {path!r} has no target")
        return Record(path, kind, target=target)
    if path == META_NAME:
        raise ValueError(f"{path!r} is a directory")
    return Record(path, kind)


def read_manifest(data: object, key: str, entry_prefix: str) -> Manifest:
    """A parsed manifest document, checked to be for ``key``, to name an object under
    ``entry_prefix`` and to list only members that may be written; ValueError otherwise."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a format {FORMAT} manifest")
    if data.get("key") != key:
        raise ValueError(f"it is the manifest of another key ({str(data.get('key'))[:16]})")
    obj, size, sha = data.get("object"), data.get("object_bytes"), data.get("object_sha256")
    if not isinstance(obj, str) or not obj.startswith(entry_prefix) or "/" in obj[
            len(entry_prefix):]:
        raise ValueError(f"its object {obj!r} is not under {entry_prefix}")
    if not isinstance(size, int) or size <= 0 or not isinstance(sha, str) or len(sha) != 64:
        raise ValueError("its object size or sha256 is invalid")
    files = data.get("files")
    if not isinstance(files, list):
        raise ValueError("it lists no files")
    records: dict[str, Record] = {}
    for item in files:
        record = _record(item)
        if record.path in records:
            raise ValueError(f"{record.path!r} is listed twice")
        records[record.path] = record
    if records.get(META_NAME, Record("", "")).kind != "file":
        raise ValueError(f"it has no {META_NAME}")
    return Manifest(key, obj, size, sha, records, _frames(data.get("frames"), records, size))


def _frames(items: Any, records: dict[str, Record], object_bytes: int) -> tuple[Frame, ...]:
    """The frames a manifest lists, each checked to hold at least one file and to be no
    larger than zstd makes it; together exactly the object and every file, in order."""
    if not isinstance(items, list):
        raise ValueError("it lists no frames")
    files = [r for r in records.values() if r.kind == "file"]
    frames: list[Frame] = []
    start = 0
    for item in items:
        length = item.get("bytes") if isinstance(item, dict) else None
        count = item.get("files") if isinstance(item, dict) else None
        if not isinstance(length, int) or not isinstance(count, int) or length <= 0 \
                or count <= 0 or start + count > len(files):
            raise ValueError(f"a frame is not a positive size and file count within the "
                             f"files listed: {item!r:.80}")
        frame = Frame(length, tuple(files[start:start + count]))
        if length > frame_bound(frame.raw_bytes):
            raise ValueError(f"a frame of {length:,} bytes cannot hold only "
                             f"{frame.raw_bytes:,} bytes of files")
        frames.append(frame)
        start += count
    if start != len(files) or sum(f.bytes for f in frames) != object_bytes:
        raise ValueError("its frames do not add up to the object and its files")
    return tuple(frames)
