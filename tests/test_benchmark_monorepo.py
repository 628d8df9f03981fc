"""benchmarks/monorepo.py: the verdict and the table section from measured steps (no
synth here; `bash benchmarks/run.sh` measures them)."""

from __future__ import annotations

from typing import Any

from benchmarks import monorepo


def _steps(second: list[str], new: list[str] | None = None) -> list[dict[str, Any]]:
    both = ["Api", "Jobs"]
    return [{"step": name, "seconds": 10.0, "rebuilt": rebuilt, "new_assets": assets}
            for (name, _f), rebuilt, assets in zip(
                monorepo.STEPS, (both, second, both), (both, new or second, both),
                strict=True)]


def test_only_api_rebuilt_passes() -> None:
    steps = _steps(["Api"])
    assert monorepo.floor(steps).passes(monorepo.floor(steps).value) is True
    lines = monorepo.render(steps)
    assert lines[-1] == "  PASS: the libs/formats change rebuilt Api"
    assert lines[3].split() == ["libs/formats", "changed", "(Api", "uses", "it)", "10.0",
                                "Api", "Api"]


def test_rebuilding_the_other_function_too_fails() -> None:
    for steps in (_steps(["Api", "Jobs"]), _steps(["Api"], ["Api", "Jobs"]), _steps([])):
        fl = monorepo.floor(steps)
        assert fl.passes(fl.value) is False
    assert monorepo.render(_steps(["Api", "Jobs"]))[-1].startswith("  FAIL")
