"""Builds through podman's Docker API service, a real one (tests/fixtures/podman.py): named
by ``DOCKER_HOST``, and by ``CDK_DOCKER=podman`` as a CDK user names it (podman's socket
under ``XDG_RUNTIME_DIR``, or ``CONTAINER_HOST``), with the limits our build containers set
(a pids limit, a memory limit, no capabilities).

The build image is tagged in podman only (:data:`PODMAN_ONLY`): Docker's engine does not
have that name, so a build that finished went through podman. finch cannot be installed on
the test machines; its socket mapping is unit-tested in tests/run/test_engine.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from slim_lambda.run.engine import CONTAINER_HOST
from tests.fixtures.podman import Podman, podman_service
from tests.test_docker_build import handler_answer, local_bundling, synth

pytestmark = pytest.mark.docker

PODMAN_ONLY = "slim-lambda-test-podman-only/build-python3.11:latest-x86_64"


@pytest.fixture(scope="module")
def podman(build_image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Podman]:
    """The service, with the build image loaded and tagged :data:`PODMAN_ONLY`."""
    if shutil.which("podman") is None:
        if os.environ.get("CI"):
            pytest.fail("podman must be installed on CI (scripts/dev-env.sh installs it)")
        pytest.skip("podman is not installed (scripts/dev-env.sh installs it)")
    with podman_service(tmp_path_factory.mktemp("podman")) as service:
        service.load(build_image)
        service.podman("tag", build_image, PODMAN_ONLY)
        yield service


@pytest.fixture
def no_engine_env(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> pytest.MonkeyPatch:
    for var in ("DOCKER_HOST", "CDK_DOCKER", CONTAINER_HOST, "SLIM_LAMBDA_MODE"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_docker_host_builds_through_podman(
        podman: Podman, entry: Path, wheels: Path, build_image: str, tmp_path: Path,
        no_engine_env: pytest.MonkeyPatch) -> None:
    no_engine_env.setenv("DOCKER_HOST", podman.url)
    _, asset, report = synth(entry, tmp_path / "cdk.out", bundling=local_bundling(
        wheels, PODMAN_ONLY, mode="docker", cache=False))
    assert report["mode"] == "docker" and report["image"] == PODMAN_ONLY
    assert {"slimfix_pure", "slimfix_cext"} <= set(report["verify"]["modules"])
    assert handler_answer(build_image, asset)["sum"] == 5


@pytest.mark.parametrize("named_by", ["XDG_RUNTIME_DIR", CONTAINER_HOST])
def test_cdk_docker_podman_builds_through_podmans_socket(
        named_by: str, podman: Podman, entry: Path, wheels: Path, build_image: str,
        tmp_path: Path, no_engine_env: pytest.MonkeyPatch) -> None:
    """``auto`` mode (the default) with ``CDK_DOCKER=podman``: podman's socket answers, so
    the build runs there, under a memory limit and the pids limit."""
    no_engine_env.setenv("CDK_DOCKER", "podman")
    if named_by == CONTAINER_HOST:
        no_engine_env.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no socket there
        no_engine_env.setenv(CONTAINER_HOST, podman.url)
    else:
        no_engine_env.setenv("XDG_RUNTIME_DIR", str(podman.socket.parent.parent))
    _, asset, report = synth(entry, tmp_path / "cdk.out", bundling=local_bundling(
        wheels, PODMAN_ONLY, cache=False, memory_bytes=1 << 30))
    assert report["mode"] == "docker" and report["image"] == PODMAN_ONLY
    assert handler_answer(build_image, asset)["sum"] == 5
    # the build containers removed themselves
    assert podman.podman("ps", "--all", "--quiet").stdout.strip() == ""
