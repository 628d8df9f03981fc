"""Analysing what this run did not build: a directory, a zip, a cdk.out, a saved report;
directly and through `slim-lambda report` (no Docker needed)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from slim_lambda.cli import main
from slim_lambda.options import SizeLimits
from slim_lambda.report.analyse import analyse, load_reports, saved_reports

from .samples import SCHEMA_1


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


def test_analyse_measures_a_directory(tmp_path: Path) -> None:
    bundle = make_bundle(tmp_path / "b")
    report = analyse(str(bundle), SizeLimits())
    assert report["path"] == str(bundle) and report["files"] == 4
    assert report["installed_bytes"] == 0 and report["limits"]["ok"] is True
    assert report["tree"] is not None and report["tree"]["bytes"] == report["unzipped_bytes"]
    assert {c["package"] for c in report["tree"]["children"]} == {"pkg", ""}
    over = analyse(str(bundle), SizeLimits(unzipped_bytes=100))
    assert over["limits"] == {"unzipped_bytes": 100, "zipped_bytes": 52_428_800, "ok": False}
    assert over["warnings"][0].startswith("unzipped size ")


def test_saved_reports_are_found_only_in_a_cloud_assembly(tmp_path: Path) -> None:
    (tmp_path / "asset.a.slim-report.json").write_text("{}")
    assert saved_reports(str(tmp_path)) == []
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "other.json").write_text("{}")
    assert saved_reports(str(tmp_path)) == [str(tmp_path / "asset.a.slim-report.json")]


def test_a_saved_report_without_a_tree_gets_its_assets(tmp_path: Path) -> None:
    asset = make_bundle(tmp_path / "asset.abc" / "python")
    saved = tmp_path / "asset.abc.slim-report.json"
    saved.write_text(json.dumps({"unzipped_bytes": 1, "prefix": "python/"}))
    (report,) = load_reports([str(saved)])
    assert report["tree"] is not None
    assert "pkg" in json.dumps(report["tree"]) and asset.is_dir()
    other = tmp_path / "elsewhere.json"
    other.write_text(json.dumps({"unzipped_bytes": 1}))
    assert load_reports([str(other)])[0]["tree"] is None


def test_an_untrusted_report_fails_with_the_file_and_the_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    bad = out / "asset.x.slim-report.json"
    bad.write_text(json.dumps({"unzipped_bytes": 5, "packages": [{"name": "a", "bytes": "9"}]}))
    assert main(["report", str(out)]) == 1
    assert (f"{bad} is not a valid slim-lambda report: packages[0].bytes is '9', not an "
            "integer") in capsys.readouterr().err


def test_a_report_of_an_earlier_version_is_shown(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "old.json"
    saved.write_text(json.dumps(SCHEMA_1))
    assert main(["report", str(saved)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("slim-lambda: Old/Fn (python3.11, x86_64, image ")
    assert main(["report", str(saved), "--json"]) == 0
    (data,) = json.loads(capsys.readouterr().out)
    assert data["label"] == "Old/Fn" and data["limits"]["ok"] is True and data["layers"] == []
