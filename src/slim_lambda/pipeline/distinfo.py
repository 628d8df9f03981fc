"""Installed distributions: who owns which file, and trimming ``*.dist-info``.

Deleting ``*.dist-info`` wholesale (what serverless-python-requirements' ``slim``
does) breaks ``importlib.metadata.version()``, entry points and every package
that looks itself up at import time. Here metadata is trimmed instead: the files
``importlib.metadata`` reads stay (METADATA without its long description,
entry_points.txt, top_level.txt, RECORD), licenses stay, the rest goes, and
RECORD is rewritten at the end to list exactly the files that remain.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .fsguard import Root

__all__ = [
    "Distribution",
    "ends_headers",
    "find_distributions",
    "is_protected",
    "metadata_body_bytes",
    "owners",
    "parse_distribution",
    "read_metadata",
    "rewrite_record",
    "trim_candidates",
    "trim_metadata",
]

KEEP_FILES = frozenset({
    "METADATA", "RECORD", "entry_points.txt", "top_level.txt", "namespace_packages.txt",
})
# Files that importlib.metadata needs for a distribution to exist and work:
# no pattern rule may remove them.
PROTECTED = frozenset({"METADATA", "RECORD", "entry_points.txt"})
LICENSE_RE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE|AUTHORS|COPYRIGHT)", re.IGNORECASE)
KEEP_DIRS = ("licenses/", "license_files/", "sboms/")


@dataclass
class Distribution:
    """One installed distribution in the tree."""

    name: str
    version: str
    dist_info: str
    files: set[str] = field(default_factory=set)
    top_level: tuple[str, ...] = ()


def normalized_name(name: str) -> str:
    """A distribution's name in its PEP 503 form (``Zope.Interface`` → ``zope-interface``),
    as layers, the function and pip's messages are compared by. (The host's manifests use
    ``packaging``; this runs in build images that may not have it.)"""
    return re.sub(r"[-_.]+", "-", name).lower()


def ends_headers(line: str) -> bool:
    """The empty line that ends METADATA's headers. Not a whitespace-only line: that
    continues the header before it (scipy's License has several), and taking it for the
    end cut off every header after it (Requires-Dist, Requires-Python)."""
    return not line.rstrip("\r\n")


def _read_headers(lines: Iterable[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in lines:
        if ends_headers(line):
            break
        if ":" in line and not line[0].isspace():
            key, _, value = line.partition(":")
            headers.setdefault(key.strip(), value.strip())
    return headers


def _record_paths(rows: Iterable[list[str]]) -> set[str]:
    paths: set[str] = set()
    for row in rows:
        if not row:
            continue
        rel = os.path.normpath(row[0]).replace(os.sep, "/")
        if rel.startswith("../") or rel.startswith("/") or rel == "..":
            continue
        paths.add(rel)
    return paths


def _top_level(files: set[str]) -> tuple[str, ...]:
    names: set[str] = set()
    for rel in files:
        first, sep, _rest = rel.partition("/")
        if first.endswith((".dist-info", ".data", ".libs")) or first in ("bin", "__pycache__"):
            continue
        if sep:
            name = first
        elif first.endswith(".py"):
            name = first[:-3]
        elif first.endswith((".so", ".pyd")):
            name = first.split(".")[0]
        else:
            continue
        if name.isidentifier() and not name.startswith("__"):
            names.add(name)
    return tuple(sorted(names))


def find_distributions(root: str, *, read: Callable[[str], bytes | None] | None = None
                       ) -> list[Distribution]:
    """Every ``*.dist-info`` directly under ``root``, with the files its RECORD lists.

    ``read`` (an absolute path to its bytes, or None when it is not a file) is how
    METADATA and RECORD are read; by default, whole. ``slim-lambda report`` passes one
    that is bounded and stays inside ``root``, since its input is untrusted."""
    dists = []
    for entry in sorted(os.listdir(root)):
        if not entry.endswith(".dist-info"):
            continue
        if read is None:
            dist = _read_distribution(root, entry)
        else:
            meta = read(os.path.join(root, entry, "METADATA"))
            if meta is None:
                continue
            dist = parse_distribution(entry, meta, read(os.path.join(root, entry, "RECORD")))
        if dist is not None:
            dists.append(dist)
    return dists


def _read_distribution(root: str, entry: str) -> Distribution | None:
    meta = os.path.join(root, entry, "METADATA")
    if not os.path.isfile(meta):
        return None
    with open(meta, encoding="utf-8", errors="replace") as f:
        headers = _read_headers(f)
    record = os.path.join(root, entry, "RECORD")
    files: set[str] = set()
    if os.path.isfile(record):
        with open(record, encoding="utf-8", newline="") as f:
            files = _record_paths(csv.reader(f))
    return _distribution(entry, headers, files)


def parse_distribution(dist_info: str, metadata: bytes, record: bytes | None) -> Distribution:
    """The distribution of a ``*.dist-info`` from the bytes of its METADATA and RECORD
    (None: it has no RECORD), read as :func:`find_distributions` reads the files."""
    headers = _read_headers(io.StringIO(metadata.decode("utf-8", errors="replace"),
                                        newline=None))
    files = (set() if record is None
             else _record_paths(csv.reader(io.StringIO(record.decode("utf-8"), newline=""))))
    return _distribution(dist_info, headers, files)


def _distribution(entry: str, headers: dict[str, str], files: set[str]) -> Distribution:
    return Distribution(
        name=headers.get("Name", entry[: -len(".dist-info")].rsplit("-", 1)[0]),
        version=headers.get("Version", ""),
        dist_info=entry,
        files=files,
        top_level=_top_level(files),
    )


def read_metadata(root: str, dist: Distribution) -> str:
    """The text of a distribution's METADATA under ``root``; "" when it cannot be read."""
    try:
        with open(os.path.join(root, dist.dist_info, "METADATA"), encoding="utf-8",
                  errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def owners(rels: Iterable[str], dists: Sequence[Distribution], *, prefix: str = ""
           ) -> dict[str, int]:
    """Which distribution (an index into ``dists``) owns each file that one owns: its
    RECORD entries, the bytecode of those modules (``__pycache__/x.cpython-311.pyc`` of
    ``x.py``) and its ``*.dist-info``. ``prefix`` is prepended to the distributions'
    paths (``python/`` in a layer); the first distribution to list a file owns it."""
    owner: dict[str, int] = {}
    dist_infos: dict[str, int] = {}
    for i, dist in enumerate(dists):
        for rel in dist.files:
            owner.setdefault(prefix + rel, i)
        dist_infos.setdefault(prefix + dist.dist_info, i)
    found: dict[str, int] = {}
    for rel in rels:
        idx = owner.get(rel)
        if idx is None and rel.endswith(".pyc") and "/__pycache__/" in f"/{rel}":
            head, _sep, base = rel.rpartition("__pycache__/")
            idx = owner.get(head + base.split(".", 1)[0] + ".py")
        if idx is None:
            for info, j in dist_infos.items():
                if rel.startswith(info + "/"):
                    idx = j
                    break
        if idx is not None:
            found[rel] = idx
    return found


def is_protected(rel: str) -> bool:
    """True for the metadata files no pattern may delete."""
    parts = rel.split("/")
    return len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] in PROTECTED


def trim_candidates(rel: str) -> bool:
    """True when ``rel`` is a ``*.dist-info`` file that trimming removes."""
    first, sep, inner = rel.partition("/")
    if not sep or not first.endswith(".dist-info"):
        return False
    if inner in KEEP_FILES or inner.startswith(KEEP_DIRS):
        return False
    return not LICENSE_RE.match(os.path.basename(inner))


def metadata_body_bytes(text: str) -> int:
    """How many bytes :func:`trim_metadata` would drop."""
    return len(text.encode("utf-8")) - len(trim_metadata(text).encode("utf-8"))


def trim_metadata(text: str) -> str:
    """METADATA without the long description (the body and any Description header)."""
    out = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if ends_headers(line):
            break
        if skipping and line[:1] in (" ", "\t"):
            continue
        skipping = line.lower().startswith("description:")
        if not skipping:
            out.append(line)
    return "".join(out) + "\n"


def _hash(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256=" + base64.urlsafe_b64encode(h.digest()).rstrip(b"=").decode()


def rewrite_record(root: str, dist: Distribution, changed: set[str]) -> None:
    """Rewrite RECORD to list only files that still exist; rehash the ``changed`` ones."""
    record = os.path.join(root, dist.dist_info, "RECORD")
    if not os.path.isfile(record):
        return
    with open(record, encoding="utf-8", newline="") as f:
        rows = [row for row in csv.reader(f) if row]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    record_rel = f"{dist.dist_info}/RECORD"
    for row in rows:
        rel = os.path.normpath(row[0]).replace(os.sep, "/")
        if rel == record_rel:
            writer.writerow([row[0], "", ""])
            continue
        full = os.path.join(root, rel)
        if rel.startswith("../") or not os.path.lexists(full):
            continue
        if rel in changed or (rel.startswith(f"{dist.dist_info}/") and rel != record_rel):
            writer.writerow([row[0], _hash(full), str(os.path.getsize(full))])
        else:
            writer.writerow(row)
    # replaced, never written in place: it may be a hard link to the uv cache's copy
    tmp = record + ".slim-tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())
    Root(root).replace(f"{dist.dist_info}/RECORD", tmp)
