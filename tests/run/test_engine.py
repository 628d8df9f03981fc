"""run/engine.py and pin_target: CDK_DOCKER names podman's or finch's Docker API socket; an
engine named that way and not answering is an error, never a silent local build; with no
engine named, auto falls back to local mode (no Docker needed here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.errors import DockerError
from slim_lambda.options import BundlingOptions
from slim_lambda.run.engine import CONTAINER_HOST, DEFAULT_HOST, engine_host
from slim_lambda.run.target import pin_target, resolve_mode
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


def test_docker_mode_never_uses_the_default_socket_for_an_engine_cdk_docker_names(
        tmp_path: Path, make_request: MakeRequest) -> None:
    """``mode="docker"`` with a CDK_DOCKER engine that is unknown or has no socket is the
    same error as in ``auto``, not a build on Docker's default socket."""
    request = make_request(bundling=BundlingOptions(mode="docker"))
    with pytest.raises(DockerError, match="does not know nerdctl's"):
        pin_target(request, Silent(), {"CDK_DOCKER": "nerdctl"})  # type: ignore[arg-type]
    with pytest.raises(DockerError, match="does not know nerdctl's"):
        resolve_mode(request, Silent(), {"CDK_DOCKER": "nerdctl"})  # type: ignore[arg-type]
    missing = {"CDK_DOCKER": "podman", "XDG_RUNTIME_DIR": str(tmp_path),
               CONTAINER_HOST: f"unix://{tmp_path}/none.sock"}
    with pytest.raises(DockerError, match="no podman API socket exists"):
        pin_target(request, Silent(), missing)  # type: ignore[arg-type]


def test_container_host_names_podmans_socket_first(tmp_path: Path) -> None:
    sock = tmp_path / "mine.sock"
    sock.touch()
    env = {"CDK_DOCKER": "podman", CONTAINER_HOST: f"unix://{sock}",
           "XDG_RUNTIME_DIR": str(tmp_path / "elsewhere")}
    engine = engine_host(env)
    assert (engine.host, engine.problem) == (f"unix://{sock}", None)
    assert engine.chosen_for_cdk
    assert engine_host({**env, CONTAINER_HOST: "tcp://127.0.0.1:8888"}).host == \
        "tcp://127.0.0.1:8888"
    assert "no podman API socket exists at /nowhere.sock" in str(
        engine_host({**env, CONTAINER_HOST: "unix:///nowhere.sock"}).problem)
    assert "not this" in str(engine_host(
        {**env, CONTAINER_HOST: "ssh://core@127.0.0.1:22/run/podman/podman.sock"}).problem)
    assert engine_host({**env, "DOCKER_HOST": "unix:///d.sock"}).host == "unix:///d.sock"


def test_finch_maps_to_its_socket_under_home(tmp_path: Path) -> None:
    """Finch does not install on the test machines: its mapping is checked here only."""
    if Path("/var/run/finch.sock").exists():
        pytest.skip("finch runs here")
    sock = tmp_path / ".finch" / "finch.sock"
    env = {"CDK_DOCKER": "/usr/local/bin/finch", "HOME": str(tmp_path)}
    assert engine_host(env).problem == (
        "CDK_DOCKER=finch, but no finch API socket exists at /var/run/finch.sock or "
        f"/Applications/Finch/lima/data/finch/sock/finch.sock or {sock}; "
        "start finch's daemon, or set DOCKER_HOST to its socket")
    sock.parent.mkdir()
    sock.touch()
    assert (engine_host(env).host, engine_host(env).problem) == (f"unix://{sock}", None)
