"""dependencies="layer" as data: the split of one request into the dependency layer's and
the function's own, what each holds, and the hash that must survive a handler change."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.options import DEPENDENCIES, MAX_LAYERS, BundlingOptions, SlimOptions
from slim_lambda.plan.dependencies import (
    code_request,
    dependencies_problems,
    layer_count_problem,
    layer_id,
    layer_request,
)
from slim_lambda.plan.keys import deps_key, fingerprint
from slim_lambda.plan.request import LAYER_PREFIX, LayerShare, Target
from slim_lambda.run.specs import requirements_file
from tests.requests import MakeRequest

DOCKER = Target("docker", "sha256:abc", True, True, True)
SHARE = LayerShare(label="S/Dependencies0123", unzipped_bytes=1000, fingerprint="f" * 64,
                   packages={"requests": "2.31.0"})


def test_the_layer_holds_the_plan_under_python_and_none_of_the_sources(
        make_request: MakeRequest) -> None:
    request = make_request()
    layer = layer_request(request)
    assert layer is not None
    assert layer.prefix == LAYER_PREFIX == "python/"
    assert not layer.copy_sources and layer.handler_module == ""
    assert layer.plan == request.plan
    assert layer.strict_layer_versions, "two copies of a package in /opt/python would merge"


def test_a_handler_change_leaves_the_layer_hash_and_changes_the_function_hash(
        entry: Path, make_request: MakeRequest) -> None:
    def hashes() -> tuple[str, str]:
        request = make_request()
        layer = layer_request(request)
        assert layer is not None
        return fingerprint(layer), fingerprint(code_request(request, SHARE))

    layer_before, function_before = hashes()
    (entry / "index.py").write_text("def handler(event, context):\n    return 2\n")
    (entry / "helpers.py").write_text("X = 1\n")
    layer_after, function_after = hashes()
    assert layer_after == layer_before
    assert function_after != function_before


def test_what_changes_the_installed_tree_changes_the_layer_hash(
        entry: Path, make_request: MakeRequest) -> None:
    def layer_hash(**kw: object) -> str:
        layer = layer_request(make_request(**kw))
        assert layer is not None
        return fingerprint(layer)

    first = layer_hash()
    assert layer_hash(slim=SlimOptions(strip=False)) != first
    (entry / "requirements.txt").write_text("requests==2.32.3\n")
    assert layer_hash() != first


def test_the_layer_hash_does_not_depend_on_the_entry_directory(
        tmp_path: Path, make_request: MakeRequest) -> None:
    """Two functions in two entries with the same requirements share one layer."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "requirements.txt").write_text("requests==2.31.0\n")
    (other / "app.py").write_text("def main(event, context):\n    return 3\n")
    one = layer_request(make_request())
    two = layer_request(make_request(entry=str(other), index="app.py", handler="main",
                                     bundling=BundlingOptions(exclude=("notes/",)),
                                     output_dirs=(str(other / "cdk.out"),)))
    assert one is not None and two is not None
    assert fingerprint(one) == fingerprint(two)
    assert layer_id(fingerprint(one)) == layer_id(fingerprint(two))
    assert layer_id(fingerprint(one)).startswith("Dependencies")


def test_the_function_installs_nothing_and_counts_the_layer(
        tmp_path: Path, make_request: MakeRequest) -> None:
    request = make_request(layers=(LayerShare(label="S/Mine", unzipped_bytes=5),))
    code = code_request(request, SHARE)
    assert code.plan.requirements == "" and code.plan.manifest is None
    assert code.plan.kind == "requirements.txt"
    assert code.plan.notes[-1] == "dependencies in layer S/Dependencies0123"
    assert [layer.label for layer in code.layers] == ["S/Mine", "S/Dependencies0123"]
    assert code.layer_bytes == 1005
    assert code.copy_sources and code.prefix == ""
    work = tmp_path / "work"
    work.mkdir()
    assert requirements_file(code, str(work)) is None, "the deps stage installs nothing"
    # the function's dependency tree is keyed by the layer's packages, not the manifest
    assert deps_key(code, DOCKER) != deps_key(request, DOCKER)


def test_no_dependencies_no_layer(entry: Path, make_request: MakeRequest) -> None:
    (entry / "requirements.txt").write_text("# nothing yet\n\n")
    assert layer_request(make_request()) is None
    (entry / "requirements.txt").unlink()
    assert layer_request(make_request()) is None


PROJECT = """\
[project]
name = "fn"
version = "1.0"
dependencies = ["requests==2.31.0"]

[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"
"""


def test_a_project_is_the_functions_code_its_dependencies_the_layers(
        entry: Path, make_request: MakeRequest) -> None:
    (entry / "requirements.txt").unlink()
    (entry / "pyproject.toml").write_text(PROJECT)
    (entry / "fn").mkdir()
    (entry / "fn" / "__init__.py").write_text("")
    request = make_request()
    assert request.plan.project == "."
    layer = layer_request(request)
    assert layer is not None
    assert layer.plan.project is None and "requests==2.31.0" in layer.plan.requirements
    assert code_request(request, SHARE).plan.project == "."
    before = fingerprint(layer)
    (entry / "fn" / "__init__.py").write_text("CHANGED = True\n")
    after = layer_request(make_request())
    assert after is not None and fingerprint(after) == before


def test_a_project_without_dependencies_makes_no_layer(
        entry: Path, make_request: MakeRequest) -> None:
    (entry / "requirements.txt").unlink()
    (entry / "pyproject.toml").write_text(PROJECT.replace('"requests==2.31.0"', ""))
    (entry / "fn").mkdir()
    (entry / "fn" / "__init__.py").write_text("")
    assert layer_request(make_request()) is None


def test_dependencies_values() -> None:
    assert DEPENDENCIES[0] == "bundle"
    assert dependencies_problems("layer") == dependencies_problems("bundle") == []
    assert dependencies_problems("layers") == [
        "dependencies: 'layers' is not one of bundle, layer"]


@pytest.mark.parametrize("user_layers", range(MAX_LAYERS))
def test_room_for_the_dependency_layer(user_layers: int) -> None:
    assert layer_count_problem(user_layers) is None


def test_no_room_for_the_dependency_layer() -> None:
    problem = layer_count_problem(MAX_LAYERS)
    assert problem is not None
    assert problem.startswith("layers: 5 layers given, and dependencies='layer' adds one: "
                              "6 layers, but a Lambda function can use at most 5.")
    assert "Merge two of your layers" in problem and "dependencies='bundle'" in problem


def test_shared_sources_stay_with_the_function_and_path_packages_go_to_the_layer(
        entry: Path, make_request: MakeRequest) -> None:
    from dataclasses import replace

    lib = entry.parent / "libs" / "common"
    lib.mkdir(parents=True)
    (lib / "__init__.py").write_text("X = 1\n")
    (entry.parent / "libs" / "pkg").mkdir()
    (entry.parent / "libs" / "pkg" / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    request = make_request(bundling=BundlingOptions(extra_sources={"common": str(lib)}))
    request = replace(request, plan=replace(request.plan, paths=("../libs/pkg",)))
    layer = layer_request(request)
    assert layer is not None
    assert layer.extra_sources == () and layer.plan.paths == ("../libs/pkg",)
    code = code_request(request, SHARE)
    assert [s.name for s in code.extra_sources] == ["common"] and code.plan.paths == ()
    # editing the shared source is the function's change, not the layer's
    before = fingerprint(layer)
    (lib / "__init__.py").write_text("X = 2\n")
    again = layer_request(replace(make_request(bundling=BundlingOptions(
        extra_sources={"common": str(lib)})), plan=request.plan))
    assert again is not None and fingerprint(again) == before
