"""Reading what someone else made: a bundle directory, a zip or a saved JSON report.

``slim-lambda report`` reads CI artefacts, so its input may be hostile: a zip whose
METADATA inflates to gigabytes, a report nested a million levels deep, a link to
``/dev/zero`` or to ``/etc/shadow``, a FIFO that blocks the first read forever. Here every
read is bounded (:class:`ReadBounds`), only regular files are opened, nothing outside the
bundle is followed, and each refusal is a :class:`SlimLambdaError` that says what to do.
The build pipeline measures its own trees, which it trusts, with the unbounded functions.
"""

from __future__ import annotations

import json
import os
import stat
import struct
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import SlimLambdaError

__all__ = ["BOUNDS", "MIB", "ReadBounds", "amount", "inside", "open_regular", "read_bounded",
           "read_json"]

MIB = 1 << 20


@dataclass(frozen=True, kw_only=True)
class ReadBounds:
    """The most ``slim-lambda report`` reads of an untrusted input."""

    metadata_bytes: int = 4 * MIB
    """One ``*.dist-info/METADATA`` or ``RECORD`` (real ones are a few hundred KiB)."""
    metadata_total_bytes: int = 64 * MIB
    """Every METADATA and RECORD of a bundle together."""
    report_bytes: int = 64 * MIB
    """One saved JSON report file (a real one, tree included, is well under 1 MiB)."""
    json_depth: int = 200
    """How deeply a saved report may nest (a real one: about twice its directory depth)."""
    zip_entries: int = 200_000
    """Entries in a zip, as its end record declares and as its directory lists."""
    zip_central_directory_bytes: int = 64 * MIB
    """The zip's central directory, which is parsed whole before anything else."""
    unzipped_bytes: int = 16 * 1024 * MIB
    """The uncompressed sizes a zip declares, or a directory's files have, summed (64 times
    Lambda's limit); a directory's files are read to measure their zipped size."""


BOUNDS = ReadBounds()


def amount(n: int) -> str:
    return f"{n // MIB} MiB" if n >= MIB and n % MIB == 0 else f"{n} bytes"


def inside(path: str, root: str) -> bool:
    """True when ``path`` (resolved) is ``root`` (resolved) or below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def open_regular(path: str, *, follow: bool = True, what: str = "") -> BinaryIO:
    """``path`` open for reading if it is a regular file; a FIFO, a device or a socket is
    refused without blocking (and a link, with ``follow=False``)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise SlimLambdaError(f"report: cannot read {what or path}: {e.strerror}") from e
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise SlimLambdaError(f"report: {path} is not a regular file; pass a bundle directory, "
                              "a zip, a cdk.out directory or a JSON report")
    return os.fdopen(fd, "rb")


def read_bounded(path: str, limit: int, what: str, *, follow: bool = True) -> bytes:
    """At most ``limit`` bytes: the whole of ``path``, or an error naming ``what``."""
    with open_regular(path, follow=follow, what=what) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise SlimLambdaError(f"report: {what} is larger than {amount(limit)}, more than a "
                              "real one could be; it is not analysed")
    return data


def read_json(path: str, bounds: ReadBounds = BOUNDS) -> object:
    """A saved report file parsed, refused when too large or nested too deeply."""
    data = read_bounded(path, bounds.report_bytes, f"the JSON report {path}")
    try:
        parsed = json.loads(data)
    except RecursionError:
        parsed = None
        depth_ok = False
    except ValueError as e:
        raise SlimLambdaError(f"report: cannot read the JSON report {path}: {e}") from e
    else:
        depth_ok = _depth_within(parsed, bounds.json_depth)
    if not depth_ok:
        raise SlimLambdaError(f"report: the JSON report {path} is nested more than "
                              f"{bounds.json_depth} levels deep; it is not a slim-lambda report")
    return parsed


def _depth_within(data: object, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children = (value.values() if isinstance(value, dict)
                    else value if isinstance(value, list) else ())
        if children and depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def zip_directory(path: str, bounds: ReadBounds) -> None:
    """Refuse a zip whose end record declares too many entries or too large a central
    directory, before :mod:`zipfile` reads that directory whole."""
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        tail = min(size, 22 + 0xFFFF + 20)
        f.seek(size - tail)
        data = f.read(tail)
        at = data.rfind(b"PK\x05\x06")
        if at < 0 or len(data) < at + 22:
            return  # not a zip: zipfile says so
        entries, directory = struct.unpack("<HI", data[at + 10:at + 16])
        locator = at - 20
        if locator >= 0 and data[locator:locator + 4] == b"PK\x06\x07":
            (offset,) = struct.unpack("<Q", data[locator + 8:locator + 16])
            f.seek(min(offset, size))
            record = f.read(56)
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                entries, directory = struct.unpack("<QQ", record[32:48])
    if entries > bounds.zip_entries:
        raise SlimLambdaError(f"report: {path} declares more than {bounds.zip_entries} "
                              "entries; it is not analysed")
    if directory > bounds.zip_central_directory_bytes:
        raise SlimLambdaError(f"report: {path} has a central directory larger than "
                              f"{amount(bounds.zip_central_directory_bytes)}; it is not analysed")
