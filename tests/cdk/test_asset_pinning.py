"""The asset a construct hands CDK names the resolved build, per handler."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_lambda as lambda_

from slim_lambda import SlimPythonFunction


@pytest.fixture(autouse=True)
def no_docker(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    monkeypatch.delenv("SLIM_LAMBDA_MODE", raising=False)


def asset_keys(entry: Path, *indexes: str) -> list[str]:
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    s = cdk.Stack(app, "S")
    for i, index in enumerate(indexes):
        SlimPythonFunction(s, f"F{i}", entry=str(entry), index=index,
                           runtime=lambda_.Runtime.PYTHON_3_11)
    functions = assertions.Template.from_stack(s).find_resources("AWS::Lambda::Function")
    return [f["Properties"]["Code"]["S3Key"] for f in functions.values()]


def test_two_handlers_of_one_entry_are_two_assets(entry: Path) -> None:
    (entry / "other.py").write_text("def handler(event, context):\n    return 2\n")
    keys = asset_keys(entry, "index.py", "other.py")
    assert len(set(keys)) == 2


def test_auto_without_an_engine_is_not_the_docker_asset(
        entry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (auto,) = asset_keys(entry, "index.py")
    monkeypatch.setenv("SLIM_LAMBDA_MODE", "docker")
    (docker,) = asset_keys(entry, "index.py")
    assert auto != docker


def test_a_resolution_setting_is_a_new_asset(entry: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (before,) = asset_keys(entry, "index.py")
    monkeypatch.setenv("PIP_PRE", "1")
    (after,) = asset_keys(entry, "index.py")
    monkeypatch.setenv("PIP_TIMEOUT", "60")
    (unrelated,) = asset_keys(entry, "index.py")
    assert before != after == unrelated
