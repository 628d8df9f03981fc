"""Measuring a bundle directory or zip that someone else made, within :class:`ReadBounds`.

The sizes are those of :mod:`slim_lambda.pipeline.sizes` (a link inside the bundle counts
as its target); what differs is what is read. A link that leaves the bundle, a FIFO, a
device or a socket is skipped with a note; METADATA and RECORD are read only up to their
bound, and a zip's members are read in memory, never extracted.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from collections.abc import Callable

from ..errors import SlimLambdaError
from ..pipeline.distinfo import Distribution, find_distributions
from ..pipeline.sizes import TreeSizes, deflated_size, measure_files, zip_distributions, zip_sizes
from ..pipeline.tree import iter_files
from .untrusted import BOUNDS, ReadBounds, amount, inside, open_regular, read_bounded, zip_directory

__all__ = ["bundle_distributions", "measure_bundle", "measure_zip_file"]

_SPECIAL = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
            (stat.S_ISDIR, "a directory"))


def _what(mode: int) -> str:
    return next((name for test, name in _SPECIAL if test(mode)), "not a regular file")


def measure_bundle(root: str, *, zipped: bool = True, bounds: ReadBounds = BOUNDS
                   ) -> tuple[TreeSizes, list[str]]:
    """Sizes of a directory's files, and notes on what was skipped."""
    real_root = os.path.realpath(root)
    files: dict[str, int] = {}
    notes: list[str] = []
    for rel, st in iter_files(root):
        path = os.path.join(root, rel)
        if stat.S_ISLNK(st.st_mode):
            target = os.path.realpath(path)
            if not inside(target, real_root):
                notes.append(f"skipped {rel}: a link to {os.readlink(path)}, outside the bundle")
                continue
            try:
                st = os.stat(target)
            except OSError:
                continue  # a dangling symlink: nothing Lambda could read
        if not stat.S_ISREG(st.st_mode):
            notes.append(f"skipped {rel}: {_what(st.st_mode)}, not a file Lambda could read")
            continue
        files[rel] = st.st_size
    if sum(files.values()) > bounds.unzipped_bytes:
        raise SlimLambdaError(f"report: the files of {root} hold more than "
                              f"{amount(bounds.unzipped_bytes)}; it is not analysed")
    return measure_files(root, files, zipped=zipped, deflate=_deflater(real_root)), notes


def bundle_distributions(root: str, bounds: ReadBounds = BOUNDS) -> list[Distribution]:
    """The distributions of a directory, METADATA and RECORD read within the bounds."""
    real_root = os.path.realpath(root)
    left = [bounds.metadata_total_bytes]

    def read(path: str) -> bytes | None:
        target = os.path.realpath(path)
        if not inside(target, real_root) or not os.path.isfile(target):
            return None
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        return _spend(left, read_bounded(target, bounds.metadata_bytes, rel, follow=False),
                      bounds)

    return find_distributions(root, read=read)


def _spend(left: list[int], data: bytes, bounds: ReadBounds) -> bytes:
    left[0] -= len(data)
    if left[0] < 0:
        raise SlimLambdaError("report: the METADATA and RECORD files together are larger than "
                              f"{amount(bounds.metadata_total_bytes)}; it is not analysed")
    return data


def _deflater(real_root: str) -> Callable[[str], int]:
    def deflate(path: str) -> int:
        target = os.path.realpath(path)
        if not inside(target, real_root):
            raise SlimLambdaError(f"report: {path} changed while it was read; try again")
        with open_regular(target, follow=False) as f:
            return deflated_size(f, os.fstat(f.fileno()).st_size)
    return deflate


def measure_zip_file(path: str, bounds: ReadBounds = BOUNDS
                     ) -> tuple[TreeSizes, list[Distribution]]:
    """Sizes of a zip (its real compressed size) and the distributions in it."""
    zip_directory(path, bounds)
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > bounds.zip_entries:
            raise SlimLambdaError(f"report: {path} lists more than {bounds.zip_entries} "
                                  "entries; it is not analysed")
        sizes = zip_sizes(path, infos)
        if sizes.unzipped_bytes > bounds.unzipped_bytes:
            raise SlimLambdaError(f"report: {path} declares more than "
                                  f"{amount(bounds.unzipped_bytes)} uncompressed; "
                                  "it is not analysed")
        left = [bounds.metadata_total_bytes]
        dists = zip_distributions(
            infos, lambda info: _spend(left, _member(zf, info, bounds), bounds))
    return sizes, dists


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, bounds: ReadBounds) -> bytes:
    limit = bounds.metadata_bytes
    too_large = SlimLambdaError(f"report: {info.filename} is larger than {amount(limit)}, "
                                "more than a real one could be; the zip is not analysed")
    if info.file_size > limit:
        raise too_large
    try:
        with zf.open(info) as f:
            data = f.read(limit + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError,
            zlib.error) as e:
        raise SlimLambdaError(f"report: cannot read {info.filename} in the zip: {e}") from e
    if len(data) > limit:
        raise too_large
    return data
