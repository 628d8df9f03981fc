"""The workload that motivated the project, for real: `cdk synth` of examples/seed
(scikit-learn, numpy, scipy from the package index) in the build image, then the
handler runs from a read-only copy of the asset with the image's Python."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_docker_build import run_in_image

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture(scope="module")
def seed_synth(build_image: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cdk = shutil.which("cdk")
    if cdk is None:
        if os.environ.get("CI"):
            pytest.fail("the CDK CLI must be on PATH on CI (scripts/dev-env.sh installs it)")
        pytest.skip("no CDK CLI on PATH")
    outdir = tmp_path_factory.mktemp("seed") / "cdk.out"
    repo, tag = build_image.rsplit(":", 1)
    env = dict(os.environ, SLIM_LAMBDA_IMAGE=repo.replace("python3.11", "{runtime}") + ":"
               + tag.replace("x86_64", "{arch}"))
    proc = subprocess.run([cdk, "synth", "--quiet", "--output", str(outdir)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "slim-lambda: SlimLambdaSeed/Seed" in proc.stderr, "the report is printed at synth"
    return outdir


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
