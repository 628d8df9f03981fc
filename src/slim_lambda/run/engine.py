"""Which container engine a build talks to, and who named it.

slim-lambda speaks the Docker Engine API on a socket. ``DOCKER_HOST`` names one; CDK users
with podman or finch set ``CDK_DOCKER`` instead (CDK then runs that CLI), so that name is
mapped to the engine's Docker-compatible API socket here. An engine someone named and
that does not answer is an error at synth, never a silent local-mode build; otherwise
(``DOCKER_HOST``, or Docker's default socket) ``mode="auto"`` falls back to local mode
when none answers, with a notice in the report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["CONTAINER_HOST", "DEFAULT_HOST", "Engine", "engine_host"]

DEFAULT_HOST = "unix:///var/run/docker.sock"
CONTAINER_HOST = "CONTAINER_HOST"
"""podman's own variable for the service its CLI talks to (``unix:///path/podman.sock``):
with ``CDK_DOCKER=podman`` it names the socket before the usual places do."""

#: ``CDK_DOCKER`` value → where that engine's Docker-compatible API socket is, first
#: that exists (``$XDG_RUNTIME_DIR`` and ``~`` expanded). Only podman's is tested against
#: the engine itself (tests/test_podman.py); finch does not install on the test machines.
SOCKETS: dict[str, tuple[str, ...]] = {
    "podman": ("$XDG_RUNTIME_DIR/podman/podman.sock", "/run/podman/podman.sock"),
    # finch-daemon's default on Linux; Finch for macOS's VM socket; a user's port forward
    "finch": ("/var/run/finch.sock", "/Applications/Finch/lima/data/finch/sock/finch.sock",
              "~/.finch/finch.sock"),
}


@dataclass(frozen=True)
class Engine:
    host: str
    """``unix:///…``, ``tcp://…``, ``ssh://…``."""
    named_by: str | None
    """``DOCKER_HOST``, ``CDK_DOCKER=podman``, or None for Docker's default socket."""
    problem: str | None = None
    """Why the engine named cannot be used, if that is known without asking it."""

    @property
    def chosen_for_cdk(self) -> bool:
        """Named by ``CDK_DOCKER``: the user picked this engine for CDK's own bundling too,
        so a local-mode build instead would be a silent surprise."""
        return (self.named_by or "").startswith("CDK_DOCKER")


def _expand(path: str, environ: Mapping[str, str]) -> str | None:
    if "$XDG_RUNTIME_DIR" in path:
        runtime = environ.get("XDG_RUNTIME_DIR")
        if not runtime:
            return None
        path = path.replace("$XDG_RUNTIME_DIR", runtime)
    if path.startswith("~/"):
        return os.path.join(environ.get("HOME") or os.path.expanduser("~"), path[2:])
    return path


def engine_host(environ: Mapping[str, str]) -> Engine:
    """The engine ``environ`` names: ``DOCKER_HOST``, else ``CDK_DOCKER``'s socket, else
    Docker's default."""
    if environ.get("DOCKER_HOST"):
        return Engine(environ["DOCKER_HOST"], "DOCKER_HOST")
    cli = os.path.basename(environ.get("CDK_DOCKER", "")).strip()
    if not cli or cli == "docker":
        return Engine(DEFAULT_HOST, None)
    named = f"CDK_DOCKER={cli}"
    if cli == "podman" and environ.get(CONTAINER_HOST):
        return _container_host(environ[CONTAINER_HOST], named)
    if cli not in SOCKETS:
        return Engine(DEFAULT_HOST, named, problem=(
            f"{named}: slim-lambda talks to engines through their Docker API socket and does "
            f"not know {cli}'s; set DOCKER_HOST to it (unix:///path/to.sock)"))
    paths = [p for p in (_expand(s, environ) for s in SOCKETS[cli]) if p]
    found = next((p for p in paths if os.path.exists(p)), None)
    if found is None:
        start = "`podman system service`" if cli == "podman" else f"{cli}'s daemon"
        return Engine(f"unix://{paths[0]}" if paths else DEFAULT_HOST, named, problem=(
            f"{named}, but no {cli} API socket exists at {' or '.join(paths)}; start "
            f"{start}, or set DOCKER_HOST to its socket"))
    return Engine(f"unix://{found}", named)


def _container_host(url: str, named: str) -> Engine:
    """The podman service ``CONTAINER_HOST`` names: a unix socket that must exist, or a
    ``tcp://`` address; podman's ``ssh://`` connections are its CLI's, not a Docker API."""
    where = f"{named} with {CONTAINER_HOST}={url}"
    if url.startswith("tcp://"):
        return Engine(url, where)
    if not url.startswith("unix://"):
        return Engine(DEFAULT_HOST, where, problem=(
            f"{where}: slim-lambda reaches podman's Docker API on a unix:// socket or at a "
            "tcp:// address, not this; run `podman system service` where this host can "
            "reach it and point CONTAINER_HOST (or DOCKER_HOST) there"))
    if not os.path.exists(url.removeprefix("unix://")):
        return Engine(url, where, problem=(
            f"{where}, but no podman API socket exists at {url.removeprefix('unix://')}; "
            "start `podman system service` there, or set DOCKER_HOST to its socket"))
    return Engine(url, where)
