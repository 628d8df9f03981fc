"""What a stage's container gets by copy (``file_access='copy'``): the archive, planned as data.

A bind mount shows a host directory; a copy must say which files, and who may change
them. :func:`plan_archive` is pure: from each :class:`Share` (a host path where a bind
mount would put it) and its listing, every archive member with its owner and mode:

- read-only shares (the sources, the pipeline, the CA bundle, find-links, layers, a cached
  tree) belong to someone the build does not run as and have no write bits: without
  capabilities (``cap_drop=ALL``) the build can neither write nor ``chmod`` them, as
  with a read-only bind mount;
- writable shares (the work directory, the output) belong to the build's user, and keep
  their modes: the credential files stay ``0600``, the work directory ``0700``.

The function's sources (``sources_only``) are listed as :func:`list_sources` lists them
(no ``.git``, virtualenvs, ``cdk.out``, ``node_modules``, credential files): what the
pipeline reads of them, not what happens to lie beside them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass

from ..pipeline.sources import list_sources

__all__ = ["NOBODY", "Item", "Listed", "Share", "list_share", "plan_archive", "reader_owner"]

NOBODY = 65534
EXECUTABLE = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH


@dataclass(frozen=True)
class Share:
    """A host path a stage needs, and where a bind mount would show it."""

    source: str
    target: str
    writable: bool = False
    sources_only: bool = False
    """The function's own sources: only what :func:`list_sources` lists."""


@dataclass(frozen=True)
class Listed:
    """One entry under a share's source: ``rel`` "" is the source itself."""

    rel: str
    kind: str
    """``dir``, ``file`` or ``link``."""
    mode: int = 0o644
    link: str = ""


@dataclass(frozen=True)
class Item:
    """One archive member: ``name`` relative to the container's ``/``."""

    name: str
    kind: str
    source: str = ""
    """The host file to read (``file``) or the link's target (``link``)."""
    mode: int = 0o755
    owner: int = 0


def reader_owner(uid: int) -> int:
    """Who owns the read-only files: root, unless the build runs as root (a rootless
    engine's user), then nobody."""
    return NOBODY if uid == 0 else 0


def _mode(kind: str, mode: int, writable: bool) -> int:
    if writable:
        return stat.S_IMODE(mode) if kind == "file" else 0o700
    if kind == "dir" or mode & EXECUTABLE:
        return 0o555
    return 0o444


def plan_archive(shares: Iterable[tuple[Share, Iterable[Listed]]], uid: int
                 ) -> tuple[Item, ...]:
    """Every member, parents first; directories a share's target needs above it belong to
    the reader and are ``0755``."""
    reader = reader_owner(uid)
    items: list[Item] = []
    seen: set[str] = set()
    for share, listing in shares:
        base = share.target.strip("/")
        parts = base.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            if parent not in seen:
                seen.add(parent)
                items.append(Item(parent, "dir", mode=0o755, owner=reader))
        owner = uid if share.writable else reader
        for entry in listing:
            name = f"{base}/{entry.rel}" if entry.rel else base
            if name in seen:
                continue
            seen.add(name)
            source = (entry.link if entry.kind == "link" else
                      os.path.join(share.source, entry.rel) if entry.rel and entry.kind == "file"
                      else share.source if entry.kind == "file" else "")
            items.append(Item(name, entry.kind, source,
                              0o777 if entry.kind == "link" else
                              _mode(entry.kind, entry.mode, share.writable), owner))
    return tuple(items)


def _walk(source: str) -> list[Listed]:
    found = [Listed("", "dir", 0o755)]
    for dirpath, dirnames, filenames in os.walk(source):
        rel_dir = os.path.relpath(dirpath, source)
        prefix = "" if rel_dir == "." else rel_dir + "/"
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                found.append(Listed(prefix + name, "link", link=os.readlink(path)))
            elif stat.S_ISDIR(st.st_mode):
                found.append(Listed(prefix + name, "dir", st.st_mode))
            elif stat.S_ISREG(st.st_mode):
                found.append(Listed(prefix + name, "file", st.st_mode))
        dirnames[:] = sorted(d for d in dirnames if not os.path.islink(os.path.join(dirpath, d)))
    return found


def _sources(source: str) -> list[Listed]:
    found = [Listed("", "dir", 0o755)]
    dirs: set[str] = set()
    for rel in list_sources(source):
        parts = rel.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            if parent not in dirs:
                dirs.add(parent)
                found.append(Listed(parent, "dir", 0o755))
        found.append(Listed(rel, "file", os.stat(os.path.join(source, rel)).st_mode))
    return found


def list_share(share: Share) -> list[Listed]:
    """What of ``share.source`` is copied: a file, the sources, or the whole tree (links
    kept as links, sockets and devices left out)."""
    if os.path.isfile(share.source):
        return [Listed("", "file", os.stat(share.source).st_mode)]
    if not os.path.isdir(share.source):  # e.g. a writable output created empty
        return [Listed("", "dir", 0o700)]
    return _sources(share.source) if share.sources_only else _walk(share.source)
