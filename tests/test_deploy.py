"""The seed workload deployed and invoked, with no AWS account: a moto server on
loopback, the real CDK CLI (`cdk bootstrap`, `cdk deploy`) against it, and the
function run by moto in a Lambda-like runtime image with its code read-only."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.cli import bootstrap_and_deploy, invoke, need
from tests.deploy.emulator import Emulator

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.deploy]

RUNTIME = "python3.11"
STACK = "SlimLambdaSeed"


@pytest.fixture(scope="module")
def cdk_cli() -> None:
    need(None if shutil.which("cdk") else
          "no CDK CLI on PATH (scripts/dev-env.sh installs it)")


@pytest.fixture(scope="module")
def seed_assembly(seed_synth_again: Path, cdk_cli: None) -> Path:
    """examples/seed synthesized again after tests/test_seed_workload.py's synth, so that
    its report has the exact zipped size the deployed CodeSize is checked against."""
    return seed_synth_again



@dataclass(frozen=True)
class Deployed:
    function: str
    asset: Path  # the asset directory in cdk.out
    report: dict[str, Any]
    zip_file: Path  # the archive the CDK CLI built from the asset and uploaded


@pytest.fixture(scope="module")
def deployed(emulator: Emulator, seed_assembly: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    """`cdk bootstrap` and `cdk deploy` of the synthesized seed app, as a user would."""
    bootstrap_and_deploy(emulator, seed_assembly, STACK, tmp_path_factory.mktemp("cdk-cwd"))

    template = json.loads((seed_assembly / f"{STACK}.template.json").read_text())
    (logical_id,) = [k for k, r in template["Resources"].items()
                     if r["Type"] == "AWS::Lambda::Function"]
    key = template["Resources"][logical_id]["Properties"]["Code"]["S3Key"]
    asset_hash = key.removesuffix(".zip")
    resources = emulator.client("cloudformation").describe_stack_resources(
        StackName=STACK, LogicalResourceId=logical_id)["StackResources"]
    (function,) = [r["PhysicalResourceId"] for r in resources]
    report_file = seed_assembly / f"asset.{asset_hash}.slim-report.json"
    return Deployed(function=function, asset=seed_assembly / f"asset.{asset_hash}",
                    report=json.loads(report_file.read_text()),
                    zip_file=seed_assembly / ".cache" / key)


def test_seed_deploys_and_answers(emulator: Emulator, deployed: Deployed) -> None:
    cfn = emulator.client("cloudformation")
    (stack,) = cfn.describe_stacks(StackName=STACK)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    config = emulator.client("lambda").get_function(
        FunctionName=deployed.function)["Configuration"]
    assert (config["Runtime"], config["Handler"]) == (RUNTIME, "index.handler")

    first = invoke(emulator, deployed.function, {"seed": 1})
    # the handler fits a logistic regression to y = [x·(1.5, -2, 0.5) + noise > 0]
    assert first["score"] > 0.8
    assert [c > 0 for c in first["coef"]] == [True, False, True]
    assert first["minimum"] == pytest.approx([3.0, 3.0], abs=1e-3)
    versions = {p["name"]: p["version"] for p in deployed.report["packages"]}
    assert first["numpy"] == versions["numpy"], "the deployed bundle's numpy answered"
    second = invoke(emulator, deployed.function, {"seed": 2})
    assert second["coef"] != first["coef"], "the event reached the handler"


def test_deployed_code_size_is_the_reported_zipped_size(emulator: Emulator,
                                                        deployed: Deployed) -> None:
    config = emulator.client("lambda").get_function(
        FunctionName=deployed.function)["Configuration"]
    with zipfile.ZipFile(deployed.zip_file) as zf:
        entries = [i for i in zf.infolist() if not i.is_dir()]
    assert config["CodeSize"] == deployed.zip_file.stat().st_size, "moto stores what was uploaded"
    assert sum(i.file_size for i in entries) == deployed.report["unzipped_bytes"]
    assert len(entries) == deployed.report["files"]

    data = sum(i.compress_size for i in entries)
    headers = config["CodeSize"] - data
    layout = 22 + sum(30 + 46 + 2 * len(i.filename.encode()) for i in entries)
    assert config["CodeSize"] == deployed.report["zipped_bytes"], (
        f"CodeSize {config['CodeSize']:,} != report zipped_bytes "
        f"{deployed.report['zipped_bytes']:,}. In {deployed.zip_file}: headers {headers:,} "
        f"(the report's layout gives {layout:,}), deflated data {data:,} "
        f"(the report implies {deployed.report['zipped_bytes'] - layout:,})")


WRITES_NEXT_TO_ITSELF = """\
import os


def handler(event, context):
    with open("/tmp/scratch.json", "w") as f:  # /tmp is writable on Lambda
        f.write("{}")
    with open(os.path.join(os.path.dirname(__file__), "cache.json"), "w") as f:
        f.write("{}")
    return {"wrote": "next to itself"}
"""


def test_code_that_writes_next_to_itself_fails(emulator: Emulator) -> None:
    """/var/task is read-only to the handler, as on Lambda (where the write raises EROFS)."""
    role = emulator.client("iam").create_role(
        RoleName="writer", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zf:
        zf.writestr("index.py", WRITES_NEXT_TO_ITSELF)
    lam = emulator.client("lambda")
    lam.create_function(FunctionName="writer", Runtime=RUNTIME, Role=role,
                        Handler="index.handler", Code={"ZipFile": code.getvalue()})
    response = lam.invoke(FunctionName="writer", Payload=b"{}")
    payload = json.loads(response["Payload"].read())
    # Lambda says "Unhandled" here, moto "Handled"
    assert "FunctionError" in response, payload
    assert payload["errorType"] in ("PermissionError", "OSError"), payload
    assert "/var/task/cache.json" in payload["errorMessage"], payload
