"""Where a build runs, resolved at synth: Docker or this host, and what that can do.

The mode comes from ``SLIM_LAMBDA_MODE`` or the option; ``auto`` asks whether an engine
answers. Docker mode pins the image to its ID (the deps key uses it); local mode derives
what this host can do right for the target (strip, compile, import native code).

The asset hash needs the same answer at construct time, cheaply, for every stack (bundled
or not): :func:`pin_target` asks only the engine's local socket (a ping, an image inspect:
milliseconds), never pulls and never imports the Docker SDK; the pinned mode is then the
one the build uses (:class:`~slim_lambda.run.session.Session` reads ``request.pinned``).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace

from ..errors import ConfigurationError, DockerError
from ..options import MODES
from ..plan.request import BuildRequest, Target
from ..plan.resolution_env import resolution_settings
from ..platform import host_architecture, python_platform
from .container import DockerRunner
from .dockerfile_image import built_image, pinned_image
from .engine import Engine, engine_host
from .engine_socket import EngineSocket
from .environment import passthrough_environment
from .gitpins import pin_git

__all__ = ["ABSENT", "MODE_ENV", "host_python", "pin_request", "pin_target", "resolve_mode",
           "resolve_target"]

MODE_ENV = "SLIM_LAMBDA_MODE"
ABSENT = " (not on this machine)"
"""Appended to the image tag when the asset is pinned before the image is pulled: the
next synth, with the image present, names its ID instead (one rebuild)."""


def host_python() -> str:
    """This interpreter as a runtime name: ``python3.11``."""
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def requested_mode(request: BuildRequest, environ: Mapping[str, str] | None = None) -> str:
    """``SLIM_LAMBDA_MODE``, else ``bundling.mode``: maybe ``auto``."""
    environ = os.environ if environ is None else environ
    mode = environ.get(MODE_ENV) or request.bundling.mode
    if mode not in MODES:
        raise ConfigurationError(MODE_ENV, [f"{mode!r} is not one of {', '.join(MODES)}"])
    return mode


def _named_engine(environ: Mapping[str, str]) -> Engine:
    """The engine the environment names; what is known to be wrong with it (an unknown
    ``CDK_DOCKER``, its socket missing) is an error in Docker and ``auto`` mode alike,
    never a build on Docker's default socket."""
    named = engine_host(environ)
    if named.problem:
        raise DockerError(named.problem)
    return named


def _auto(answers: Callable[[], bool], environ: Mapping[str, str],
          dockerfile: str | None = None) -> str:
    """``auto`` resolved: Docker when the engine answers; local when it does not, unless
    the engine was chosen for CDK (``CDK_DOCKER``) or the build image is a Dockerfile's
    (what it adds would be missing): then that is an error, not a surprise."""
    named = _named_engine(environ)
    if answers():
        return "docker"
    if dockerfile:
        raise DockerError(
            f"bundling.dockerfile {dockerfile} needs a Docker engine to build its image, and "
            f"none answers at {named.host}; start Docker (or set DOCKER_HOST), or remove "
            "bundling.dockerfile to build in local mode")
    if named.chosen_for_cdk:
        raise DockerError(
            f"{named.named_by} names the engine at {named.host}, which does not answer; "
            "start it, unset it to use Docker's default (or local mode when none "
            "answers), or set bundling.mode='local'")
    return "local"


def resolve_mode(request: BuildRequest, docker: DockerRunner,
                 environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    mode = requested_mode(request, environ)
    if mode == "docker":
        _named_engine(environ)
    return (_auto(docker.available, environ, request.bundling.dockerfile) if mode == "auto"
            else mode)


def local_target(request: BuildRequest) -> Target:
    """What this host can do for the target: uv installs wheels for any platform; strip,
    bytecode and imports only where machine and Python match."""
    py_platform = python_platform(request.runtime, request.architecture)
    host = host_architecture()
    same_machine = host is not None and host.name == request.architecture
    linux = sys.platform.startswith("linux")
    same_python = host_python() == request.runtime
    return Target("local", f"local:{py_platform}",
                  can_strip=linux and same_machine and shutil.which("strip") is not None,
                  can_compile=same_python, can_import=linux and same_machine and same_python,
                  python_platform=py_platform)


def resolve_target(request: BuildRequest, mode: str, docker: DockerRunner,
                   log: Callable[[str], None]) -> Target:
    if mode == "docker":
        image_id = (built_image(request, docker, log) if request.image_build else
                    docker.ensure_image(request.image, request.platform, log))
        return Target("docker", image_id, True, True, True)
    return local_target(request)


def pin_target(request: BuildRequest, engine: EngineSocket | None,
               environ: Mapping[str, str] | None = None) -> Target:
    """The target the asset hash names, cheaply: ``auto`` is Docker when the engine's
    socket answers a ping (or ``DOCKER_HOST`` is not a local socket: that engine is meant
    to be used); Docker names the image's local ID (or its tag and :data:`ABSENT`); local
    names the uv platform and what this host can do."""
    environ = os.environ if environ is None else environ
    mode = requested_mode(request, environ)
    if mode == "auto":
        mode = _auto(lambda: engine is None or engine.remote or engine.ping(), environ,
                     request.bundling.dockerfile)
    elif mode == "docker":
        _named_engine(environ)
    if mode == "local":
        return local_target(request)
    if request.image_build is not None:
        return Target("docker", pinned_image(request, engine), True, True, True)
    attrs = engine.image(request.image) if engine is not None else None
    image_id = attrs.get("Id") if attrs is not None else None
    return Target("docker", image_id if isinstance(image_id, str) else request.image + ABSENT,
                  True, True, True)


def pin_request(request: BuildRequest, engine: EngineSocket | None,
                environ: Mapping[str, str] | None = None) -> BuildRequest:
    """The request with its pinned target (whose mode the build then uses) and the
    environment's resolution settings."""
    environ = os.environ if environ is None else environ
    return replace(request, pinned=pin_target(request, engine, environ),
                   git_pins=pin_git(request, request.label or request.entry, environ),
                   resolution=resolution_settings(
                       passthrough_environment(request.bundling, environ)))
