"""The seed workload with numpy and scipy in a slim layer (examples/layered), deployed and
invoked with no AWS account, as tests/test_deploy.py does for examples/seed.

The function bundles scikit-learn and what it needs beyond the layer; numpy and scipy
reach the handler only through the layer, which moto extracts to ``/opt`` as Lambda
does (the runtime image puts ``/opt/python`` on ``sys.path``). moto's CloudFormation
drops a function's ``Layers``; the emulator's server (tests/deploy/moto_server.py)
wires them as CloudFormation does on AWS, and says exactly how.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from slim_lambda.run import zipafter
from slim_lambda.run.cache import default_cache_dir
from tests.deploy.cli import bootstrap_and_deploy, image_template, invoke, need, run_cdk
from tests.deploy.emulator import (
    RUNTIME_REPO,
    Emulator,
)

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.deploy]

RUNTIME = "python3.11"
STACK = "SlimLambdaLayered"
APP = "python3 examples/layered/app.py"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def layered_assembly(build_image: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/layered synthesized with `cdk synth` and the local build image."""
    need(None if shutil.which("cdk") else "no CDK CLI on PATH (scripts/dev-env.sh installs it)")
    env = dict(os.environ, SLIM_LAMBDA_IMAGE=image_template(build_image))
    for _new_then_cached in range(2):  # the second report has the exact zipped sizes
        outdir = tmp_path_factory.mktemp("layered") / "cdk.out"
        proc = run_cdk(["synth", "--quiet", "--app", APP, "--output", str(outdir)], cwd=REPO,
                       env=env, timeout=1800)
        assert f"slim-lambda: {STACK}/Model" in proc.stderr, "the report is printed at synth"
        assert zipafter.wait(default_cache_dir())
    return outdir



@dataclass(frozen=True)
class Asset:
    logical_id: str  # of the resource that uses it in the template
    report: dict[str, Any]
    zip_file: Path  # the archive the CDK CLI built from the asset and uploaded


@dataclass(frozen=True)
class Deployed:
    function: str
    layer_version_arn: str
    function_asset: Asset
    layer_asset: Asset


def _asset(assembly: Path, template: dict[str, Any], resource_type: str) -> Asset:
    (logical_id,) = [k for k, r in template["Resources"].items() if r["Type"] == resource_type]
    properties = template["Resources"][logical_id]["Properties"]
    key = properties["Code" if "Code" in properties else "Content"]["S3Key"]
    report_file = assembly / f"asset.{key.removesuffix('.zip')}.slim-report.json"
    return Asset(logical_id=logical_id, report=json.loads(report_file.read_text()),
                 zip_file=assembly / ".cache" / key)


@pytest.fixture(scope="module")
def deployed(emulator: Emulator, layered_assembly: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    """`cdk bootstrap` and `cdk deploy` of the synthesized layered app, as a user would."""
    bootstrap_and_deploy(emulator, layered_assembly, STACK, tmp_path_factory.mktemp("cdk-cwd"))

    template = json.loads((layered_assembly / f"{STACK}.template.json").read_text())
    function_asset = _asset(layered_assembly, template, "AWS::Lambda::Function")
    layer_asset = _asset(layered_assembly, template, "AWS::Lambda::LayerVersion")
    function_properties = template["Resources"][function_asset.logical_id]["Properties"]
    assert function_properties["Layers"] == [{"Ref": layer_asset.logical_id}]

    cfn = emulator.client("cloudformation")

    def physical_id(logical_id: str) -> str:
        (resource,) = cfn.describe_stack_resources(
            StackName=STACK, LogicalResourceId=logical_id)["StackResources"]
        physical: str = resource["PhysicalResourceId"]
        return physical

    return Deployed(function=physical_id(function_asset.logical_id),
                    layer_version_arn=physical_id(layer_asset.logical_id),
                    function_asset=function_asset, layer_asset=layer_asset)


def test_layered_function_deploys_and_answers(emulator: Emulator, deployed: Deployed) -> None:
    (stack,) = emulator.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    config = emulator.client("lambda").get_function(
        FunctionName=deployed.function)["Configuration"]
    assert (config["Runtime"], config["Handler"]) == (RUNTIME, "index.handler")
    assert config["Layers"] == [{"Arn": deployed.layer_version_arn,
                                 "CodeSize": deployed.layer_asset.report["zipped_bytes"]}]

    first = invoke(emulator, deployed.function, {"seed": 1})
    # the handler fits a logistic regression to y = [x·(1.5, -2, 0.5) + noise > 0]
    assert first["score"] > 0.8
    assert [c > 0 for c in first["coef"]] == [True, False, True]
    assert first["minimum"] == pytest.approx([3.0, 3.0], abs=1e-3)
    in_layer = {p["name"]: p["version"] for p in deployed.layer_asset.report["packages"]}
    assert first["numpy"] == in_layer["numpy"], "the layer's numpy answered"
    second = invoke(emulator, deployed.function, {"seed": 2})
    assert second["coef"] != first["coef"], "the event reached the handler"


def test_numpy_and_scipy_reach_the_handler_only_through_the_layer(deployed: Deployed) -> None:
    """So the answer above proves the layer was at /opt/python when the handler ran."""
    bundled = {p["name"] for p in deployed.function_asset.report["packages"]}
    assert "scikit-learn" in bundled and not {"numpy", "scipy"} & bundled, bundled
    with zipfile.ZipFile(deployed.function_asset.zip_file) as zf:
        top = {name.split("/")[0] for name in zf.namelist()}
    assert "sklearn" in top and not {"numpy", "scipy"} & top, sorted(top)
    with zipfile.ZipFile(deployed.layer_asset.zip_file) as zf:
        names = set(zf.namelist())
    assert {"python/numpy/__init__.py", "python/scipy/__init__.py"} <= names
    image = f"{RUNTIME_REPO}:{RUNTIME}"
    run = subprocess.run(["docker", "run", "--rm", "--network", "none", "--entrypoint",
                          "python3", image, "-s", "-c", "import numpy"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "No module named 'numpy'" in run.stderr, (
        f"{image} must not provide numpy itself:\n{run.stdout}{run.stderr}")


def test_deployed_code_sizes_are_the_reported_zipped_sizes(emulator: Emulator,
                                                           deployed: Deployed) -> None:
    lam = emulator.client("lambda")
    layer_name, version = deployed.layer_version_arn.split(":")[-2:]
    versions = lam.list_layer_versions(LayerName=layer_name)["LayerVersions"]
    assert [v["LayerVersionArn"] for v in versions] == [deployed.layer_version_arn]
    layer = lam.get_layer_version(LayerName=layer_name, VersionNumber=int(version))
    assert layer["CompatibleRuntimes"] == [RUNTIME]
    config = lam.get_function(FunctionName=deployed.function)["Configuration"]

    for what, asset, code_size in (("layer", deployed.layer_asset, layer["Content"]["CodeSize"]),
                                   ("function", deployed.function_asset, config["CodeSize"])):
        with zipfile.ZipFile(asset.zip_file) as zf:
            entries = [i for i in zf.infolist() if not i.is_dir()]
        assert code_size == asset.zip_file.stat().st_size, f"moto stores the uploaded {what}"
        assert sum(i.file_size for i in entries) == asset.report["unzipped_bytes"], what
        assert len(entries) == asset.report["files"], what
        assert code_size == asset.report["zipped_bytes"], (
            f"{what} CodeSize {code_size:,} != report zipped_bytes "
            f"{asset.report['zipped_bytes']:,} ({asset.zip_file})")


WRITES_NEXT_TO_ITSELF = """\
import os


def write():
    with open("/tmp/scratch.json", "w") as f:  # /tmp is writable on Lambda
        f.write("{}")
    with open(os.path.join(os.path.dirname(__file__), "cache.json"), "w") as f:
        f.write("{}")
    return {"wrote": "next to itself"}
"""


def _zip(files: dict[str, str]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return data.getvalue()


def test_layer_code_that_writes_next_to_itself_fails(emulator: Emulator) -> None:
    """A layer is read-only at /opt, as on Lambda (where the write raises EROFS)."""
    lam = emulator.client("lambda")
    # not "...layer": moto names the layer's volume after what follows the last "layer:"
    # in the version ARN, and Docker refuses the one-character name "1"
    layer = lam.publish_layer_version(
        LayerName="writer-lib", CompatibleRuntimes=[RUNTIME],
        Content={"ZipFile": _zip({"python/layer_writer.py": WRITES_NEXT_TO_ITSELF})})
    role = emulator.client("iam").create_role(
        RoleName="layer-writer", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
    lam.create_function(
        FunctionName="layer-writer", Runtime=RUNTIME, Role=role, Handler="index.handler",
        Layers=[layer["LayerVersionArn"]],
        Code={"ZipFile": _zip({"index.py": "import layer_writer\n\n\n"
                                           "def handler(event, context):\n"
                                           "    return layer_writer.write()\n"})})
    response = lam.invoke(FunctionName="layer-writer", Payload=b"{}")
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" in response, payload
    # the import worked (no Runtime.ImportModuleError): the layer was at /opt/python
    assert payload["errorType"] in ("PermissionError", "OSError"), payload
    assert "/opt/python/cache.json" in payload["errorMessage"], payload
