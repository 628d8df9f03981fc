"""run/engine.py and pin_target: CDK_DOCKER names podman's or finch's Docker API socket; an
engine named that way and not answering is an error, never a silent local build; with no
engine named, auto falls back to local mode (no Docker needed here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.errors import DockerError
from slim_lambda.run.engine import DEFAULT_HOST, engine_host
from slim_lambda.run.target import pin_target
from tests.requests import MakeRequest


class Silent:
    """An engine socket that never answers."""

    remote = False

    def ping(self) -> bool:
        return False

    def image(self, name: str) -> None:
        return None


def test_docker_host_first_then_cdk_docker_then_the_default(tmp_path: Path) -> None:
    sock = tmp_path / "podman" / "podman.sock"
    sock.parent.mkdir()
    sock.touch()
    env = {"CDK_DOCKER": "podman", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert engine_host(env).host == f"unix://{sock}"
    assert engine_host(env).named_by == "CDK_DOCKER=podman" and engine_host(env).chosen_for_cdk
    assert engine_host({**env, "DOCKER_HOST": "tcp://10.0.0.1:2375"}).host == \
        "tcp://10.0.0.1:2375"
    assert engine_host({"CDK_DOCKER": "/usr/bin/docker"}).host == DEFAULT_HOST
    assert engine_host({}).named_by is None


def test_a_cdk_docker_engine_without_a_socket_or_unknown_says_so(tmp_path: Path) -> None:
    if Path("/run/podman/podman.sock").exists():
        pytest.skip("a rootful podman service runs here")
    missing = engine_host({"CDK_DOCKER": "podman", "XDG_RUNTIME_DIR": str(tmp_path)})
    assert missing.problem == (
        f"CDK_DOCKER=podman, but no podman API socket exists at {tmp_path}/podman/podman.sock "
        "or /run/podman/podman.sock; start `podman system service`, or set DOCKER_HOST to "
        "its socket")
    assert engine_host({"CDK_DOCKER": "nerdctl"}).problem == (
        "CDK_DOCKER=nerdctl: slim-lambda talks to engines through their Docker API socket "
        "and does not know nerdctl's; set DOCKER_HOST to it (unix:///path/to.sock)")


def test_auto_never_falls_back_silently_from_an_engine_cdk_docker_names(
        tmp_path: Path, make_request: MakeRequest) -> None:
    sock = tmp_path / "podman" / "podman.sock"
    sock.parent.mkdir()
    sock.touch()
    request = make_request()
    env = {"CDK_DOCKER": "podman", "XDG_RUNTIME_DIR": str(tmp_path)}
    with pytest.raises(DockerError) as raised:
        pin_target(request, Silent(), env)  # type: ignore[arg-type]
    assert str(raised.value) == (
        f"CDK_DOCKER=podman names the engine at unix://{sock}, which does not answer; start "
        "it, unset it to use Docker's default (or local mode when none answers), or set "
        "bundling.mode='local'")
    assert pin_target(request, Silent(), {}).mode == "local"  # type: ignore[arg-type]
    with pytest.raises(DockerError, match="does not know nerdctl's"):
        pin_target(request, Silent(), {"CDK_DOCKER": "nerdctl"})  # type: ignore[arg-type]
