"""benchmarks/fresh_runner.py: the figures, the verdict and the section from measured
synths, and the whole measure once on a tiny entry (real synths, moto S3)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from benchmarks import fresh_runner


def _measured(fresh_s: float, alpha_s: float = 40.0, empty_s: float = 5.0) -> dict[str, Any]:
    def sample(seconds: float, own: float, **more: Any) -> dict[str, Any]:
        return {"seconds": seconds, "own_s": own, **more}

    hit = {"remote": "hit", "bytes": 52_000_000, "transfer_s": 1.5, "after_s": 0.0}
    return {"runs": 2,
            "empty": {"slim": [sample(empty_s, 0.3), sample(empty_s + 0.2, 0.3)],
                      "alpha": [sample(empty_s - 0.5, 0.1), sample(empty_s - 0.5, 0.1)]},
            "alpha_first": sample(alpha_s, alpha_s - 4.0),
            "warming": sample(30.0, 25.0, remote="uploaded", bytes=52_000_000,
                              transfer_s=2.0),
            "fresh": [sample(fresh_s, fresh_s - 5.0, **hit),
                      sample(fresh_s + 0.2, fresh_s - 4.8, **hit)]}


def test_figures_are_net_of_each_tools_empty_synth() -> None:
    f = fresh_runner.figures(_measured(8.0))
    assert f["total"]["fresh"] == pytest.approx(8.1) and f["total"]["alpha"] == 40.0
    assert f["net"]["fresh"] == pytest.approx(8.1 - 5.1)
    assert f["net"]["alpha"] == pytest.approx(40.0 - 4.5)
    assert f["own"]["ratio"] == pytest.approx(3.1 / 36.0)


def test_a_fast_fresh_runner_passes_and_a_slow_one_fails() -> None:
    fast = fresh_runner.floor(_measured(8.0))
    assert fast.passes(fast.value) is True
    slow = fresh_runner.floor(_measured(30.0))
    assert slow.passes(slow.value) is False
    lines = fresh_runner.render(_measured(8.0))
    assert lines[-1].startswith("  PASS: fresh runner / PF first, own 0.086 (net 0.085)")
    assert lines[-2].startswith("  FAIL: cold first build / PF first, own 0.639")
    assert ("  remote hits 2 of 2; download 52.0 MB in 1.5 s (median); background work "
            "after a fresh synth 0.0 s (at most)") in lines
    assert fresh_runner.render(_measured(30.0))[-1].startswith("  FAIL")


def test_the_cold_first_build_is_the_warming_synth_less_its_upload() -> None:
    m = _measured(8.0)  # warming: 30 s total, 25 s own, of which 2 s uploading
    c = fresh_runner.cold_figures(m)
    assert c["total"]["cold"] == 28.0 and c["own"]["cold"] == 23.0
    assert c["net"]["cold"] == pytest.approx(28.0 - 5.1)
    assert c["own"]["ratio"] == pytest.approx(23.0 / 36.0)
    fl = fresh_runner.cold_floor(m)
    assert fl.passes(fl.value) is False  # 0.64 > 0.5
    m["warming"].update(seconds=20.0, own_s=15.0)
    fl = fresh_runner.cold_floor(m)
    assert fl.passes(fl.value) is True  # 13/36
    lines = fresh_runner.render(m)
    assert lines[-2].startswith("  PASS: cold first build / PF first, own 0.361 (net")
    assert lines[-1].startswith("  PASS: fresh runner / PF first, own 0.086")


def test_the_whole_upload_step_is_taken_off_the_cold_first_build() -> None:
    """Packing and checking the entry are the upload's, not the build's: a build without
    a remote cache does neither."""
    m = _measured(8.0)
    m["warming"]["upload_s"] = 4.5  # of which 2 s the PUT
    c = fresh_runner.cold_figures(m)
    assert c["total"]["cold"] == 25.5 and c["own"]["cold"] == 20.5
    assert any("upload step 4.5 s (packing, checking, then 52.0 MB PUT in 2.0 s)" in line
               for line in fresh_runner.render(m))


def test_a_fresh_run_that_missed_the_remote_is_not_a_sample() -> None:
    m = _measured(8.0)
    m["fresh"][1].update(remote="uploaded", seconds=90.0, own_s=80.0, after_s=3.5)
    assert fresh_runner.figures(m)["total"]["fresh"] == 8.0
    assert ("  remote hits 1 of 2; download 52.0 MB in 1.5 s (median); background work "
            "after a fresh synth 0.0 s (at most)") in fresh_runner.render(m)
    m["fresh"][0]["remote"] = "miss"
    assert fresh_runner.floor(m).value is None


def test_missing_samples_are_not_a_verdict() -> None:
    m = _measured(8.0)
    m["alpha_first"] = {"seconds": None, "own_s": None}
    fl = fresh_runner.floor(m)
    assert fl.value is None and fl.passes(fl.value) is None
    assert fresh_runner.render(m)[-1].startswith("  n/a")


@pytest.mark.docker
def test_the_measure_on_a_tiny_entry(build_image: str, tmp_path: Path) -> None:
    """Every synth of the section, on an entry with nothing to install: the fresh runners
    hit the remote that the warming synth filled."""
    if shutil.which("cdk") is None:
        pytest.skip("no CDK CLI on PATH")
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "index.py").write_text("def handler(event, context):\n    return 1\n")
    (seed / "requirements.txt").write_text("")
    m = fresh_runner.measure(tmp_path / "work", seed, build_image, None, runs=1,
                             say=lambda _line: None, warm_up=False, first_runs=2)
    assert [s["remote"] for s in m["warming"]] == ["uploaded", ""]  # a cold build, no remote
    assert len(m["alpha_first"]) == 2
    assert [s["remote"] for s in m["fresh"]] == ["hit"]
    assert m["fresh"][0]["bytes"] == m["warming"][0]["bytes"] > 0
    assert fresh_runner.floor(m).value is not None


def test_the_denominators_are_medians_of_their_synths() -> None:
    """PythonFunction's first synth and the cold build vary by ±20 % between runs: each is
    the median of its synths (the later cold builds run without the remote)."""
    m = _measured(8.0)
    m["alpha_first"] = [{"seconds": s, "own_s": s - 4.0} for s in (40.0, 30.0, 50.0)]
    m["warming"] = [{"seconds": 30.0, "own_s": 25.0, "remote": "uploaded", "upload_s": 4.0,
                     "bytes": 52_000_000, "transfer_s": 2.0},
                    {"seconds": 24.0, "own_s": 19.0, "remote": "", "upload_s": 0.0},
                    {"seconds": 29.0, "own_s": 24.0, "remote": "", "upload_s": 0.0}]
    c = fresh_runner.cold_figures(m)
    assert c["total"]["alpha"] == 40.0 and c["own"]["alpha"] == 36.0
    # less each one's upload step: 26.0, 24.0, 29.0 s; own 21.0, 19.0, 24.0 s
    assert c["total"]["cold"] == pytest.approx(26.0) and c["own"]["cold"] == pytest.approx(21.0)
    lines = fresh_runner.render(m)
    assert "  PF first: median of 3; cold first build: median of 3" in lines
    assert any("first warming synth (empty caches, builds and uploads): 30.0 s, upload step "
               "4.0 s" in line for line in lines)
