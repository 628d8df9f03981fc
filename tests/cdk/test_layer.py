"""Slim layers: built by the same pipeline under python/, counted with the function,
distributions not bundled twice, Lambda's layer rules checked at synth; LayerVersion props
passed through, and rejected with the construct's name (those tests need no Docker)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_lambda as lambda_

from slim_lambda import (
    BundlingOptions,
    ConfigurationError,
    SizeLimits,
    SlimPythonFunction,
    SlimPythonLayerVersion,
)
from slim_lambda.cdk.props import accepted_keywords
from tests.test_docker_build import run_in_image

PY311 = lambda_.Runtime.PYTHON_3_11


def _layer_entry(root: Path, name: str, requirements: str) -> Path:
    d = root / name
    d.mkdir()
    (d / "requirements.txt").write_text(requirements)
    return d


def _bundling(wheels: Path, image: str) -> BundlingOptions:
    return BundlingOptions(image=image, find_links=(str(wheels),), no_index=True)


def _reports(outdir: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for path in outdir.glob("asset.*.slim-report.json"):
        report = json.loads(path.read_text())
        found[report["label"]] = report
    return found


def _app(tmp_path: Path) -> tuple[cdk.App, cdk.Stack]:
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    return app, cdk.Stack(app, "S")


@pytest.mark.docker
def test_function_with_two_slim_layers(entry: Path, wheels: Path, build_image: str,
                                       tmp_path: Path, clean_env: None) -> None:
    app, stack = _app(tmp_path)
    bundling = _bundling(wheels, build_image)
    pure = SlimPythonLayerVersion(stack, "Pure", entry=str(_layer_entry(
        tmp_path, "pure", "slimfix-pure==1.0.0\n")), compatible_runtimes=[PY311],
        bundling=bundling)
    cext = SlimPythonLayerVersion(stack, "Cext", entry=str(_layer_entry(
        tmp_path, "cext", "slimfix-cext\n")), compatible_runtimes=[PY311], bundling=bundling)
    SlimPythonFunction(stack, "F", entry=str(entry), runtime=PY311, layers=[pure, cext],
                       bundling=bundling)
    template = assertions.Template.from_stack(stack)
    app.synth()
    template.resource_count_is("AWS::Lambda::LayerVersion", 2)
    fn = template.find_resources("AWS::Lambda::Function")
    (props,) = [r["Properties"] for r in fn.values()]
    assert len(props["Layers"]) == 2

    reports = _reports(tmp_path / "cdk.out")
    layer_pure, layer_cext, function = reports["S/Pure"], reports["S/Cext"], reports["S/F"]
    # the layers hold their packages under python/
    assert [p["name"] for p in layer_pure["packages"]] == ["slimfix-pure"]
    assert layer_pure["prefix"] == "python/"
    assert all(e["path"].startswith("python/") for e in layer_cext["elf"])
    # the function needs both, and bundles neither: the layers provide the same versions
    assert sorted(d["name"] for d in function["deduplicated"]) == ["slimfix-cext",
                                                                    "slimfix-pure"]
    assert function["packages"] == []
    assert [layer["label"] for layer in function["layers"]] == ["S/Pure", "S/Cext"]
    assert function["combined_unzipped_bytes"] == (
        function["unzipped_bytes"] + layer_pure["unzipped_bytes"]
        + layer_cext["unzipped_bytes"])
    # verify imported the function's modules with the layers on sys.path
    assert function["import_failures"] == []

    # and the function really runs with the layers where Lambda puts them (/opt/python)
    out = tmp_path / "cdk.out"
    assets = {r["label"]: p for p in out.glob("asset.*.slim-report.json")
              for r in [json.loads(p.read_text())]}
    fn_dir = Path(str(assets["S/F"]).removesuffix(".slim-report.json"))
    merged = tmp_path / "opt"
    for label in ("S/Pure", "S/Cext"):
        layer_dir = Path(str(assets[label]).removesuffix(".slim-report.json"))
        cdk_copy = merged / "python"
        cdk_copy.mkdir(parents=True, exist_ok=True)
        for f in (layer_dir / "python").rglob("*"):
            target = cdk_copy / f.relative_to(layer_dir / "python")
            if f.is_dir():
                target.mkdir(exist_ok=True)
            else:
                target.write_bytes(f.read_bytes())
    run = run_in_image(build_image, fn_dir, "import sys; sys.path.append('/opt/python'); "
                       "import index, json; print(json.dumps(index.handler({}, None)))",
                       extra_mounts=((merged, "/opt"),))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1])["sum"] == 5


@pytest.mark.docker
def test_layer_version_conflict_is_an_error(entry: Path, wheels: Path, build_image: str,
                                            tmp_path: Path, clean_env: None) -> None:
    _unused, stack = _app(tmp_path)
    bundling = _bundling(wheels, build_image)
    layer = SlimPythonLayerVersion(stack, "L", entry=str(_layer_entry(
        tmp_path, "l", "slimfix-pure\n")), compatible_runtimes=[PY311], bundling=bundling)
    (entry / "requirements.txt").write_text("slimfix-pure==1.0.0\nslimfix-cext\n")
    # the layer provides 1.0.0 as well: no conflict
    SlimPythonFunction(stack, "Ok", entry=str(entry), runtime=PY311, layers=[layer],
                       bundling=bundling)
    assert layer.share().packages == {"slimfix-pure": "1.0.0"}


@pytest.mark.docker
def test_combined_limit_names_the_largest_contributors(entry: Path, wheels: Path,
                                                       build_image: str, tmp_path: Path,
                                                       clean_env: None) -> None:
    _unused, stack = _app(tmp_path)
    bundling = _bundling(wheels, build_image)
    layer = SlimPythonLayerVersion(stack, "Cext", entry=str(_layer_entry(
        tmp_path, "cext", "slimfix-cext\n")), compatible_runtimes=[PY311], bundling=bundling)
    layer_bytes = layer.share().unzipped_bytes
    assert layer_bytes > 0
    (entry / "requirements.txt").write_text("slimfix-pure\n")
    # the function alone fits; with the layer it does not
    with pytest.raises(Exception) as info:
        SlimPythonFunction(stack, "F", entry=str(entry), runtime=PY311, layers=[layer],
                           bundling=bundling,
                           size_limits=SizeLimits(unzipped_bytes=layer_bytes + 1000))
    text = str(info.value)
    assert "unzipped" in text and "over" in text
    assert "function plus layers" in text
    assert "largest contributors" in text
    assert "slimfix-cext" in text and "[layer S/Cext]" in text
    assert "slimfix-pure" in text and "[function]" in text


@pytest.mark.docker
def test_more_than_five_layers_fails_at_synth(entry: Path, tmp_path: Path) -> None:
    _unused, stack = _app(tmp_path)
    layers = [lambda_.LayerVersion.from_layer_version_arn(
        stack, f"L{i}", f"arn:aws:lambda:us-east-1:123456789012:layer:l{i}:1") for i in range(6)]
    with pytest.raises(ConfigurationError, match="6 layers given; a Lambda function can use "
                       "at most 5"):
        SlimPythonFunction(stack, "F", entry=str(entry), runtime=PY311, layers=layers)


@pytest.mark.docker
def test_layer_for_another_runtime_or_architecture_fails(entry: Path, wheels: Path,
                                                         tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path / "cdk.out"), context={
        "aws:cdk:bundling-stacks": []})  # construct only: nothing is built
    stack = cdk.Stack(app, "S")
    layer = SlimPythonLayerVersion(
        stack, "L", entry=str(_layer_entry(tmp_path, "l", "slimfix-pure\n")),
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
        compatible_architectures=[lambda_.Architecture.ARM_64])
    with pytest.raises(ConfigurationError) as info:
        SlimPythonFunction(stack, "F", entry=str(entry), runtime=PY311, layers=[layer])
    text = str(info.value)
    assert "is built for python3.12, but the function runs python3.11" in text
    assert "is built for arm64, but the function is x86_64" in text


@pytest.mark.docker
def test_foreign_layer_size_is_unknown_unless_declared(entry: Path, wheels: Path,
                                                       build_image: str, tmp_path: Path,
                                                       clean_env: None) -> None:
    app, stack = _app(tmp_path)
    arn = "arn:aws:lambda:us-east-1:123456789012:layer:foreign:3"
    other = "arn:aws:lambda:us-east-1:123456789012:layer:other:1"
    layers = [lambda_.LayerVersion.from_layer_version_arn(stack, "Foreign", arn),
              lambda_.LayerVersion.from_layer_version_arn(stack, "Other", other)]
    SlimPythonFunction(stack, "F", entry=str(entry), runtime=PY311, layers=layers,
                       bundling=_bundling(wheels, build_image),
                       layer_sizes={arn: 100 * 1024 * 1024})
    app.synth()
    (report,) = _reports(tmp_path / "cdk.out").values()
    by_label = {layer["label"]: layer for layer in report["layers"]}
    assert by_label[arn]["declared"] and by_label[arn]["unzipped_bytes"] == 104857600
    assert not by_label[other]["size_known"]
    assert any("layer " + other in w and "size unknown" in w for w in report["warnings"])
    assert report["combined_unzipped_bytes"] == report["unzipped_bytes"] + 104857600


# -- LayerVersion props (construct only: nothing is built, Docker is never contacted) --------

def _construct_only() -> cdk.Stack:
    return cdk.Stack(cdk.App(context={"aws:cdk:bundling-stacks": []}), "S")


def _layer(stack: cdk.Stack, entry: Path, **kw: Any) -> SlimPythonLayerVersion:
    return SlimPythonLayerVersion(stack, "L", entry=str(entry), compatible_runtimes=[PY311],
                                  **kw)


def test_layer_props_reach_the_template(entry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    stack = _construct_only()
    layer = _layer(stack, entry, description="deps", layer_version_name="slim-deps",
                   license="MIT", removal_policy=cdk.RemovalPolicy.RETAIN,
                   compatible_architectures=[lambda_.Architecture.ARM_64])
    template = assertions.Template.from_stack(stack)
    template.has_resource("AWS::Lambda::LayerVersion", {
        "Properties": {"Description": "deps", "LayerName": "slim-deps", "LicenseInfo": "MIT",
                       "CompatibleRuntimes": ["python3.11"],
                       "CompatibleArchitectures": ["arm64"]},
        "DeletionPolicy": "Retain"})
    assert layer.build_request.prefix == "python/"
    assert layer.build_request.platform == "linux/arm64"


def test_layer_typed_keywords_are_layer_version_props() -> None:
    ours = {"self", "scope", "id", "kwargs", "entry", "bundling", "slim", "size_limits"}
    typed = set(inspect.signature(SlimPythonLayerVersion.__init__).parameters) - ours
    assert {"compatible_runtimes", "description", "removal_policy"} <= typed
    assert typed - accepted_keywords(lambda_.LayerVersion) == set()


def test_layer_unknown_owned_and_bad_keywords(entry: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        _layer(_construct_only(), entry, licence="MIT", code=lambda_.Code.from_inline("x"))
    assert str(info.value).startswith("SlimPythonLayerVersion S/L: 2 problem(s)")
    licence, code = info.value.problems
    assert licence.startswith("licence: not an option of aws_lambda.LayerVersion (aws-cdk-lib ")
    assert licence.endswith("did you mean license=...?")
    assert code.startswith("code: SlimPythonLayerVersion builds the code from entry=...")
    with pytest.raises(ConfigurationError, match=r"S/L: 1 problem.*\n  - description: "
                       r"aws_lambda\.LayerVersion rejects it: type of argument description"):
        _layer(_construct_only(), entry, description=42)


def test_layer_runtime_count_is_reported_with_the_other_problems(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        SlimPythonLayerVersion(_construct_only(), "L", entry=str(tmp_path / "missing"),
                               compatible_runtimes=[PY311, lambda_.Runtime.PYTHON_3_12],
                               bogus=1)
    text = str(info.value)
    assert "SlimPythonLayerVersion S/L: 3 problem(s)" in text
    assert "bogus: not an option of aws_lambda.LayerVersion" in text
    assert "compatible_runtimes: give exactly one Python runtime" in text
    assert f"entry: directory {tmp_path / 'missing'} does not exist" in text


POWERTOOLS = "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3:7"


def test_a_foreign_layer_declares_what_it_provides(entry: Path) -> None:
    stack = cdk.Stack(cdk.App(context={"aws:cdk:bundling-stacks": []}), "S")
    layer = lambda_.LayerVersion.from_layer_version_arn(stack, "P", POWERTOOLS)
    fn = SlimPythonFunction(stack, "F", entry=str(entry), runtime=PY311, layers=[layer],
                            layer_packages={POWERTOOLS: ["aws-lambda-powertools==3.4.0"]},
                            bundling=BundlingOptions(provided=("boto3",)))
    assert fn.build_request.bundling.provided == ("boto3", "aws-lambda-powertools==3.4.0")


def test_layer_packages_of_a_layer_the_function_does_not_use(entry: Path) -> None:
    stack = cdk.Stack(cdk.App(context={"aws:cdk:bundling-stacks": []}), "S")
    with pytest.raises(ConfigurationError) as raised:
        SlimPythonFunction(stack, "F", entry=str(entry), runtime=PY311,
                           layer_packages={POWERTOOLS: ["aws-lambda-powertools"]})
    assert (f"layer_packages: {POWERTOOLS} is not one of the function's layers (that are not "
            "slim-lambda's); give the ARN of a layer in layers=[...]") in str(raised.value)
