"""The output directory (``cdk synth -o``, ``slim-lambda build --out``) is never a source,
even when it lies inside the entry."""

from __future__ import annotations

from pathlib import Path

from slim_lambda.pipeline.sources import list_sources
from slim_lambda.plan.keys import fingerprint
from tests.requests import MakeRequest


def test_an_output_dir_inside_the_entry_is_not_a_source(
        entry: Path, make_request: MakeRequest) -> None:
    out = entry / "build-out"
    out.mkdir()
    (out / "asset.abc").mkdir()
    (out / "asset.abc" / "index.py").write_text("x = 1\n")
    (out / "build-out.partial").mkdir()  # the CLI's partial directory sits next to --out
    before = make_request(output_dirs=(str(out), str(out) + ".partial"))
    (out / "asset.def").mkdir()
    (out / "asset.def" / "index.py").write_text("x = 2\n")
    (entry / "build-out.partial").mkdir()
    (entry / "build-out.partial" / "junk.py").write_text("x = 3\n")
    after = make_request(output_dirs=(str(out), str(out) + ".partial"))
    assert fingerprint(before) == fingerprint(after)
    assert list_sources(after.entry, after.bundling.exclude) == ["index.py", "requirements.txt"]


def test_an_output_dir_with_special_characters_is_excluded_literally(
        entry: Path, make_request: MakeRequest) -> None:
    out = entry / "out [1]*"
    out.mkdir()
    (out / "a.py").write_text("x")
    (entry / "out 1x").mkdir()
    (entry / "out 1x" / "b.py").write_text("x")
    request = make_request(output_dirs=(str(out),))
    assert "out 1x/b.py" in list_sources(request.entry, request.bundling.exclude)
    assert "out [1]*/a.py" not in list_sources(request.entry, request.bundling.exclude)


def test_an_output_dir_outside_the_entry_changes_nothing(
        entry: Path, tmp_path: Path, make_request: MakeRequest) -> None:
    plain = make_request()
    assert make_request(output_dirs=(str(tmp_path / "out"),)).bundling == plain.bundling
