"""`slim-lambda report` on a directory, a zip and a cdk.out (no Docker needed)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from slim_lambda.cli import main


def make_bundle(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("x = 1\n" * 200)
    di = root / "pkg-2.0.dist-info"
    di.mkdir()
    (di / "METADATA").write_text("Metadata-Version: 2.1\nName: pkg\nVersion: 2.0\n\n")
    (di / "RECORD").write_text("pkg/__init__.py,,\npkg-2.0.dist-info/METADATA,,\n"
                               "pkg-2.0.dist-info/RECORD,,\n")
    (root / "index.py").write_text("def handler(e, c):\n    return 1\n")
    return root


def test_report_directory_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = make_bundle(tmp_path / "b")
    assert main(["report", str(bundle), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    sizes = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    assert data["unzipped_bytes"] == sizes
    assert data["packages"][0]["name"] == "pkg" and data["packages"][0]["version"] == "2.0"
    assert data["limits"]["ok"] is True


def test_report_zip_uses_real_sizes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = make_bundle(tmp_path / "b")
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(bundle.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(bundle).as_posix())
    assert main(["report", str(archive), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["zipped_bytes"] == archive.stat().st_size
    assert data["packages"][0]["name"] == "pkg"


def test_report_over_limit_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = make_bundle(tmp_path / "b")
    assert main(["report", str(bundle), "--unzipped-limit", "100"]) == 1
    assert "OVER by" in capsys.readouterr().out


def test_report_of_cdk_out_prints_saved_reports(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    saved = {"runtime": "python3.11", "architecture": "arm64", "unzipped_bytes": 5000,
             "zipped_bytes": 100, "labels": {"function": "S/F"}, "limits": {"ok": True}}
    (out / "asset.abc.slim-report.json").write_text(json.dumps(saved))
    assert main(["report", str(out)]) == 0
    assert "slim-lambda: S/F (python3.11, arm64)" in capsys.readouterr().out


def test_saved_reports_are_read_against_their_own_limits(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A function built with size_limits=SizeLimits(unzipped_bytes=200_000_000) shows its
    headroom to 200 MB, not to Lambda's 250 MiB; limits given on the command line win."""
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    saved = {"runtime": "python3.11", "architecture": "x86_64", "unzipped_bytes": 150_000_000,
             "zipped_bytes": 40_000_000, "labels": {"function": "S/F"},
             "limits": {"unzipped_bytes": 200_000_000, "zipped_bytes": 52_428_800, "ok": True}}
    (out / "asset.abc.slim-report.json").write_text(json.dumps(saved))
    assert main(["report", str(out)]) == 0
    text = capsys.readouterr().out
    assert "190.7 MiB" in text and "47.7 MiB" in text  # the 200 MB limit, its headroom
    assert "250.0 MiB" not in text
    assert main(["report", str(out), "--unzipped-limit", "100000000"]) == 1
    assert "OVER by" in capsys.readouterr().out


def test_report_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "nope")]) == 1
    assert "neither a directory nor a zip" in capsys.readouterr().err
