"""Resolving the git requirements of a request to commits, at synth.

``git ls-remote`` asks the remote which commit a branch or tag names now (a full commit
needs no asking). The answer pins the build: the deps key and the asset hash cover it,
and the file the stage installs from names it, so a moved branch is a new build and an
unmoved one a cache hit. ``bundling.require_commit`` refuses refs that move. A remote that
cannot be reached is an error at synth naming the requirement, never a stale build. A
``git+ssh://`` remote is asked with the user's agent and known_hosts, as the build will
fetch it (:mod:`.sshagent`); it needs ``bundling.ssh``.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import urllib.parse
from collections.abc import Mapping

from ..errors import ConfigurationError
from ..manifests.flatten import flatten_requirements
from ..manifests.gitrefs import GitRequirement, git_requirements, pin
from ..manifests.requirements import requirement_lines
from ..pipeline.redact import redact
from ..plan.request import BuildRequest
from .sshagent import ssh_agent, ssh_command

__all__ = ["GIT_TIMEOUT_SECONDS", "git_urls", "pin_git"]

GIT_TIMEOUT_SECONDS = 60


def _requirements_text(request: BuildRequest) -> list[str]:
    plan = request.plan
    if plan.kind != "requirements.txt" or not plan.manifest:
        return []
    flat = flatten_requirements(os.path.join(request.entry, plan.manifest),
                                lambda _kind, path: path, constraint_dir="")
    return [*flat.lines, *(line for _name, text in flat.constraints
                           for line in requirement_lines(text))]


def _login_outside_argv(url: str, env: dict[str, str]) -> str:
    """``url`` without its userinfo; an https login moves into git's environment as an
    Authorization header (``GIT_CONFIG_*``), which ``ps`` does not show other users."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or "@" not in parts.netloc:
        return url
    userinfo, host = parts.netloc.rsplit("@", 1)
    login = urllib.parse.unquote(userinfo)
    env.update(GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="http.extraHeader",
               GIT_CONFIG_VALUE_0="Authorization: Basic "
               + base64.b64encode(login.encode()).decode())
    return urllib.parse.urlunsplit(parts._replace(netloc=host))


def _ls_remote(git: str, req: GitRequirement, where: str, known_hosts: str | None) -> str:
    wanted = [req.ref, f"refs/tags/{req.ref}^{{}}", f"refs/tags/{req.ref}",
              f"refs/heads/{req.ref}"] if req.ref else ["HEAD"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_SSH_COMMAND=ssh_command(known_hosts) if known_hosts
               else "ssh -o BatchMode=yes")
    url = _login_outside_argv(req.url, env)
    try:
        proc = subprocess.run([git, "ls-remote", url], capture_output=True, text=True,
                              timeout=GIT_TIMEOUT_SECONDS, env=env)
    except subprocess.TimeoutExpired:
        proc = None
    if proc is None or proc.returncode != 0:
        said = [line.strip() for line in (proc.stderr if proc else "").splitlines()
                if line.strip()]
        why = f"no answer within {GIT_TIMEOUT_SECONDS} s" if proc is None else (
            said[0] if said else f"exit code {proc.returncode}")
        if proc is not None and "Host key verification failed" in proc.stderr:
            why += (": the host's key is not in bundling.ssh_known_hosts (default "
                    "~/.ssh/known_hosts), or differs from it")
        raise ConfigurationError(where, [
            f"{redact(req.token)}: cannot ask the git remote which commit "
            f"{req.ref or 'HEAD'} is ({redact(why)}); check the URL and your access to it, "
            "or pin a full commit (…@<40-hex commit>)"])
    refs: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        commit, _, name = line.partition("\t")
        refs.setdefault(name, commit)
    for name in wanted:
        if name in refs:
            return refs[name]
    raise ConfigurationError(where, [
        f"{redact(req.token)}: the remote has no branch or tag {req.ref!r}; fix the ref, or "
        "pin a full commit (…@<40-hex commit>)"])


def git_urls(request: BuildRequest) -> list[str]:
    """What every git requirement of the request fetches: its requirements file's and its
    lock's git packages."""
    return [r.url for r in git_requirements([*_requirements_text(request), *request.plan.git])]


def pin_git(request: BuildRequest, where: str, environ: Mapping[str, str] | None = None
            ) -> Mapping[str, str]:
    """Each git requirement's URL as written → the URL naming its commit. Checks
    ``bundling.ssh`` against the request's ``git+ssh://`` URLs (a lock's too)."""
    environ = os.environ if environ is None else environ
    found = git_requirements(_requirements_text(request))
    agent = ssh_agent(request.bundling, environ, where, git_urls(request))
    moving = [r for r in found if r.commit is None]
    if moving and request.bundling.require_commit:
        raise ConfigurationError(where, [
            f"bundling.require_commit: {redact(r.token)} names {r.ref or 'no ref'}, which can "
            "move; pin a full commit (…@<40-hex commit>)" for r in moving])
    git = shutil.which("git") if moving else None
    if moving and git is None:
        raise ConfigurationError(where, [
            "git requirements with a branch or tag need git on this host to resolve them "
            "to a commit at synth: install git, or pin full commits"])
    pins = {r.token: pin(r, r.commit) for r in found if r.commit is not None}
    for r in moving:
        assert git is not None
        pins[r.token] = pin(r, _ls_remote(git, r, where,
                                          agent.known_hosts if agent else None))
    return pins
