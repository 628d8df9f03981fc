from __future__ import annotations

import json
from pathlib import Path

import pytest

from slim_lambda.errors import SlimLambdaError
from slim_lambda.report.saved import (
    read_report,
    read_reports,
    report_path_for,
    write_atomically,
    write_report,
)

from .samples import SCHEMA_1, report


def test_the_report_goes_beside_the_asset() -> None:
    assert report_path_for("/out/asset.abc") == "/out/asset.abc.slim-report.json"
    assert report_path_for("/out/asset.abc-building/") == "/out/asset.abc.slim-report.json"


def test_a_written_report_reads_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "asset.x.slim-report.json"
    written = report(SCHEMA_1)
    write_report(str(path), written)
    assert read_report(str(path)) == written
    assert json.loads(path.read_text())["label"] == "Old/Fn"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_a_file_may_hold_several_reports(tmp_path: Path) -> None:
    path = tmp_path / "all.json"
    path.write_text(json.dumps([{"unzipped_bytes": 1}, {"unzipped_bytes": 2}]))
    assert [r["unzipped_bytes"] for r in read_reports(str(path))] == [1, 2]
    with pytest.raises(SlimLambdaError, match="holds 2 reports, not one"):
        read_report(str(path))


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(SlimLambdaError, match=f"cannot read the JSON report {broken}"):
        read_reports(str(broken))
    with pytest.raises(SlimLambdaError, match=r"cannot read the JSON report .*nope\.json"):
        read_reports(str(tmp_path / "nope.json"))
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps({"unzipped_bytes": 1, "layers": [{"declared": "no"}]}))
    with pytest.raises(SlimLambdaError, match=f"{hostile} is not a valid slim-lambda report: "
                                              r"layers\[0\]\.declared is 'no'"):
        read_reports(str(hostile))


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("old")
    with pytest.raises(TypeError):
        write_atomically(str(path), 42)  # type: ignore[arg-type]
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["page.html"]
