"""The fixture wheels are real wheels: a RECORD that checks out, reproducible bytes."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile
from pathlib import Path

from tests.fixtures.wheelhouse import build_wheelhouse


def test_wheels_have_a_true_record(wheelhouse: Path) -> None:
    wheels = sorted(p.name for p in wheelhouse.glob("*.whl"))
    assert len(wheels) == 2 and wheels[1] == "slimfix_pure-1.0.0-py3-none-any.whl"
    for wheel in wheelhouse.glob("*.whl"):
        with zipfile.ZipFile(wheel) as zf:
            (record_name,) = [n for n in zf.namelist() if n.endswith(".dist-info/RECORD")]
            rows = list(csv.reader(io.StringIO(zf.read(record_name).decode())))
            assert sorted(r[0] for r in rows) == sorted(zf.namelist())
            for name, digest, size in rows:
                if name == record_name:
                    assert (digest, size) == ("", "")
                    continue
                data = zf.read(name)
                sha = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
                assert (digest, int(size)) == ("sha256=" + sha.decode(), len(data)), name
            info = record_name.rsplit("/", 1)[0]
            assert {f"{info}/{n}" for n in ("METADATA", "WHEEL", "LICENSE", "top_level.txt")
                    } <= set(zf.namelist())


def test_builds_are_reproducible_and_idempotent(wheelhouse: Path, tmp_path: Path) -> None:
    again = build_wheelhouse(tmp_path / "again")
    for wheel in wheelhouse.glob("*.whl"):
        assert (again / wheel.name).read_bytes() == wheel.read_bytes()
    stamp = {p.name: p.stat().st_mtime_ns for p in again.iterdir()}
    build_wheelhouse(again)
    assert {p.name: p.stat().st_mtime_ns for p in again.iterdir()} == stamp
