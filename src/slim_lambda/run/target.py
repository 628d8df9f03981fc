"""Where a build runs, resolved at synth: Docker or this host, and what that can do.

The mode comes from ``SLIM_LAMBDA_MODE`` or the option; ``auto`` asks whether an engine
answers. Docker mode pins the image to its ID (the deps key uses it); local mode derives
what this host can do right for the target (strip, compile, import native code).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping

from ..errors import ConfigurationError
from ..options import MODES
from ..plan.request import BuildRequest, Target
from ..platform import ARCHITECTURES, RUNTIMES, host_architecture
from .container import DockerRunner

__all__ = ["MODE_ENV", "host_python", "resolve_mode", "resolve_target"]

MODE_ENV = "SLIM_LAMBDA_MODE"


def host_python() -> str:
    """This interpreter as a runtime name: ``python3.11``."""
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def resolve_mode(request: BuildRequest, docker: DockerRunner,
                 environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    mode = environ.get(MODE_ENV) or request.bundling.mode
    if mode not in MODES:
        raise ConfigurationError(MODE_ENV, [f"{mode!r} is not one of {', '.join(MODES)}"])
    if mode == "auto":
        return "docker" if docker.available() else "local"
    return mode


def local_target(request: BuildRequest) -> Target:
    """What this host can do for the target: uv installs wheels for any platform; strip,
    bytecode and imports only where machine and Python match."""
    machine = ARCHITECTURES[request.architecture].wheel_machine
    py_platform = f"{machine}-manylinux_{RUNTIMES[request.runtime].uv_glibc}"
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
        image_id = docker.ensure_image(request.image, request.platform, log)
        return Target("docker", image_id, True, True, True)
    return local_target(request)
