"""How build containers reach this host's files: bind mounts, or copies through the Docker API.

A bind mount names a path on the engine's machine. Where the engine is not on this
machine, or runs in another container (Docker-in-Docker CI jobs, a devcontainer with the
host's socket, a remote ``DOCKER_HOST``), that path is another file, or none. So
``bundling.file_access`` (or ``SLIM_LAMBDA_FILE_ACCESS``) picks:

- ``bind``: bind mounts, as always; an engine that cannot see the path is a clear error;
- ``copy``: inputs put into the created container and outputs read back, through the API
  (:mod:`slim_lambda.run.copying`);
- ``auto``: copy for an engine that is not local by its address (:data:`REMOTE_SCHEMES`) or
  that cannot see a probe file (read through the API from a created, never started
  container of the build image, once per engine per process: 0.13 s, where running one
  took 0.6 s of every cold synth); else bind.

The choice is pure (:func:`choose_access`); the probe is a parameter.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import ConfigurationError, DockerError
from ..options import FILE_ACCESS, BundlingOptions
from .container import DockerRunner
from .container_spec import ContainerRun, UnseenMount, Volume

__all__ = ["FILE_ACCESS_ENV", "REMOTE_SCHEMES", "Access", "choose_access", "probe_sees_files",
           "requested_access", "ssh_copy_error", "unseen_error"]

FILE_ACCESS_ENV = "SLIM_LAMBDA_FILE_ACCESS"
#: An engine addressed this way is not on this machine's file system, as a rule.
REMOTE_SCHEMES: dict[str, str] = {
    "tcp://": "a tcp:// engine is another machine's or another container's "
              "(Docker-in-Docker)",
    "ssh://": "an ssh:// engine is another machine's",
}
FIX = "set bundling.file_access='copy' or SLIM_LAMBDA_FILE_ACCESS=copy"

_SEES_FILES: dict[str, bool] = {}
"""Probe answers of this process, by engine address."""


@dataclass(frozen=True)
class Access:
    """How a build's containers get their files, and why."""

    mode: str
    """``bind`` or ``copy``."""
    reason: str


def requested_access(bundling: BundlingOptions, environ: Mapping[str, str] | None = None
                     ) -> tuple[str, str]:
    """``SLIM_LAMBDA_FILE_ACCESS``, else ``bundling.file_access`` (maybe ``auto``), and
    which of the two said it."""
    environ = os.environ if environ is None else environ
    if environ.get(FILE_ACCESS_ENV):
        access, named_by = environ[FILE_ACCESS_ENV], FILE_ACCESS_ENV
    else:
        access, named_by = bundling.file_access, "bundling.file_access"
    if access not in FILE_ACCESS:
        raise ConfigurationError(named_by, [
            f"{access!r} is not one of {', '.join(FILE_ACCESS)}"])
    return access, named_by


def choose_access(requested: str, host: str, sees_files: Callable[[], bool],
                  named_by: str = "bundling.file_access") -> Access:
    """``requested`` resolved for the engine at ``host``; ``sees_files`` (the probe) is
    asked only in ``auto`` mode for an address that does not settle it, and its answer is
    kept for ``host`` for the rest of this process."""
    if requested != "auto":
        return Access(requested, f"{named_by}={requested!r}")
    for scheme, why in REMOTE_SCHEMES.items():
        if host.startswith(scheme):
            return Access("copy", f"the engine is at {host}: {why} (file_access 'auto')")
    if host not in _SEES_FILES:
        _SEES_FILES[host] = sees_files()
    if _SEES_FILES[host]:
        return Access("bind", f"the engine at {host} sees this host's files "
                      "(file_access 'auto')")
    return Access("copy", f"the engine at {host} cannot see this host's files: a probe file "
                  "bind-mounted into a container was not there (file_access 'auto')")


def unseen_error(host: str, detail: str) -> DockerError:
    """Bind mounts against an engine that cannot see this host's files."""
    return DockerError(
        f"the Docker engine at {host} cannot see this host's files ({detail}), so "
        f"bundling.file_access='bind' cannot work there (Docker-in-Docker, a remote "
        f"DOCKER_HOST): {FIX}, or 'auto', which detects it")


def ssh_copy_error(host: str) -> DockerError:
    """``bundling.ssh`` against an engine reached by copy: a socket cannot be copied."""
    return DockerError(
        f"bundling.ssh forwards this host's SSH agent socket into the deps container, but "
        f"the Docker engine at {host} gets its files by copy (bundling.file_access), and a "
        f"socket cannot be copied to another machine: build with a local engine "
        f"(file_access='bind'), or use git+https:// with credentials for this dependency")


PROBE = "/slim-lambda/probe"


def probe_sees_files(docker: DockerRunner, image: str, platform: str) -> bool:
    """Whether the engine sees this host's files: a file with a random token, in a private
    temporary directory bind-mounted into a container of ``image``, read back there."""
    token = secrets.token_hex(16)
    probe_dir = tempfile.mkdtemp(prefix="slim-lambda-probe-")
    try:
        with open(os.path.join(probe_dir, "token"), "w", encoding="ascii") as f:
            f.write(token)
        os.chmod(probe_dir, 0o755)  # whoever the container runs as reads it
        run = ContainerRun(
            image=image, platform=platform, network="none", timeout_seconds=120,
            user=docker.container_user(), volumes=(Volume(probe_dir, PROBE),), command=())
        try:
            return docker.peek(run, f"{PROBE}/token") == token.encode("ascii")
        except UnseenMount:
            return False
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
