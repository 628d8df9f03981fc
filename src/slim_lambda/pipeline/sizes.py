"""Measuring a bundle: unzipped and zipped bytes, by package and by kind of file.

Lambda's unzipped limit counts the uncompressed size of every file in the
function and its layers. The zipped figure is what a deflate-compressed zip of
the tree weighs, computed file by file (local header, deflated data, data
descriptor if any, central directory entry) without writing the archive, the
way the CDK CLI builds it.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import BinaryIO

from .distinfo import Distribution, owners, parse_distribution
from .tree import iter_files
from .workers import pool_size

__all__ = ["END_RECORD", "PYTHON_ZLIB", "PackageSize", "TreeSizes", "deflated_size",
           "entry_sizes", "measure_files", "measure_tree", "measure_zip", "package_sizes",
           "zip_distributions", "zip_share", "zip_sizes"]

# The CDK CLI zips assets with yazl's addBuffer: raw deflate at zlib's default
# level (6), sizes in the local header (no data descriptor), DOS timestamps only
# (no extra fields).
ZIP_LEVEL = 6
_LOCAL_HEADER = 30
_DATA_DESCRIPTOR = 0
_CENTRAL_HEADER = 46
_END_RECORD = 22


@dataclass
class TreeSizes:
    files: int = 0
    unzipped_bytes: int = 0
    zipped_bytes: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    file_bytes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PackageSize:
    name: str
    version: str
    bytes: int
    files: int


def kind_of(rel: str) -> str:
    """A coarse class of file for the report."""
    if rel.endswith(".pyc"):
        return "bytecode"
    if rel.endswith(".py"):
        return "python"
    first = rel.split("/", 1)[0]
    if first.endswith(".dist-info"):
        return "metadata"
    base = rel.rsplit("/", 1)[-1]
    if base.endswith(".so") or ".so." in base:
        return "shared objects"
    return "data"


def deflated_size(f: BinaryIO, limit: int | None = None) -> int:
    """The raw-deflate size of what ``f`` holds (at most ``limit`` bytes of it)."""
    comp = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
    total = 0
    left = limit
    while left is None or left > 0:
        chunk = f.read(1 << 20 if left is None else min(1 << 20, left))
        if not chunk:
            break
        if left is not None:
            left -= len(chunk)
        total += len(comp.compress(chunk))
    return total + len(comp.flush())


def _deflated_size(path: str) -> int:
    with open(path, "rb") as f:
        return deflated_size(f)


def measure_tree(root: str, *, zipped: bool = True, jobs: int | None = None) -> TreeSizes:
    """Sizes of every regular file under ``root`` (symlinks counted as their target's size)."""
    files: dict[str, int] = {}
    for rel, st in iter_files(root):
        path = os.path.join(root, rel)
        if os.path.islink(path) and not os.path.exists(path):
            continue  # a dangling symlink: nothing Lambda could read
        files[rel] = os.path.getsize(path) if os.path.islink(path) else st.st_size
    return measure_files(root, files, zipped=zipped, jobs=jobs)


def measure_files(root: str, files: dict[str, int], *, zipped: bool = True,
                  jobs: int | None = None,
                  deflate: Callable[[str], int] = _deflated_size) -> TreeSizes:
    """Sizes of ``files`` (``{rel: bytes}``, in order) under ``root``; ``deflate`` gives a
    file's compressed size from its path (``slim-lambda report`` passes a bounded one)."""
    sizes = TreeSizes()
    for rel, size in files.items():
        sizes.files += 1
        sizes.unzipped_bytes += size
        sizes.file_bytes[rel] = size
        kind = kind_of(rel)
        sizes.by_kind[kind] = sizes.by_kind.get(kind, 0) + size
    if zipped:
        overhead = _END_RECORD
        for rel in files:
            name = len(rel.encode("utf-8"))
            overhead += _LOCAL_HEADER + _DATA_DESCRIPTOR + _CENTRAL_HEADER + 2 * name
        with ThreadPoolExecutor(max_workers=pool_size(len(files), jobs)) as pool:
            compressed = sum(pool.map(lambda r: deflate(os.path.join(root, r)), files))
        sizes.zipped_bytes = overhead + compressed
    return sizes


def entry_sizes(root: str, rels: list[str] | None = None, *, jobs: int | None = None,
                zipped: bool = True) -> dict[str, list[int]]:
    """``{rel: [unzipped bytes, bytes in the zip]}`` for every file (or ``rels``).

    A file's zip share is its compressed data plus its local and central headers
    (both carry the name); the archive adds :data:`END_RECORD` once. Shares add
    up, so a cached tree's sizes combine with new files without re-compressing.
    With ``zipped=False`` the shares are 0: the caller measures them otherwise
    (the host, with the CDK CLI's own zlib).
    """
    if rels is None:
        rels = [rel for rel, _st in iter_files(root)]

    def one(rel: str) -> tuple[str, list[int]]:
        path = os.path.join(root, rel)
        size = os.path.getsize(path) if os.path.exists(path) else 0
        return rel, [size, zip_share(rel, _deflated_size(path)) if zipped else 0]

    if not zipped:
        return dict(map(one, rels))

    with ThreadPoolExecutor(max_workers=pool_size(len(rels), jobs)) as pool:
        return dict(pool.map(one, rels))


def zip_share(rel: str, compressed: int, prefix: str = "") -> int:
    """What one file adds to the zip: headers (name twice) plus its compressed data."""
    name = len((prefix + rel).encode("utf-8"))
    return _LOCAL_HEADER + _DATA_DESCRIPTOR + _CENTRAL_HEADER + 2 * name + compressed


END_RECORD = _END_RECORD
PYTHON_ZLIB = "python zlib"
"""The ``zip_engine`` of shares measured here (an estimate of the CDK CLI's zip)."""


def measure_zip(path: str) -> tuple[TreeSizes, list[Distribution]]:
    """Sizes of an existing zip (its real compressed size) and the distributions in it."""
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        return zip_sizes(path, infos), zip_distributions(infos, zf.read)


def zip_sizes(path: str, infos: list[zipfile.ZipInfo]) -> TreeSizes:
    """Sizes of the zip at ``path`` from its entries, as their headers declare them."""
    sizes = TreeSizes(zipped_bytes=os.path.getsize(path))
    for info in infos:
        if info.is_dir():
            continue
        sizes.files += 1
        sizes.unzipped_bytes += info.file_size
        sizes.file_bytes[info.filename] = info.file_size
        kind = kind_of(info.filename)
        sizes.by_kind[kind] = sizes.by_kind.get(kind, 0) + info.file_size
    return sizes


def zip_distributions(infos: list[zipfile.ZipInfo],
                      read: Callable[[zipfile.ZipInfo], bytes]) -> list[Distribution]:
    """The distributions of a zip's top-level ``*.dist-info``: only their METADATA and
    RECORD are read, through ``read`` (``slim-lambda report`` passes a bounded one), in
    memory, never extracted."""
    members: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in infos:
        top, _sep, inner = info.filename.partition("/")
        if top.endswith(".dist-info") and inner in ("METADATA", "RECORD"):
            members.setdefault(top, {})[inner] = info
    dists = []
    for top in sorted(members):
        found = members[top]
        if "METADATA" in found:
            metadata = read(found["METADATA"])
            record = read(found["RECORD"]) if "RECORD" in found else None
            dists.append(parse_distribution(top, metadata, record))
    return dists


def package_sizes(file_bytes: dict[str, int], dists: list[Distribution]) -> tuple[
        list[PackageSize], dict[str, int]]:
    """Bytes per distribution (its RECORD files, their bytecode and its dist-info).

    Returns the sizes sorted largest first and the files no distribution owns.
    """
    owner = owners(file_bytes, dists)
    totals = [0] * len(dists)
    counts = [0] * len(dists)
    unowned: dict[str, int] = {}
    for rel, size in file_bytes.items():
        idx = owner.get(rel)
        if idx is None:
            unowned[rel] = size
        else:
            totals[idx] += size
            counts[idx] += 1
    packages = [PackageSize(d.name, d.version, totals[i], counts[i]) for i, d in enumerate(dists)]
    packages.sort(key=lambda p: (-p.bytes, p.name.lower()))
    return packages, unowned
