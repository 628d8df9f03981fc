"""Index credentials and secret variables, kept off every command line and out of the build
container's configuration.

A command line is visible to every local user (``ps``), a container's environment to anyone
who may run ``docker inspect``. So the installer gets credential-free URLs on its command line
(:func:`without_userinfo`: the spec holds those too), and the logins in a ``netrc`` file
(:func:`netrc_text`), which pip (through requests) and uv read when ``NETRC`` names it. The
variables that must stay private (:attr:`BuildEnvironment.private_variables
<slim_lambda.run.environment.BuildEnvironment.private_variables>`) go to a JSON file the
pipeline loads into its own environment at start. Both files are ``0600`` in the stage's
``0700`` work directory (:func:`write_credentials`), which is removed when the stage ends.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from ..pipeline.errors import BuildError
from ..pipeline.spec import NETRC_FILE, PRIVATE_ENV_FILE
from .workdir import write_private

__all__ = ["Login", "logins", "netrc_text", "without_userinfo", "write_credentials"]


@dataclass(frozen=True)
class Login:
    """One ``netrc`` entry: a host (without its port: netrc has none) and its login."""

    host: str
    login: str
    password: str


def _userinfo(url: str) -> tuple[str, str, str] | None:
    """(host, user, password) of a URL with credentials, percent-decoded; else None."""
    if "://" not in url:
        return None
    split = urlsplit(url)
    if "@" not in split.netloc or not split.hostname:
        return None
    return split.hostname, unquote(split.username or ""), unquote(split.password or "")


def without_userinfo(url: str) -> str:
    """``https://user:pw@host/simple`` → ``https://host/simple``; anything else unchanged
    (a path, a URL without credentials)."""
    if _userinfo(url) is None:
        return url
    split = urlsplit(url)
    return urlunsplit(split._replace(netloc=split.netloc.rpartition("@")[2]))


def logins(urls: Iterable[str]) -> tuple[Login, ...]:
    """The logins the URLs carry, one per host. Raises :class:`BuildError` when one host has
    two different logins: a netrc file holds one per host."""
    found: dict[str, Login] = {}
    for url in urls:
        info = _userinfo(url)
        if info is None:
            continue
        login = Login(*info)
        seen = found.setdefault(login.host, login)
        if seen != login:
            raise BuildError(
                "credentials", f"the index URLs give {login.host} two different logins: "
                "the installer reads credentials from a netrc file, which holds one login "
                "per host", details="Use one login for every index URL on that host "
                "(bundling.index_url, extra_index_urls, find_links).")
    return tuple(found.values())


def _token(value: str) -> str:
    """A netrc token: quoted (``\\`` escapes) when it holds a blank, a quote or a backslash."""
    if value and not any(c.isspace() or c in '"\\' for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def netrc_text(entries: Iterable[Login]) -> str:
    """A netrc file of ``entries``; a token-only URL (``https://TOKEN@host``) has no
    password line."""
    lines = []
    for e in entries:
        password = f" password {_token(e.password)}" if e.password else ""
        lines.append(f"machine {e.host} login {_token(e.login)}{password}\n")
    return "".join(lines)


def write_credentials(work: str, entries: Iterable[Login],
                      variables: Mapping[str, str]) -> None:
    """The stage's ``netrc`` and private variables, ``0600`` in ``work``; none when empty."""
    text = netrc_text(entries)
    if text:
        write_private(os.path.join(work, NETRC_FILE), text)
    if variables:
        write_private(os.path.join(work, PRIVATE_ENV_FILE), json.dumps(dict(variables)))
