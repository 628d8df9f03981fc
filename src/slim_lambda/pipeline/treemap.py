"""Per-file sizes as a small nested tree, for the report's treemap.

A bundle has thousands of files; the report keeps at most ``max_nodes`` of them.
The largest directories are opened first; in each, entries smaller than a
share of the whole are folded into one ``(other N files)`` node, so the JSON
stays a few tens of kilobytes and still shows where the bytes are. A chain of
directories with one subdirectory and no files (``python/lib``) reads as one
node named ``python/lib``.

Node shape (every node): ``name``, ``bytes``, ``files``, ``kind`` (``dir``,
``file`` or ``other``), ``package`` when every file below belongs to one
distribution (see :func:`file_owners`). An opened directory also has
``children``, largest first; a directory without ``children`` was not opened.

Pure stdlib: this module also runs inside the build image.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from typing import Any

from .distinfo import Distribution, owners

__all__ = ["file_owners", "tree_summary"]

_MIXED = "\0mixed"


class _Dir:
    __slots__ = ("bytes", "dirs", "files", "leaves", "name", "owner")

    def __init__(self, name: str) -> None:
        self.name = name
        self.bytes = 0
        self.files = 0
        self.dirs: dict[str, _Dir] = {}
        self.leaves: dict[str, tuple[int, str | None]] = {}
        self.owner: str | None = None  # None until a file is added; _MIXED when several

    def add_owner(self, owner: str | None) -> None:
        mine = owner if owner is not None else _MIXED
        if self.files == 0:
            self.owner = mine
        elif self.owner != mine:
            self.owner = _MIXED


def _build(file_bytes: Mapping[str, int], owners: Mapping[str, str]) -> _Dir:
    root = _Dir("")
    for rel, size in file_bytes.items():
        parts = [p for p in rel.split("/") if p]
        if not parts:
            continue
        owner = owners.get(rel)
        node = root
        for part in parts[:-1]:
            node.add_owner(owner)
            node.bytes += size
            node.files += 1
            node = node.dirs.setdefault(part, _Dir(part))
        node.add_owner(owner)
        node.bytes += size
        node.files += 1
        node.leaves[parts[-1]] = (size, owner)
    return root


def _package(owner: str | None) -> dict[str, str]:
    return {} if owner is None or owner == _MIXED else {"package": owner}


def _collapse(d: _Dir) -> tuple[str, _Dir]:
    """Follow a chain of lone subdirectories: ``python`` → ``lib`` reads ``python/lib``."""
    name = d.name
    while len(d.dirs) == 1 and not d.leaves:
        d = next(iter(d.dirs.values()))
        name = f"{name}/{d.name}" if name else d.name
    return name, d


_Entry = tuple[int, str, "_Dir | None", int, str | None]  # bytes, name, dir, files, owner


def _entries(d: _Dir) -> list[_Entry]:
    out: list[_Entry] = [(sub.bytes, sub.name, sub, sub.files, sub.owner)
                         for sub in d.dirs.values()]
    out += [(size, name, None, 1, owner) for name, (size, owner) in d.leaves.items()]
    out.sort(key=lambda e: (-e[0], e[1]))
    return out


def _other(folded: list[_Entry]) -> dict[str, Any]:
    files = sum(e[3] for e in folded)
    owners = {e[4] for e in folded}
    owner = owners.pop() if len(owners) == 1 else _MIXED
    return {"name": f"(other {files:,} file{'' if files == 1 else 's'})", "kind": "other",
            "bytes": sum(e[0] for e in folded), "files": files, **_package(owner)}


def tree_summary(file_bytes: Mapping[str, int], *, max_nodes: int = 400,
                 owners: Mapping[str, str] | None = None, name: str = "") -> dict[str, Any]:
    """A nested ``{name, bytes, files, kind, children}`` tree of at most ``max_nodes`` nodes.

    ``file_bytes`` maps relative POSIX paths to sizes; ``owners`` optionally maps the
    same paths to the distribution that owns them (:func:`file_owners`).
    """
    if max_nodes < 1:
        raise ValueError(f"tree_summary: max_nodes must be at least 1, not {max_nodes}")
    root = _build(file_bytes, owners or {})
    total = root.bytes
    # an entry below this share of the whole is folded into "(other N files)"
    threshold = max(1, total // (2 * max_nodes))
    top_name, top = _collapse(root)
    out: dict[str, Any] = {"name": name or top_name, "kind": "dir", "bytes": root.bytes,
                           "files": root.files, **_package(root.owner)}
    budget = max_nodes - 1
    seq = 0
    heap: list[tuple[int, int, _Dir, dict[str, Any]]] = [(-top.bytes, seq, top, out)]
    while heap and budget > 0:
        _neg, _seq, d, node = heapq.heappop(heap)
        entries = _entries(d)
        if not entries:
            continue
        shown = [e for e in entries if e[0] >= threshold]
        folded = entries[len(shown):]
        if len(folded) == 1:
            shown, folded = entries, []
        if not shown:
            continue  # all small: one box says as much as "(other N files)" inside it
        if len(shown) + (1 if folded else 0) > budget:
            if budget < 2:
                continue  # a smaller directory may still fit
            shown, folded = entries[:budget - 1], entries[budget - 1:]
        children: list[dict[str, Any]] = []
        for size, entry_name, sub, files, owner in shown:
            if sub is None:
                children.append({"name": entry_name, "kind": "file", "bytes": size,
                                 "files": 1, **_package(owner)})
                continue
            sub_name, sub = _collapse(sub)
            child = {"name": sub_name, "kind": "dir", "bytes": size, "files": files,
                     **_package(owner)}
            children.append(child)
            if sub.dirs or sub.leaves:
                seq += 1
                heapq.heappush(heap, (-size, seq, sub, child))
        if folded:
            children.append(_other(folded))
        node["children"] = children
        budget -= len(children)
    return out


def file_owners(file_bytes: Iterable[str], dists: Iterable[Distribution], *,
                prefix: str = "") -> dict[str, str]:
    """The name of the distribution that owns each file (see :func:`distinfo.owners`).

    ``prefix`` is prepended to the distributions' paths (``python/`` in a layer).
    """
    listed = list(dists)
    return {rel: listed[i].name for rel, i in owners(file_bytes, listed, prefix=prefix).items()}
