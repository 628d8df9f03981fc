"""How build containers reach this host's files: bind mounts, or copies through the Docker API.

A bind mount names a path on the engine's machine. Where the engine is not on this
machine, or runs in another container (Docker-in-Docker CI jobs, a devcontainer with the
host's socket, a remote ``DOCKER_HOST``), that path is another file, or none. So
``bundling.file_access`` (or ``SLIM_LAMBDA_FILE_ACCESS``) picks:

- ``bind``: bind mounts, as always; an engine that cannot see the path is a clear error;
- ``copy``: inputs put into the created container and outputs read back, through the API
  (:mod:`slim_lambda.run.copying`);
- ``auto``: copy for an engine that is not local by its address (:data:`REMOTE_SCHEMES`);
  else bind, *assumed*: the build's first container checks it sees the work directory's
  spec before anything runs in it (the container's watchdog), and where it does not, or
  the engine has no such path to mount, the stage runs again by copy, and so does every
  later one for that engine in this process. A probe container used to settle it first:
  0.3 s of every cold synth, for the few engines that cannot see this host's files.

The choice is pure (:func:`choose_access`); what runs learn is kept per engine
(:func:`learn_blind`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import ConfigurationError, DockerError
from ..options import FILE_ACCESS, BundlingOptions
from .container_spec import UnseenMount

__all__ = ["FILE_ACCESS_ENV", "REMOTE_SCHEMES", "Access", "choose_access", "learn_blind",
           "requested_access", "ssh_copy_error", "unseen_error"]

FILE_ACCESS_ENV = "SLIM_LAMBDA_FILE_ACCESS"
#: An engine addressed this way is not on this machine's file system, as a rule.
REMOTE_SCHEMES: dict[str, str] = {
    "tcp://": "a tcp:// engine is another machine's or another container's "
              "(Docker-in-Docker)",
    "ssh://": "an ssh:// engine is another machine's",
}
FIX = "set bundling.file_access='copy' or SLIM_LAMBDA_FILE_ACCESS=copy"

_BLIND: set[str] = set()
"""Engine addresses whose containers, in this process, did not see this host's files."""


@dataclass(frozen=True)
class Access:
    """How a build's containers get their files, and why."""

    mode: str
    """``bind`` or ``copy``."""
    reason: str
    assumed: bool = False
    """Bind mounts that ``auto`` only assumes: the first container checks them, and a
    stage whose container did not see them runs again by copy."""


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


def choose_access(requested: str, host: str, named_by: str = "bundling.file_access"
                  ) -> Access:
    """``requested`` resolved for the engine at ``host``: ``auto`` is copy for a remote
    address or an engine a run found blind, else bind, assumed."""
    if requested != "auto":
        return Access(requested, f"{named_by}={requested!r}")
    for scheme, why in REMOTE_SCHEMES.items():
        if host.startswith(scheme):
            return Access("copy", f"the engine is at {host}: {why} (file_access 'auto')")
    if host in _BLIND:
        return _blind(host)
    return Access("bind", f"the engine at {host} is on this machine by its address "
                  "(file_access 'auto'; its first container checks it sees this host's "
                  "files)", assumed=True)


def _blind(host: str) -> Access:
    """Copy, for an engine a container of which did not see this host's files."""
    return Access("copy", f"the engine at {host} cannot see this host's files: the build's "
                  "work directory, bind-mounted into its container, was not there "
                  "(file_access 'auto')")


def learn_blind(host: str) -> Access:
    """Keep for this process that the engine at ``host`` cannot see this host's files."""
    _BLIND.add(host)
    return _blind(host)


def unseen_error(host: str, detail: str) -> UnseenMount:
    """Bind mounts against an engine that cannot see this host's files."""
    return UnseenMount(
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


