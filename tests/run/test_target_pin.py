"""The target the asset hash names, resolved cheaply at construct time, is the one the build
uses; and the build container runs the image ID the deps key names."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

import pytest

from slim_lambda.options import BundlingOptions
from slim_lambda.plan.keys import fingerprint
from slim_lambda.plan.request import Target
from slim_lambda.run.container import DockerRunner
from slim_lambda.run.engine_socket import EngineSocket
from slim_lambda.run.session import Session
from slim_lambda.run.stages import _container
from slim_lambda.run.target import ABSENT, pin_request, pin_target
from tests.requests import MakeRequest

TAG = "img:python3.11-x86_64"


class FakeEngine(EngineSocket):
    def __init__(self, answers: bool, images: dict[str, str] | None = None) -> None:
        super().__init__("/nonexistent")
        self.answers = answers
        self.images = images or {}
        self.asked: list[str] = []

    def ping(self) -> bool:
        self.asked.append("ping")
        return self.answers

    def image(self, ref: str) -> dict[str, Any] | None:
        self.asked.append(ref)
        found = self.images.get(ref)
        return {"Id": found} if found else None


def test_auto_is_docker_with_the_image_id_when_the_engine_answers(
        make_request: MakeRequest) -> None:
    engine = FakeEngine(True, {TAG: "sha256:abc"})
    target = pin_target(make_request(), engine, {})
    assert (target.mode, target.image_id) == ("docker", "sha256:abc")
    assert engine.asked == ["ping", TAG]


def test_auto_is_local_with_the_host_capabilities_when_it_does_not(
        make_request: MakeRequest) -> None:
    target = pin_target(make_request(), FakeEngine(False), {})
    assert target.mode == "local"
    assert target.python_platform == "x86_64-manylinux_2_17"


def test_an_absent_image_is_named_by_tag_and_marked_never_pulled(
        make_request: MakeRequest) -> None:
    target = pin_target(make_request(bundling=BundlingOptions(mode="docker")),
                        FakeEngine(True), {})
    assert target.image_id == TAG + ABSENT


def test_a_remote_docker_host_is_docker_without_asking(make_request: MakeRequest) -> None:
    assert pin_target(make_request(), None, {}).image_id == TAG + ABSENT


def test_the_environment_mode_wins(make_request: MakeRequest) -> None:
    engine = FakeEngine(True, {TAG: "sha256:abc"})
    assert pin_target(make_request(), engine, {"SLIM_LAMBDA_MODE": "local"}).mode == "local"


def test_auto_docker_and_auto_local_are_different_assets(make_request: MakeRequest) -> None:
    docker = pin_request(make_request(), FakeEngine(True, {TAG: "sha256:abc"}), {})
    local = pin_request(make_request(), FakeEngine(False), {})
    assert fingerprint(docker) != fingerprint(local)


def test_local_capabilities_are_in_the_asset_hash(make_request: MakeRequest) -> None:
    request = make_request()
    hashes = {fingerprint(dataclasses.replace(request, pinned=Target(
        "local", "local:p", strip, True, True, "p"))) for strip in (True, False)}
    assert len(hashes) == 2


def test_resolution_settings_are_pinned_redacted(make_request: MakeRequest) -> None:
    request = pin_request(make_request(), FakeEngine(False), {
        "PIP_INDEX_URL": "https://me:hunter22@idx.example/simple", "PIP_TIMEOUT": "60"})
    assert request.resolution == {"PIP_INDEX_URL": "https://me@idx.example/simple"}


def test_the_build_runs_in_the_pinned_mode(make_request: MakeRequest,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLIM_LAMBDA_MODE", raising=False)
    monkeypatch.setenv("PIP_PRE", "1")
    request = pin_request(make_request(), FakeEngine(False), {})
    # the engine answers by synth time: the asset still says local, so local it is
    session = Session(request, DockerRunner(engine=FakeEngine(True)), lambda _line: None)
    try:
        assert session.mode == "local"
        assert session.request.resolution["PIP_PRE"] == "1"
    finally:
        session.close()


def test_the_container_runs_the_image_id_not_the_tag(make_request: MakeRequest) -> None:
    request = make_request()
    session: Any = SimpleNamespace(
        request=request, docker=None, env=None, progress=print,
        target=Target("docker", "sha256:abc", True, True, True), file_access=lambda: "bind")
    assert _container(session).image == "sha256:abc"
