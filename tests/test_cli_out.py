"""``slim-lambda build --out DIR`` with DIR inside the entry never bundles DIR itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slim_lambda import cli
from slim_lambda.pipeline.sources import list_sources
from slim_lambda.plan.request import BuildRequest


def test_out_inside_the_entry_is_not_a_source(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "index.py").write_text("def handler(event, context):\n    return 1\n")
    seen: list[list[str]] = []

    def fake_build(request: BuildRequest, out: str) -> Any:  # what the build would copy
        Path(out, "index.py").write_text("half-written output\n")
        seen.append(list_sources(request.entry, request.bundling.exclude))
        return {}

    monkeypatch.setattr(cli, "build", fake_build)
    monkeypatch.setattr(cli, "write_report", lambda *a: None)
    assert cli.main(["build", str(tmp_path), "--runtime", "python3.11",
                     "--out", str(tmp_path / "build-out")]) == 0
    assert seen == [["index.py"]]
