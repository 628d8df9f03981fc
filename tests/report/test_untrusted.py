"""`slim-lambda report` on hostile input (a CI artefact): every read is bounded, nothing
outside the bundle is followed, special files are skipped, and each case ends within
seconds with a clear message. Cases that hung before run in a subprocess with a timeout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from slim_lambda.errors import SlimLambdaError
from slim_lambda.options import SizeLimits
from slim_lambda.report.analyse import analyse, load_reports
from slim_lambda.report.untrusted import ReadBounds

from .test_analyse import make_bundle

GENEROUS = 60  # seconds: a hang, not a slow machine, is what fails these

_MAIN = "import sys; from slim_lambda.cli import main; sys.exit(main(sys.argv[1:]))"


def report(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([sys.executable, "-c", _MAIN, "report", *args],
                              capture_output=True, text=True, timeout=GENEROUS, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"slim-lambda report {' '.join(args)} did not finish in {GENEROUS}s")


def bomb(path: Path, megabytes: int) -> Path:
    """A small zip whose METADATA inflates to ``megabytes`` MiB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("bomb-1.0.dist-info/METADATA", "w", force_zip64=True) as f:
            chunk = b"Name: bomb\n" + b"x" * (1 << 20)
            for _ in range(megabytes):
                f.write(chunk)
        zf.writestr("bomb-1.0.dist-info/RECORD", "")
    return path


def test_zip_bomb_metadata_is_refused(tmp_path: Path) -> None:
    archive = bomb(tmp_path / "bomb.zip", 64)
    assert archive.stat().st_size < 1 << 20
    result = report(str(archive))
    assert result.returncode == 1 and "slim-lambda: error:" in result.stderr, result.stderr
    assert "bomb-1.0.dist-info/METADATA" in result.stderr
    assert "MiB" in result.stderr


def test_zip_caps_entries_and_declared_sizes(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "b")
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(bundle.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(bundle).as_posix())
    limits = SizeLimits()
    with pytest.raises(SlimLambdaError, match="more than 2 entries"):
        analyse(str(archive), limits, bounds=ReadBounds(zip_entries=2))
    with pytest.raises(SlimLambdaError, match="central directory larger than 10 bytes"):
        analyse(str(archive), limits, bounds=ReadBounds(zip_central_directory_bytes=10))
    with pytest.raises(SlimLambdaError, match="more than 100 bytes"):
        analyse(str(archive), limits, bounds=ReadBounds(unzipped_bytes=100))
    assert analyse(str(archive), limits)["packages"][0]["name"] == "pkg"


def test_symlink_to_dev_zero_and_fifo_are_skipped(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "b")
    (bundle / "zero").symlink_to("/dev/zero")
    os.mkfifo(bundle / "pipe")
    result = report(str(bundle), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    warnings = "\n".join(data["warnings"])
    assert "zero" in warnings and "outside the bundle" in warnings
    assert "pipe" in warnings and "FIFO" in warnings
    assert data["files"] == 4


def test_symlink_out_of_the_tree_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("root:x:0:0\n" * 1000)
    bundle = make_bundle(tmp_path / "b")
    before = analyse(str(bundle), SizeLimits())
    (bundle / "passwd").symlink_to(secret)
    (bundle / "inside.py").symlink_to("index.py")  # in the tree: measured as its target
    evil = bundle / "evil-1.0.dist-info"
    evil.mkdir()
    (tmp_path / "META").write_text("Name: leaked\nVersion: 6.6\n\n")
    (evil / "METADATA").symlink_to(tmp_path / "META")
    after = analyse(str(bundle), SizeLimits())
    index = (bundle / "index.py").stat().st_size
    assert after["unzipped_bytes"] == before["unzipped_bytes"] + index
    assert "leaked" not in json.dumps(after)
    assert any("passwd" in w and "outside the bundle" in w for w in after["warnings"])


def test_directory_of_huge_files_is_refused_before_reading(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "b")
    with open(bundle / "sparse.bin", "wb") as f:
        f.truncate(1 << 40)  # a terabyte of holes: reading it would take hours
    with pytest.raises(SlimLambdaError, match="hold more than 1024 MiB"):
        analyse(str(bundle), SizeLimits(), bounds=ReadBounds(unzipped_bytes=1 << 30))


def test_metadata_of_all_dist_infos_together_is_bounded(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "b")
    with pytest.raises(SlimLambdaError, match="together are larger than 40 bytes"):
        analyse(str(bundle), SizeLimits(), bounds=ReadBounds(metadata_total_bytes=40))


def test_oversized_metadata_in_a_directory_is_refused(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "b")
    with open(bundle / "pkg-2.0.dist-info" / "RECORD", "ab") as f:
        f.truncate(8 << 20)
    with pytest.raises(SlimLambdaError, match=r"pkg-2.0.dist-info/RECORD is larger than 4 MiB"):
        analyse(str(bundle), SizeLimits())


def test_saved_report_that_never_ends_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    (out / "asset.x.slim-report.json").symlink_to("/dev/zero")
    os.mkfifo(out / "asset.y.slim-report.json")
    result = report(str(out))
    assert result.returncode == 1 and "slim-lambda: error:" in result.stderr
    assert "not a regular file" in result.stderr


def test_huge_saved_report_is_refused(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as f:
        f.truncate(100 << 20)
    with pytest.raises(SlimLambdaError, match="larger than 64 MiB"):
        load_reports([str(huge)])


def test_deeply_nested_saved_report_is_refused(tmp_path: Path) -> None:
    tree: dict[str, object] = {"name": "f", "bytes": 1, "files": 1, "kind": "file"}
    for _ in range(150):
        tree = {"name": "d", "bytes": 1, "files": 1, "kind": "dir", "children": [tree]}
    deep = tmp_path / "deep.json"
    deep.write_text(json.dumps({"unzipped_bytes": 1, "tree": tree}))
    result = report(str(deep), "--html", str(tmp_path / "r.html"))
    assert result.returncode == 1 and "slim-lambda: error:" in result.stderr, result.stderr
    assert "nested more than" in result.stderr
    flat = tmp_path / "flat.json"
    flat.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(SlimLambdaError, match="nested"):
        load_reports([str(flat)])
