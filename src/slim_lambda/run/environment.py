"""What the install sees of this host: passed-through variables, the CA bundle, and the
secrets among them, with the redactor that keeps those secrets out of every log line, and
which variables and index logins must reach the install privately (:mod:`.credentials`).

Pure: the host environment is a parameter (``os.environ`` by default), so each rule is
tested without running a build.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

from ..options import BundlingOptions
from ..pipeline.redact import HIDDEN, redact, url_secrets
from .credentials import Login, logins

__all__ = [
    "CA_BUNDLE_ENV",
    "BuildEnvironment",
    "build_environment",
    "find_ca_bundle",
    "find_secrets",
    "make_redactor",
    "passthrough_environment",
    "private_names",
]

CA_BUNDLE_ENV = "SLIM_LAMBDA_CA_BUNDLE"
SECRET_NAME = ("PASSWORD", "TOKEN", "SECRET", "AUTH", "CREDENTIAL", "_KEY")
"""A variable whose name contains one of these holds a secret."""
OWNED = ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "PIP_CACHE_DIR", "PIP_TARGET",
         "UV_CACHE_DIR")
"""Set by the build itself (CA bundle, caches, target): never taken from the host."""
MIN_SECRET = 4
"""Shorter values are not redacted: replacing every ``ab`` would garble the logs."""


@dataclass(frozen=True)
class BuildEnvironment:
    """The variables passed to the install, the CA bundle to forward, the secrets."""

    variables: Mapping[str, str]
    ca_bundle: str | None
    secrets: tuple[str, ...]
    private: frozenset[str] = frozenset()
    """Names among ``variables`` that no command line or container configuration shows."""
    logins: tuple[Login, ...] = ()
    """The index options' credentials, for the install's netrc."""

    @property
    def public_variables(self) -> dict[str, str]:
        """What the container's configuration (``docker inspect``) may show."""
        return {k: v for k, v in self.variables.items() if k not in self.private}

    @property
    def private_variables(self) -> dict[str, str]:
        """What only the pipeline's own environment holds, read from a ``0600`` file."""
        return {k: v for k, v in self.variables.items() if k in self.private}

    def redact(self, text: str) -> str:
        return make_redactor(self.secrets)(text)


def passthrough_environment(bundling: BundlingOptions, environ: Mapping[str, str]
                            ) -> dict[str, str]:
    """The host variables the install sees: ``bundling.pass_environment`` patterns, then
    ``bundling.environment``. Never part of the asset hash or the report."""
    env = {name: value for name, value in environ.items()
           if any(fnmatch.fnmatchcase(name, p) for p in bundling.pass_environment)}
    env.update(bundling.environment)
    for name in OWNED:
        env.pop(name, None)
    return env


def private_names(bundling: BundlingOptions, variables: Mapping[str, str]) -> frozenset[str]:
    """Every ``bundling.environment`` variable (written in the app: often a secret), and each
    passed-through one whose name looks secret or whose value holds URL credentials."""
    return frozenset(name for name, value in variables.items()
                     if name in bundling.environment or url_secrets(value)
                     or any(s in name.upper() for s in SECRET_NAME))


def find_ca_bundle(bundling: BundlingOptions, environ: Mapping[str, str]) -> str | None:
    """The CA bundle to forward: the option, else ``SLIM_LAMBDA_CA_BUNDLE``, else the
    host's own pip/SSL setting (a user behind a TLS proxy already has it set)."""
    for candidate in (bundling.ca_bundle, environ.get(CA_BUNDLE_ENV),
                      environ.get("PIP_CERT"), environ.get("SSL_CERT_FILE")):
        if candidate and os.path.isfile(candidate):
            return os.path.realpath(candidate)
    return None


def _forms(secret: str) -> set[str]:
    """A secret as written, percent-decoded and percent-encoded: a password read from
    ``https://u:p%40ss@host`` may be echoed as ``p@ss``, one set as ``p@ss`` as ``p%40ss``."""
    return {secret, unquote(secret), quote(secret, safe=""), quote(unquote(secret), safe="")}


def find_secrets(bundling: BundlingOptions, env: Mapping[str, str]) -> tuple[str, ...]:
    """Every secret of the index options and the passed variables, in every form, longest
    first (so a secret that contains another is replaced whole): the userinfo and secret
    query values of any URL (whatever the variable's name: ``PIP_EXTRA_INDEX_URL`` holds
    passwords too), and the whole value of a variable whose name looks secret."""
    found: list[str] = []
    for text in [bundling.index_url or "", *bundling.extra_index_urls, *bundling.find_links,
                 *env.values()]:
        found += url_secrets(text)
    found += [value for name, value in env.items() if any(s in name.upper() for s in SECRET_NAME)]
    forms = {form for secret in found for form in _forms(secret) if len(form) >= MIN_SECRET}
    return tuple(sorted(forms, key=lambda s: (-len(s), s)))


def _pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for all ``secrets``; their ``%XX`` escapes match in either case."""
    alternatives = ["".join(f"(?i:{re.escape(piece)})" if piece.startswith("%") else
                            re.escape(piece)
                            for piece in re.split(r"(%[0-9A-Fa-f]{2})", secret) if piece)
                    for secret in secrets]
    return re.compile("|".join(alternatives)) if alternatives else None


def make_redactor(secrets: tuple[str, ...]) -> Callable[[str], str]:
    """Every known secret by value (longest first), then URL credentials by shape (which
    also hides those no option or variable named)."""
    pattern = _pattern(sorted(secrets, key=len, reverse=True))

    def clean(text: str) -> str:
        return redact(pattern.sub(HIDDEN, text) if pattern else text)
    return clean


def build_environment(bundling: BundlingOptions,
                      environ: Mapping[str, str] | None = None) -> BuildEnvironment:
    environ = os.environ if environ is None else environ
    variables = passthrough_environment(bundling, environ)
    return BuildEnvironment(variables=variables, ca_bundle=find_ca_bundle(bundling, environ),
                            secrets=find_secrets(bundling, variables),
                            private=private_names(bundling, variables),
                            logins=logins([bundling.index_url or "", *bundling.extra_index_urls,
                                           *bundling.find_links]))
