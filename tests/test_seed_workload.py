"""The workload that motivated the project, for real: `cdk synth` of examples/seed
(scikit-learn, numpy, scipy from the package index) in the build image, then the
handler runs from a read-only copy of the asset with the image's Python."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_docker_build import run_in_image

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_seed_bundle_fits_and_is_reported(seed_synth: Path) -> None:
    (report_file,) = seed_synth.glob("asset.*.slim-report.json")
    report = json.loads(report_file.read_text())
    assert report["limits"]["ok"] and report["unzipped_bytes"] < 262_144_000
    names = {p["name"] for p in report["packages"]}
    assert {"scikit-learn", "numpy", "scipy"} <= names
    assert report["bytecode"]["modules"] > 100
    assert {"numpy", "scipy", "sklearn"} <= set(report["verify"]["modules"])
    skipped = {s["path"].split("/")[0] for s in report["strip"]["skipped"]}
    assert "numpy.libs" in skipped, "auditwheel-vendored libraries are never stripped"
    template = json.loads((seed_synth / "SlimLambdaSeed.template.json").read_text())
    (fn,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert fn["Properties"]["Handler"] == "index.handler"


def test_seed_handler_runs_read_only(seed_synth: Path, build_image: str) -> None:
    (asset,) = [p for p in seed_synth.iterdir() if p.is_dir() and p.name.startswith("asset.")]
    run = run_in_image(build_image, asset, (
        "import json, index\nprint(json.dumps(index.handler({'seed': 1}, None)))\n"))
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["score"] > 0.8
    assert result["minimum"] == pytest.approx([3.0, 3.0], abs=1e-3)
