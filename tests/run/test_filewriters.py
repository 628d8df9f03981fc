"""filewriters: frames decoded and their files written on worker threads only as the
manifest lists them, never through a link or over a file, the first failure raised to the
reader."""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from pathlib import Path

import pytest

from slim_lambda.run import filewriters
from slim_lambda.run.filewriters import FileWriters
from slim_lambda.run.remote_manifest import Record


def _record(rel: str, data: bytes, mode: int = 0o644) -> Record:
    return Record(rel, "file", size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                  mode=mode)


def _plain(frame: bytes, _size: int) -> bytes:
    return frame  # no compression: what the test hands over is what is written


def _writers(**options: int) -> FileWriters:
    return FileWriters(_plain, **options)


def _one(tmp_path: Path, rel: str, data: bytes, record: Record | None = None
         ) -> tuple[bytes, list[tuple[str, Record]]]:
    return data, [(str(tmp_path / rel), record or _record(rel, data))]


def test_every_file_lands_with_its_bytes_and_mode(tmp_path: Path) -> None:
    files = {f"pkg/sub{i % 5}/m{i}.py": os.urandom(i * 37) for i in range(300)}
    items = list(files.items())
    with _writers(workers=4, max_bytes=4096) as writers:
        for start in range(0, len(items), 7):  # frames of seven files
            frame = items[start:start + 7]
            writers.submit(b"".join(data for _rel, data in frame),
                           [(str(tmp_path / rel), _record(rel, data, 0o755 if rel.endswith(
                               "m1.py") else 0o644)) for rel, data in frame])
        writers.finish()
    for rel, data in files.items():
        assert (tmp_path / rel).read_bytes() == data
    assert stat.S_IMODE((tmp_path / "pkg/sub1/m1.py").stat().st_mode) == 0o755


def test_a_file_not_as_listed_is_raised_and_never_written(tmp_path: Path) -> None:
    good, bad = b"A = 1\n", b"A = 2\n"
    with _writers() as writers, pytest.raises(ValueError, match=r"pkg/a\.py differs"):
        writers.submit(*_one(tmp_path, "pkg/a.py", bad, _record("pkg/a.py", good)))
        writers.finish()
    assert not (tmp_path / "pkg/a.py").exists()
    with _writers() as writers, pytest.raises(ValueError, match="a frame holds 7 bytes"):
        writers.submit(*_one(tmp_path, "b.py", good + b"x", _record("b.py", good)))  # longer
        writers.finish()


def test_never_through_a_link_nor_over_a_file(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "link.py").symlink_to(outside)
    (tmp_path / "tree" / "there.py").write_bytes(b"old")
    data = b"new"
    for name in ("link.py", "there.py"):
        with _writers() as writers, pytest.raises(OSError):
            writers.submit(*_one(tmp_path / "tree", name, data))
            writers.finish()
    assert outside.read_bytes() == b"keep" and (tmp_path / "tree/there.py").read_bytes() == b"old"


def test_a_failure_stops_the_next_hand_over(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a worker has failed, the unpacker is told at its next hand-over instead of
    decompressing the rest of the object for nothing."""
    failed = threading.Event()
    real = filewriters.write_checked

    def write(path: str, data: memoryview, record: Record) -> None:
        try:
            real(path, data, record)
        finally:
            failed.set()

    monkeypatch.setattr(filewriters, "write_checked", write)
    with _writers() as writers:
        writers.submit(*_one(tmp_path, "a.py", b"bad", _record("a.py", b"goo")))
        assert failed.wait(10)
        with pytest.raises(ValueError, match="differs"):
            for i in range(10_000):  # the failure is recorded before the event is seen
                writers.submit(*_one(tmp_path, f"f{i}", b"x"))


def test_a_file_larger_than_the_memory_bound_still_goes_through(tmp_path: Path) -> None:
    data = os.urandom(10_000)
    with _writers(max_bytes=1_000) as writers:
        writers.submit(*_one(tmp_path, "big.so", data))
        writers.submit(*_one(tmp_path, "small.py", b"x"))
        writers.finish()
    assert (tmp_path / "big.so").read_bytes() == data
