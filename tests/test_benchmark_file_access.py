"""benchmarks/file_access.py: the verdict and the table section from measured runs (no
build here; `bash benchmarks/run.sh --file-access-only` measures them)."""

from __future__ import annotations

from typing import Any

from benchmarks import file_access


def _result(bind: list[float], copy: list[float]) -> dict[str, Any]:
    runs = {"bind": [{"seconds": s, "copy_steps_s": 0.0} for s in bind],
            "copy": [{"seconds": s, "copy_steps_s": 1.5} for s in copy]}
    med = {"bind": sorted(bind)[len(bind) // 2], "copy": sorted(copy)[len(copy) // 2]}
    return {"runs": runs, "median_s": med, "ratio": round(med["copy"] / med["bind"], 3)}


def test_copy_within_the_bound_passes() -> None:
    result = _result([60.0, 58.0, 70.0], [63.0, 66.0, 61.0])
    fl = file_access.floor(result)
    assert fl.passes(fl.value) is True and fl.bound == 1.3
    lines = file_access.render(result)
    assert "bind mounts 60.0 s; copy through the Docker API 63.0 s (of which copying 1.5 s): " \
           "1.05x" in lines[1]
    assert lines[-1] == "  PASS: within 1.3x"


def test_copy_past_the_bound_fails() -> None:
    result = _result([60.0], [80.0])
    assert file_access.floor(result).passes(result["ratio"]) is False
    assert file_access.render(result)[-1].startswith("  FAIL")
