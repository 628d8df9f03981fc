"""SSH agent forwarding for ``git+ssh://`` dependencies: checked at synth, and only ever
given to the deps stage.

A private git dependency over SSH needs the user's key, and the key must never be copied:
the host's agent socket (``SSH_AUTH_SOCK``) is mounted into the deps container, which asks
the agent to sign, and nowhere else (assemble and verify run the dependencies' code and
need no key). It is on only when asked (``bundling.ssh``, or ``SLIM_LAMBDA_SSH=1``), and
host keys are checked against the user's ``known_hosts`` (or ``bundling.ssh_known_hosts``),
mounted read-only; checking is never turned off. Neither the socket nor the file is in the
deps key, the asset hash or the report: they say how to fetch, not what is fetched (the
commit is keyed).
"""

from __future__ import annotations

import os
import shlex
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import ConfigurationError
from ..options import BundlingOptions
from ..pipeline.redact import redact
from .container_spec import Volume
from .workdir import write_private

__all__ = ["SSH_ENV", "SshAgent", "container_forwarding", "ssh_agent", "ssh_command",
           "ssh_config"]

SSH_ENV = "SLIM_LAMBDA_SSH"
"""``1`` turns ``bundling.ssh`` on for every function (``0`` leaves it to the option)."""
_FIX_AGENT = ("start an agent and add your key (`eval $(ssh-agent); ssh-add`), or leave "
              "bundling.ssh off")


@dataclass(frozen=True)
class SshAgent:
    """The host's agent socket and the known_hosts file the build trusts."""

    socket: str
    known_hosts: str


def _options(known_hosts: str) -> tuple[tuple[str, str], ...]:
    """ssh's settings for a build: never prompt, check host keys against ``known_hosts``
    only (an unknown or changed key fails the fetch)."""
    return (("BatchMode", "yes"), ("StrictHostKeyChecking", "yes"),
            ("UserKnownHostsFile", known_hosts), ("GlobalKnownHostsFile", "/dev/null"))


def ssh_command(known_hosts: str) -> str:
    """``GIT_SSH_COMMAND`` on this host (``git ls-remote`` at synth, uv in local mode)."""
    return "ssh " + " ".join(f"-o {k}={shlex.quote(v)}" for k, v in _options(known_hosts))


def ssh_config(known_hosts: str) -> str:
    """The same settings as the build container's ``/etc/ssh/ssh_config``: pip replaces
    ``GIT_SSH_COMMAND`` when it runs git (``--no-input``), the config file it keeps."""
    return "Host *\n" + "".join(f"    {k} {v}\n" for k, v in _options(known_hosts))


def _requested(bundling: BundlingOptions, environ: Mapping[str, str]) -> bool:
    return bundling.ssh or environ.get(SSH_ENV, "") not in ("", "0")


def _is_socket(path: str) -> bool:
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False


def ssh_agent(bundling: BundlingOptions, environ: Mapping[str, str], where: str,
              git_urls: Iterable[str] = ()) -> SshAgent | None:
    """The agent to forward, None when not asked; every problem at once: ``git_urls``
    over SSH without the option, an option without an agent or a known_hosts file."""
    over_ssh = [u for u in git_urls if u.removeprefix("git+").startswith("ssh://")]
    if not _requested(bundling, environ):
        if over_ssh:
            raise ConfigurationError(where, [
                f"bundling.ssh: {redact(u)} is fetched over SSH, and the build gets no SSH "
                f"agent unless asked: set BundlingOptions(ssh=True) (or {SSH_ENV}=1) to "
                "forward your agent (SSH_AUTH_SOCK) into the dependency install"
                for u in over_ssh])
        return None
    problems = []
    socket = environ.get("SSH_AUTH_SOCK", "")
    if not socket:
        problems.append(f"bundling.ssh: SSH_AUTH_SOCK is not set, so there is no SSH agent "
                        f"to forward; {_FIX_AGENT}")
    elif not _is_socket(socket):
        problems.append(f"bundling.ssh: SSH_AUTH_SOCK={socket} is not a socket (the agent "
                        f"has stopped?); {_FIX_AGENT}")
    home = environ.get("HOME") or os.path.expanduser("~")
    known = os.path.abspath(bundling.ssh_known_hosts or os.path.join(home, ".ssh",
                                                                      "known_hosts"))
    if not os.path.isfile(known):
        problems.append(f"bundling.ssh_known_hosts: {known} does not exist, and host keys are "
                        "always checked: add the git host's key to it (`ssh-keyscan -p PORT "
                        "HOST >> FILE`, after checking its fingerprint), or name another file")
    if problems:
        raise ConfigurationError(where, problems)
    return SshAgent(socket=socket, known_hosts=known)


def container_forwarding(agent: SshAgent, tools: str, user: str | None, work: str
                         ) -> tuple[list[Volume], dict[str, str]]:
    """The deps container's read-only mounts and variables for ``agent`` (under ``tools``
    in the container), and its ssh configuration, written into ``work`` (the host path).
    ssh refuses to run as a uid without a passwd entry, and the build image knows no host
    user: for one other than root, a passwd file naming it is mounted as ``/etc/passwd``."""
    sock, known = f"{tools}/ssh/agent.sock", f"{tools}/ssh/known_hosts"
    config = os.path.join(work, "ssh_config")
    write_private(config, ssh_config(known))
    volumes = [Volume(agent.socket, sock, True), Volume(agent.known_hosts, known, True),
               Volume(config, "/etc/ssh/ssh_config", True)]
    uid, _, gid = (user or "0").partition(":")
    if uid != "0":
        passwd = os.path.join(work, "passwd")
        write_private(passwd, f"root:x:0:0:root:/root:/bin/sh\n"
                              f"build:x:{uid}:{gid or uid}:build:/tmp:/bin/sh\n")
        volumes.append(Volume(passwd, "/etc/passwd", True))
    return volumes, {"SSH_AUTH_SOCK": sock}
