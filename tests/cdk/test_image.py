"""SlimPythonImageFunction at construct time: the template, the Dockerfile, the options and
every problem they can have. Nothing is built: the stack is left out of bundlingStacks,
and a broken DOCKER_HOST proves Docker is never contacted."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_lambda as lambda_

from slim_lambda import (
    IMAGE_UNZIPPED_LIMIT_BYTES,
    BundlingOptions,
    ConfigurationError,
    SizeLimits,
    SlimPythonImageFunction,
)
from slim_lambda.cdk.image_asset import SlimImageBundling
from slim_lambda.plan.keys import fingerprint
from slim_lambda.platform import BASE_IMAGE_CONTEXT_KEY, BASE_IMAGE_ENV_VAR, DEFAULT_BASE_IMAGE


@pytest.fixture(autouse=True)
def no_docker(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")


def stack(tmp_path: Path, **context: object) -> cdk.Stack:
    app = cdk.App(outdir=str(tmp_path / "cdk.out"),
                  context={"aws:cdk:bundling-stacks": [], **context})
    return cdk.Stack(app, "S")


def image_fn(s: cdk.Stack, entry: Path, **kw: object) -> SlimPythonImageFunction:
    kw.setdefault("runtime", lambda_.Runtime.PYTHON_3_11)
    return SlimPythonImageFunction(s, "F", entry=str(entry), **kw)  # type: ignore[arg-type]


def test_template_is_an_image_function(entry: Path, tmp_path: Path) -> None:
    s = stack(tmp_path)
    fn = image_fn(s, entry, architecture=lambda_.Architecture.ARM_64, memory_size=2048,
                  timeout=cdk.Duration.seconds(60), environment={"MODE": "test"})
    t = assertions.Template.from_stack(s)
    t.resource_count_is("AWS::Lambda::Function", 1)
    t.has_resource_properties("AWS::Lambda::Function", {
        "PackageType": "Image", "Architectures": ["arm64"], "MemorySize": 2048,
        "Timeout": 60, "Environment": {"Variables": {"MODE": "test"}},
        "Code": {"ImageUri": assertions.Match.any_value()}})
    props = t.find_resources("AWS::Lambda::Function")
    (function,) = props.values()
    assert "Handler" not in function["Properties"] and "Runtime" not in function["Properties"]
    assert fn.dockerfile.splitlines()[2:] == [
        f"FROM {DEFAULT_BASE_IMAGE.format(version='3.11', arch='arm64')}",
        "COPY task/ ${LAMBDA_TASK_ROOT}/", 'CMD ["index.handler"]']
    request = fn.build_request
    assert request.kind == "image" and request.limits.unzipped_bytes == IMAGE_UNZIPPED_LIMIT_BYTES


def test_handler_in_a_package_is_the_cmd(tmp_path: Path) -> None:
    entry = tmp_path / "fn"
    (entry / "api-v2").mkdir(parents=True)
    (entry / "api-v2" / "app.py").write_text("def main(event, context):\n    return 1\n")
    (entry / "requirements.txt").write_text("")
    fn = image_fn(stack(tmp_path), entry, index="api-v2/app.py", handler="main")
    assert fn.dockerfile.endswith('CMD ["api-v2.app.main"]\n')


def test_base_image_precedence(entry: Path, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = {BASE_IMAGE_CONTEXT_KEY: "ctx/python:{version}-{arch}"}
    assert "FROM ctx/python:3.11-x86_64\n" in image_fn(stack(tmp_path, **ctx), entry).dockerfile
    monkeypatch.setenv(BASE_IMAGE_ENV_VAR, "env/{runtime}")
    assert "FROM env/python3.11\n" in image_fn(stack(tmp_path, **ctx), entry).dockerfile
    fn = image_fn(stack(tmp_path, **ctx), entry, base_image="mine:{version}")
    assert "FROM mine:3.11\n" in fn.dockerfile and fn.build_request.base_image == "mine:3.11"


def test_the_dockerfile_is_part_of_the_asset_hash(entry: Path, tmp_path: Path) -> None:
    request = image_fn(stack(tmp_path), entry).build_request

    def asset_hash(dockerfile: str) -> str:
        return SlimImageBundling(request, dockerfile=dockerfile, where="w").asset_hash

    assert asset_hash("FROM a\n") == asset_hash("FROM a\n") != asset_hash("FROM b\n")
    assert fingerprint(request) not in (asset_hash("FROM a\n"), asset_hash(""))


def test_an_unbundled_stack_names_the_dockerfile_it_would_build(entry: Path,
                                                                tmp_path: Path) -> None:
    def image_uri(**kw: object) -> str:
        s = stack(tmp_path)
        image_fn(s, entry, **kw)
        (function,) = assertions.Template.from_stack(s).find_resources(
            "AWS::Lambda::Function").values()
        return str(function["Properties"]["Code"]["ImageUri"])

    assert image_uri(base_image="one") == image_uri(base_image="one")
    assert image_uri(base_image="one") != image_uri(base_image="two")


def test_every_problem_at_once(entry: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        image_fn(stack(tmp_path), entry, handler="nope", base_image="b:{python}",
                 bundling=BundlingOptions(mode="dock"), code=lambda_.Code.from_inline("x"),
                 memory_sise=128)
    err = info.value
    assert err.where == "SlimPythonImageFunction S/F"
    text = "\n".join(err.problems)
    assert "code: SlimPythonImageFunction builds the image from entry=..." in text
    assert "memory_sise: not an option of aws_lambda.DockerImageFunction" in text
    assert "did you mean memory_size=...?" in text
    assert "base_image: unknown placeholder(s) ['python']" in text
    assert "handler: " in text and "bundling.mode: 'dock'" in text


def test_a_runtime_that_is_not_python(entry: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"runtime: nodejs20\.x is not a Python runtime"):
        image_fn(stack(tmp_path), entry, runtime=lambda_.Runtime.NODEJS_20_X)


def test_size_limits_replace_the_image_default(entry: Path, tmp_path: Path) -> None:
    fn = image_fn(stack(tmp_path), entry, size_limits=SizeLimits(unzipped_bytes=5 << 30))
    assert fn.build_request.limits.unzipped_bytes == 5 << 30
