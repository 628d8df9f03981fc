"""examples/monorepo (a uv workspace: two functions, two shared libraries) synthesized
with the CDK CLI, deployed with no AWS account (moto, as tests/test_deploy.py), and both
functions invoked: the shared code each one uses reached Lambda inside its own asset."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.deploy.cli import bootstrap_and_deploy, image_template, invoke, need, run_cdk
from tests.deploy.emulator import Emulator

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.deploy]

RUNTIME = "python3.11"
STACK = "SlimLambdaMonorepo"
APP = "python3 examples/monorepo/app.py"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def assembly(build_image: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    need(None if shutil.which("cdk") else "no CDK CLI on PATH (scripts/dev-env.sh installs it)")
    outdir = tmp_path_factory.mktemp("monorepo") / "cdk.out"
    env = dict(os.environ, SLIM_LAMBDA_IMAGE=image_template(build_image))
    proc = run_cdk(["synth", "--quiet", "--app", APP, "--output", str(outdir)], cwd=REPO,
                   env=env, timeout=1800)
    for name in ("Api", "Jobs"):
        assert f"slim-lambda: {STACK}/{name}" in proc.stderr, "the report is printed at synth"
    return outdir



def _reports(assembly: Path) -> dict[str, dict[str, object]]:
    reports = [json.loads(p.read_text()) for p in assembly.glob("asset.*.slim-report.json")]
    return {str(r["label"]).split("/")[-1]: r for r in reports}


def test_each_function_ships_the_shared_libraries_it_uses(assembly: Path) -> None:
    reports = _reports(assembly)
    packages = {name: {p["name"] for p in r["packages"]}  # type: ignore[attr-defined]
                for name, r in reports.items()}
    assert packages == {"Api": {"common", "formats", "PyYAML"}, "Jobs": {"common"}}
    for report in reports.values():
        assert report["manifest"]["path"] == "../../uv.lock"  # type: ignore[index]


def test_both_functions_deploy_and_answer(emulator: Emulator, assembly: Path,
                                         tmp_path_factory: pytest.TempPathFactory) -> None:
    bootstrap_and_deploy(emulator, assembly, STACK, tmp_path_factory.mktemp("cdk-cwd"))
    template = json.loads((assembly / f"{STACK}.template.json").read_text())
    cfn = emulator.client("cloudformation")
    functions = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        (found,) = cfn.describe_stack_resources(
            StackName=STACK, LogicalResourceId=logical_id)["StackResources"]
        functions[logical_id.rstrip("0123456789ABCDEF")] = found["PhysicalResourceId"]
        key = resource["Properties"]["Code"]["S3Key"]
        with zipfile.ZipFile(assembly / ".cache" / key) as zf:
            assert "common/__init__.py" in zf.namelist(), "the shared code is in the asset"
    api = next(v for k, v in functions.items() if k.startswith("Api"))
    jobs = next(v for k, v in functions.items() if k.startswith("Jobs"))
    assert invoke(emulator, api, {"name": "monorepo"}) == {
        "statusCode": 200, "body": "greeting: hello, monorepo\n"}
    assert invoke(emulator, jobs, {}) == {"done": "hello, jobs"}
