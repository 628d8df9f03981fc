"""SlimPythonFunction(dependencies="layer"): the dependencies become one slim layer per
stack and set of dependencies, shared by the functions that have them; the function's
asset is its own code; a handler change leaves the layer's asset as it was. The tests
without the docker mark construct only (no build, Docker never contacted)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_lambda as lambda_

from slim_lambda import (
    BundlingOptions,
    ConfigurationError,
    SizeLimitError,
    SizeLimits,
    SlimPythonFunction,
    SlimPythonLayerVersion,
)
from slim_lambda.cdk.deps_layer import SlimDependencyLayer
from tests.fixtures.releases import write_wheel
from tests.test_docker_build import run_in_image
from tests.test_errors import ours

PY311 = lambda_.Runtime.PYTHON_3_11
HANDLER = ("from slimfix_cext import add\n\n\n"
           "def handler(event, context):\n    return {'sum': add(2, 3)}\n")


def _second_entry(tmp_path: Path, entry: Path, name: str = "other") -> Path:
    """Another function with the same requirements and its own handler."""
    other = tmp_path / name
    other.mkdir()
    shutil.copy(entry / "requirements.txt", other / "requirements.txt")
    (other / "index.py").write_text(HANDLER)
    return other


def _fn(stack: cdk.Stack, name: str, entry: Path, **kw: Any) -> SlimPythonFunction:
    kw.setdefault("dependencies", "layer")
    return SlimPythonFunction(stack, name, entry=str(entry), runtime=PY311, **kw)


# -- construct only ---------------------------------------------------------------------------

@pytest.fixture
def construct_only(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> cdk.Stack:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    return cdk.Stack(cdk.App(context={"aws:cdk:bundling-stacks": []}), "S")


def test_one_layer_per_set_of_dependencies_in_a_stack(construct_only: cdk.Stack, entry: Path,
                                                      tmp_path: Path) -> None:
    stack = construct_only
    a = _fn(stack, "A", entry)
    b = _fn(stack, "B", _second_entry(tmp_path, entry))
    other = _second_entry(tmp_path, entry, "pure-only")
    (other / "requirements.txt").write_text("slimfix-pure\n")
    (other / "index.py").write_text("import slimfix_pure\n\n\ndef handler(e, c):\n    return 1\n")
    c = _fn(stack, "C", other)
    assert isinstance(a.dependency_layer, SlimDependencyLayer)
    assert a.dependency_layer is b.dependency_layer
    assert c.dependency_layer is not None and c.dependency_layer is not a.dependency_layer
    assert a.dependency_layer.node.scope is stack
    assert a.dependency_layer.node.id.startswith("Dependencies")

    template = assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::Lambda::LayerVersion", 2)
    template.has_resource_properties("AWS::Lambda::LayerVersion", {
        "CompatibleRuntimes": ["python3.11"], "CompatibleArchitectures": ["x86_64"],
        "Description": "slim-lambda: dependencies from requirements.txt"})
    layers = {name: props["Properties"]["Layers"] for name, props in
              template.find_resources("AWS::Lambda::Function").items()}
    ref = {"Ref": stack.get_logical_id(a.dependency_layer.node.default_child)}
    assert [v for k, v in layers.items() if k.startswith(("A", "B"))] == [[ref], [ref]]
    # the function's own request installs nothing and counts the layer
    assert a.build_request.plan.requirements == ""
    assert [layer.label for layer in a.build_request.layers] == [
        a.dependency_layer.build_request.label]
    assert a.dependency_layer.build_request.prefix == "python/"


def test_bundle_is_the_default_and_makes_no_layer(construct_only: cdk.Stack,
                                                  entry: Path) -> None:
    f = _fn(construct_only, "F", entry, dependencies="bundle")
    g = SlimPythonFunction(construct_only, "G", entry=str(entry), runtime=PY311)
    assert f.dependency_layer is None and g.dependency_layer is None
    assert "slimfix-pure" in g.build_request.plan.requirements
    assertions.Template.from_stack(construct_only).resource_count_is(
        "AWS::Lambda::LayerVersion", 0)


def test_no_dependencies_no_layer(construct_only: cdk.Stack, entry: Path) -> None:
    (entry / "requirements.txt").unlink()
    f = _fn(construct_only, "F", entry)
    assert f.dependency_layer is None
    template = assertions.Template.from_stack(construct_only)
    template.resource_count_is("AWS::Lambda::LayerVersion", 0)
    (props,) = [r["Properties"] for r in
                template.find_resources("AWS::Lambda::Function").values()]
    assert "Layers" not in props


def _arn_layers(stack: cdk.Stack, count: int) -> list[lambda_.ILayerVersion]:
    return [lambda_.LayerVersion.from_layer_version_arn(
        stack, f"L{i}", f"arn:aws:lambda:us-east-1:123456789012:layer:l{i}:1")
        for i in range(count)]


def test_no_room_for_the_dependency_layer(construct_only: cdk.Stack, entry: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        _fn(construct_only, "F", entry, layers=_arn_layers(construct_only, 5))
    assert str(info.value).startswith("SlimPythonFunction S/F: 1 problem(s)")
    (problem,) = info.value.problems
    assert problem.startswith("layers: 5 layers given, and dependencies='layer' adds one: 6 "
                              "layers, but a Lambda function can use at most 5.")


def test_five_layers_and_nothing_to_install_is_fine(construct_only: cdk.Stack,
                                                    entry: Path) -> None:
    (entry / "requirements.txt").unlink()
    f = _fn(construct_only, "F", entry, layers=_arn_layers(construct_only, 5))
    assert f.dependency_layer is None
    assert len(f.build_request.layers) == 5


def test_an_unknown_value_is_reported_with_the_other_problems(construct_only: cdk.Stack,
                                                              entry: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        _fn(construct_only, "F", entry, dependencies="layers", handler="nope")
    text = str(info.value)
    assert "2 problem(s)" in text
    assert "dependencies: 'layers' is not one of bundle, layer" in text
    assert "handler: " in text
    assertions.Template.from_stack(construct_only).resource_count_is(
        "AWS::Lambda::LayerVersion", 0)


# -- built ------------------------------------------------------------------------------------

def _bundling(wheels: Path, image: str) -> BundlingOptions:
    return BundlingOptions(image=image, find_links=(str(wheels),), no_index=True)


def _app(tmp_path: Path) -> tuple[Path, cdk.App, cdk.Stack]:
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    return outdir, app, cdk.Stack(app, "S")


def _reports(outdir: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """label → (asset directory, report)."""
    found = {}
    for path in outdir.glob("asset.*.slim-report.json"):
        report = json.loads(path.read_text())
        found[report["label"]] = (Path(str(path).removesuffix(".slim-report.json")), report)
    return found


@pytest.mark.docker
def test_two_functions_share_one_layer_and_run_with_it(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path, clean_env: None) -> None:
    outdir, app, stack = _app(tmp_path)
    bundling = _bundling(wheels, build_image)
    a = _fn(stack, "A", entry, bundling=bundling)
    _fn(stack, "B", _second_entry(tmp_path, entry), bundling=bundling)
    app.synth()
    assert a.dependency_layer is not None
    layer_label = a.dependency_layer.build_request.label
    reports = _reports(outdir)
    assert sorted(reports) == sorted(["S/A", "S/B", layer_label]), "one layer, built once"

    layer_dir, layer = reports[layer_label]
    assert layer["prefix"] == "python/"
    assert sorted(p["name"] for p in layer["packages"]) == ["slimfix-cext", "slimfix-pure"]
    assert layer["user_code_bytes"] == 0, "none of the functions' code is in the layer"
    assert not (layer_dir / "python" / "index.py").exists()
    assert (layer_dir / "python" / "slimfix_cext").is_dir()
    for label in ("S/A", "S/B"):
        fn_dir, report = reports[label]
        assert report["packages"] == [] and report["deduplicated"] == []
        assert report["user_code_bytes"] > 0
        assert [x["label"] for x in report["layers"]] == [layer_label]
        assert report["layers"][0]["unzipped_bytes"] == layer["unzipped_bytes"]
        assert report["combined_unzipped_bytes"] == (report["unzipped_bytes"]
                                                     + layer["unzipped_bytes"])
        assert report["import_failures"] == [], "the handler's imports resolve in the layer"
        assert report["zipped_bytes"] < 100_000
        assert not list(fn_dir.glob("slimfix*")), "the function holds only its own code"
        assert "dependencies in layer " + layer_label in report["manifest"]["notes"]

    # the function runs with the layer where Lambda puts it (/opt/python)
    fn_dir = reports["S/B"][0]
    run = run_in_image(build_image, fn_dir, "import sys; sys.path.append('/opt/python'); "
                       "import index, json; print(json.dumps(index.handler({}, None)))",
                       extra_mounts=((layer_dir, "/opt"),))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == {"sum": 5}


def _synth_once(outdir: Path, entry: Path, bundling: BundlingOptions
                ) -> tuple[SlimPythonFunction, dict[str, str]]:
    """One synth into ``outdir``; the S3 key of each resource type's asset."""
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "S")
    f = _fn(stack, "F", entry, bundling=bundling)
    template = app.synth().get_stack_by_name("S").template
    keys = {}
    for resource in template["Resources"].values():
        code = resource["Properties"].get("Code") or resource["Properties"].get("Content")
        if code:
            keys[resource["Type"]] = code["S3Key"]
    return f, keys


@pytest.mark.docker
def test_a_handler_change_leaves_the_layer_asset_alone(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path, clean_env: None) -> None:
    outdir = tmp_path / "cdk.out"
    bundling = _bundling(wheels, build_image)
    _f, first = _synth_once(outdir, entry, bundling)
    layer_key = first["AWS::Lambda::LayerVersion"]
    layer_report = outdir / f"asset.{layer_key.removesuffix('.zip')}.slim-report.json"
    built = layer_report.stat()

    with (entry / "index.py").open("a") as f:
        f.write("\nREVISION = 2\n")
    fn, second = _synth_once(outdir, entry, bundling)
    assert second["AWS::Lambda::LayerVersion"] == layer_key
    assert second["AWS::Lambda::Function"] != first["AWS::Lambda::Function"]
    # CDK found the layer's asset in cdk.out: not built again
    again = layer_report.stat()
    assert (again.st_ino, again.st_mtime_ns) == (built.st_ino, built.st_mtime_ns)
    assert fn.dependency_layer is not None and fn.dependency_layer.share().unzipped_bytes > 0
    _dir, report = _reports(outdir)["S/F"]
    assert report["zipped_bytes"] < 100_000
    assert report["layers"][0]["size_known"]


@pytest.mark.docker
def test_the_layer_leaves_out_what_a_slim_layer_provides(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path, clean_env: None) -> None:
    outdir, app, stack = _app(tmp_path)
    bundling = _bundling(wheels, build_image)
    pure_entry = tmp_path / "pure"
    pure_entry.mkdir()
    (pure_entry / "requirements.txt").write_text("slimfix-pure==1.0.0\n")
    pure = SlimPythonLayerVersion(stack, "Pure", entry=str(pure_entry),
                                  compatible_runtimes=[PY311], bundling=bundling)
    f = _fn(stack, "F", entry, layers=[pure], bundling=bundling)
    app.synth()
    assert f.dependency_layer is not None
    label = f.dependency_layer.build_request.label
    reports = _reports(outdir)
    deps = reports[label][1]
    assert [p["name"] for p in deps["packages"]] == ["slimfix-cext"]
    assert [d["name"] for d in deps["deduplicated"]] == ["slimfix-pure"]
    function = reports["S/F"][1]
    assert [x["label"] for x in function["layers"]] == ["S/Pure", label]
    assert function["import_failures"] == []


@pytest.mark.docker
def test_the_function_plus_its_layers_is_checked(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path, clean_env: None) -> None:
    bundling = _bundling(wheels, build_image)
    probe, _keys = _synth_once(tmp_path / "probe.out", entry, bundling)
    assert probe.dependency_layer is not None
    layer_bytes = probe.dependency_layer.share().unzipped_bytes
    # the layer alone fits; the function's code on top of it does not
    _outdir, _unused, stack = _app(tmp_path)
    with pytest.raises(Exception) as info:
        _fn(stack, "F", entry, bundling=bundling,
            size_limits=SizeLimits(unzipped_bytes=layer_bytes + 1))
    err = ours(info.value)
    assert isinstance(err, SizeLimitError)
    text = str(err)
    assert "function plus layers" in text and "largest contributors" in text
    assert "[layer S/Dependencies" in text


@pytest.mark.docker
def test_another_version_than_a_slim_layer_provides_is_an_error(
        wheels: Path, build_image: str, tmp_path: Path, clean_env: None) -> None:
    """Both copies would land in /opt/python, merged file by file: refused, with the fix."""
    links = tmp_path / "links"
    links.mkdir()
    for version in ("1.0.0", "2.0.0"):
        write_wheel(links, "slimfix-ver", version, "py3-none-any")
    bundling = BundlingOptions(image=build_image, find_links=(str(links),), no_index=True)
    _outdir, _unused, stack = _app(tmp_path)
    old = tmp_path / "old"
    old.mkdir()
    (old / "requirements.txt").write_text("slimfix-ver==1.0.0\n")
    layer = SlimPythonLayerVersion(stack, "Old", entry=str(old), compatible_runtimes=[PY311],
                                   bundling=bundling)
    fn = tmp_path / "fn"
    fn.mkdir()
    (fn / "requirements.txt").write_text("slimfix-ver==2.0.0\n")
    (fn / "index.py").write_text("import slimfix_ver\n\n\ndef handler(e, c):\n"
                                 "    return slimfix_ver.VERSION\n")
    with pytest.raises(Exception) as info:
        _fn(stack, "F", fn, layers=[layer], bundling=bundling)
    text = str(ours(info.value))
    assert text.startswith("layers: slimfix-ver 2.0.0 is required, but layer S/Old provides "
                           "1.0.0: in a dependency layer both copies would be merged file by "
                           "file in /opt/python")
    assert "use dependencies='bundle'" in text
