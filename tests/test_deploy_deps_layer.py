"""dependencies="layer" deployed twice with no AWS account: `cdk deploy` of a function whose
dependencies (the fixture wheels, one a C extension) are a slim layer, an invoke, a
one-line handler change, `cdk deploy` again into the same cdk.out, and an invoke.

What the second deploy must not do is upload the layer again: its asset hash is the same,
and its object in the bootstrap bucket keeps its ETag and LastModified (the CDK CLI finds
it there and skips it), while the function's new asset is a few kilobytes.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.cli import image_template, invoke, run_cdk
from tests.deploy.emulator import ACCOUNT, REGION, Emulator

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.deploy]

RUNTIME = "python3.11"
STACK = "SlimLambdaDepsLayer"
APP = f"""\
import os

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_

from slim_lambda import BundlingOptions, SlimPythonFunction

app = cdk.App()
# no BootstrapVersion parameter: moto's UpdateStack fails on a parameter that keeps its
# previous value (the CDK CLI passes that one so) when its CreateStack did not store it
stack = cdk.Stack(app, "{STACK}", synthesizer=cdk.DefaultStackSynthesizer(
    generate_bootstrap_version_rule=False))
SlimPythonFunction(stack, "Fn", entry=os.environ["DEPS_LAYER_ENTRY"],
                   runtime=lambda_.Runtime.PYTHON_3_11, dependencies="layer",
                   bundling=BundlingOptions(mode="docker", no_index=True,
                                            find_links=(os.environ["DEPS_LAYER_WHEELS"],)))
app.synth()
"""
HANDLER = """\
import slimfix_pure
from slimfix_cext import add

REVISION = {revision}


def handler(event, context):
    return {{"sum": add(2, 3), "pure": slimfix_pure.VERSION, "revision": REVISION}}
"""
LAYER, FUNCTION = "AWS::Lambda::LayerVersion", "AWS::Lambda::Function"


@dataclass(frozen=True)
class Project:
    app: Path
    entry: Path
    outdir: Path
    cwd: Path
    env: dict[str, str]


@dataclass(frozen=True)
class Deployed:
    keys: dict[str, str]
    """Resource type → the S3 key of its asset."""
    objects: dict[str, dict[str, Any]]
    """S3 key → the object's ETag, LastModified and size in the bootstrap bucket."""
    function: str



@pytest.fixture(scope="module")
def project(emulator: Emulator, build_image: str, wheels: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("deps-layer")
    entry = root / "function"
    entry.mkdir()
    (entry / "requirements.txt").write_text("slimfix-pure\nslimfix-cext\n")
    (entry / "index.py").write_text(HANDLER.format(revision=1))
    app = root / "app.py"
    app.write_text(APP)
    env = emulator.env(os.environ)
    env.update(DEPS_LAYER_ENTRY=str(entry), DEPS_LAYER_WHEELS=str(wheels),
               SLIM_LAMBDA_IMAGE=image_template(build_image))
    cwd = root / "cwd"  # no cdk.json: the app is named on the command line
    cwd.mkdir()
    run_cdk(["bootstrap", f"aws://{ACCOUNT}/{REGION}"], cwd=cwd, env=env, timeout=600)
    return Project(app=app, entry=entry, outdir=root / "cdk.out", cwd=cwd, env=env)


def _bucket(emulator: Emulator) -> str:
    names = [b["Name"] for b in emulator.client("s3").list_buckets()["Buckets"]]
    (bucket,) = [n for n in names if n.startswith("cdk-") and "-assets-" in n]
    return bucket


def _deploy(emulator: Emulator, project: Project) -> Deployed:
    """`cdk deploy` as a user runs it: synthesize the app into cdk.out, upload, deploy.
    ``--method direct`` (CreateStack / UpdateStack): moto cannot update a stack through
    a change set ("Stack with id cdk-deploy-change-set does not exist")."""
    run_cdk(["deploy", "--app", f"{sys.executable} {project.app}", "--output",
             str(project.outdir), "--require-approval", "never", "--progress", "events",
             "--method", "direct", STACK], cwd=project.cwd, env=project.env, timeout=1800)
    template = json.loads((project.outdir / f"{STACK}.template.json").read_text())
    keys, logical = {}, {}
    for logical_id, resource in template["Resources"].items():
        code = resource["Properties"].get("Code") or resource["Properties"].get("Content")
        if resource["Type"] in (LAYER, FUNCTION):
            keys[resource["Type"]] = code["S3Key"]
            logical[resource["Type"]] = logical_id
    s3 = emulator.client("s3")
    bucket = _bucket(emulator)
    objects = {}
    for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        objects[item["Key"]] = {"etag": item["ETag"], "modified": item["LastModified"],
                                "size": item["Size"]}
    (resource,) = emulator.client("cloudformation").describe_stack_resources(
        StackName=STACK, LogicalResourceId=logical[FUNCTION])["StackResources"]
    return Deployed(keys=keys, objects=objects, function=resource["PhysicalResourceId"])


@pytest.fixture(scope="module")
def first(emulator: Emulator, project: Project) -> Deployed:
    return _deploy(emulator, project)


@pytest.fixture(scope="module")
def second(emulator: Emulator, project: Project, first: Deployed) -> Deployed:
    assert invoke(emulator, first.function, {})["revision"] == 1
    (project.entry / "index.py").write_text(HANDLER.format(revision=2))
    return _deploy(emulator, project)


def test_the_first_deploy_answers_with_the_layers_packages(emulator: Emulator,
                                                           first: Deployed) -> None:
    config = emulator.client("lambda").get_function(FunctionName=first.function)
    (layer,) = config["Configuration"]["Layers"]
    assert layer["CodeSize"] == first.objects[first.keys[LAYER]]["size"]
    assert invoke(emulator, first.function, {}) == {"sum": 5, "pure": "1.0.0", "revision": 1}
    # the function's own asset is its code; the packages came from the layer
    assert first.objects[first.keys[FUNCTION]]["size"] < 100_000
    assert first.objects[first.keys[LAYER]]["size"] > first.objects[first.keys[FUNCTION]][
        "size"]


def test_a_handler_change_uploads_only_the_function(emulator: Emulator, first: Deployed,
                                                     second: Deployed) -> None:
    layer_key = first.keys[LAYER]
    assert second.keys[LAYER] == layer_key, "the layer's asset hash did not change"
    assert second.objects[layer_key] == first.objects[layer_key], (
        "the layer's object in S3 was written again")
    new = second.keys[FUNCTION]
    assert new != first.keys[FUNCTION]
    assert new not in first.objects and new in second.objects
    assert second.objects[new]["size"] < 100_000
    uploaded = set(second.objects) - set(first.objects)
    assert uploaded - {new} <= {k for k in uploaded if k.endswith(".json")}, (
        f"only the function's zip (and the template) are new: {sorted(uploaded)}")


def test_the_redeployed_function_answers_with_the_new_code(emulator: Emulator,
                                                           second: Deployed) -> None:
    assert invoke(emulator, second.function, {}) == {"sum": 5, "pure": "1.0.0", "revision": 2}
    (stack,) = emulator.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
