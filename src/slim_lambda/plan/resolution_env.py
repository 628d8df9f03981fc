"""Which passed-through ``PIP_*`` / ``UV_*`` variables change what gets installed, as data.

A build sees the host's pip and uv settings (``bundling.pass_environment``) and
``bundling.environment``. Most of them only change how pip talks to the network
(time-outs, retries, proxies, credentials) — the same bytes either way — but some change
what is resolved: another index, pre-releases, sdists refused, a constraints file. Those
must name a new deps key and a new asset, or a cache hit or a reused asset ships a tree
the settings no longer describe. :data:`RESOLUTION_VARIABLES` lists them, with how each is
read; :func:`resolution_settings` turns an environment into the hashed identity.

Never a secret: URLs are hashed as identity (scheme, user, host, port, path and the query
with secret values hidden — never the password), files by their content with URL
credentials redacted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from ..pipeline.redact import redact
from .content import hash_file, hash_links

__all__ = ["RESOLUTION_VARIABLES", "ResolutionVariable", "resolution_settings", "url_identity"]


@dataclass(frozen=True)
class ResolutionVariable:
    name: str
    kind: str
    """``url`` (one URL), ``urls`` (whitespace-separated URLs), ``links`` (URLs or
    directories), ``files`` (whitespace-separated paths, hashed by content) or ``value``."""
    reason: str


def _v(name: str, kind: str, reason: str) -> ResolutionVariable:
    return ResolutionVariable(name, kind, reason)


RESOLUTION_VARIABLES: tuple[ResolutionVariable, ...] = (
    _v("PIP_INDEX_URL", "url", "another index serves other files"),
    _v("PIP_EXTRA_INDEX_URL", "urls", "more indexes: other candidates"),
    _v("PIP_FIND_LINKS", "links", "more candidates, from pages or directories"),
    _v("PIP_NO_INDEX", "value", "only find-links candidates"),
    _v("PIP_PRE", "value", "pre-releases become candidates"),
    _v("PIP_ONLY_BINARY", "value", "sdists refused: another version may be chosen"),
    _v("PIP_NO_BINARY", "value", "wheels refused: built from source instead"),
    _v("PIP_PREFER_BINARY", "value", "an older version with a wheel wins"),
    _v("PIP_CONSTRAINT", "files", "constraints pin other versions"),
    _v("PIP_REQUIREMENT", "files", "more requirements"),
    _v("PIP_CONFIG_FILE", "files", "a pip.conf may set any of these"),
    _v("PIP_UPGRADE_STRATEGY", "value", "which installed versions are kept"),
    _v("PIP_IGNORE_REQUIRES_PYTHON", "value", "versions for other Pythons become candidates"),
    _v("PIP_NO_DEPS", "value", "dependencies not installed"),
    _v("PIP_NO_BUILD_ISOLATION", "value", "sdists built against other build dependencies"),
    _v("PIP_USE_FEATURE", "value", "resolver features"),
    _v("PIP_USE_DEPRECATED", "value", "the legacy resolver"),
    _v("PIP_PLATFORM", "value", "wheels for another platform"),
    _v("PIP_ABI", "value", "wheels for another ABI"),
    _v("PIP_IMPLEMENTATION", "value", "wheels for another implementation"),
    _v("PIP_PYTHON_VERSION", "value", "wheels for another Python"),
    _v("UV_INDEX_URL", "url", "another index (uv)"),
    _v("UV_DEFAULT_INDEX", "url", "another index (uv)"),
    _v("UV_INDEX", "urls", "more indexes (uv)"),
    _v("UV_EXTRA_INDEX_URL", "urls", "more indexes (uv)"),
    _v("UV_FIND_LINKS", "links", "more candidates (uv)"),
    _v("UV_NO_INDEX", "value", "only find-links candidates (uv)"),
    _v("UV_INDEX_STRATEGY", "value", "which index wins a name"),
    _v("UV_PRERELEASE", "value", "pre-releases become candidates (uv)"),
    _v("UV_RESOLUTION", "value", "lowest versions instead of highest"),
    _v("UV_EXCLUDE_NEWER", "value", "newer releases ignored"),
    _v("UV_NO_BINARY", "value", "wheels refused (uv)"),
    _v("UV_NO_BINARY_PACKAGE", "value", "wheels refused for some packages (uv)"),
    _v("UV_NO_BUILD", "value", "sdists refused (uv)"),
    _v("UV_NO_BUILD_PACKAGE", "value", "sdists refused for some packages (uv)"),
    _v("UV_CONSTRAINT", "files", "constraints pin other versions (uv)"),
    _v("UV_OVERRIDE", "files", "overrides replace requirements (uv)"),
    _v("UV_BUILD_CONSTRAINT", "files", "sdists built against other versions (uv)"),
    _v("UV_CONFIG_FILE", "files", "a uv.toml may set any of these"),
    _v("UV_TORCH_BACKEND", "value", "another PyTorch index"),
)


def url_identity(url: str) -> str:
    """What names an index: scheme, user, host, port, path and the query (its secret
    values hidden). A new password is the same index; a new user may see other files."""
    try:
        parts = urlsplit(url)
        host, user = parts.hostname, parts.username
        port = parts.port
    except ValueError:
        return redact(url)
    if not parts.scheme or host is None:
        return redact(url)
    netloc = host + (f":{port}" if port is not None else "")
    bare = redact(urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")))
    if user:
        scheme, _, rest = bare.partition("://")
        return f"{scheme}://{user}@{rest}"
    return bare


def _link(item: str) -> str:
    if "://" in item:
        return url_identity(item)
    if os.path.isdir(item):
        return "dir:" + repr(hash_links(item))
    return _file(item)


def _file(path: str) -> str:
    if os.path.isfile(path):
        return "file:" + hash_file(path, redacted=True)
    return "missing:" + redact(path)


def _identity(variable: ResolutionVariable, value: str) -> str:
    items = value.split()
    if variable.kind == "url":
        return url_identity(value.strip())
    if variable.kind == "urls":
        return " ".join(url_identity(item) for item in items)
    if variable.kind == "links":
        return " ".join(_link(item) for item in items)
    if variable.kind == "files":
        return " ".join(_file(item) for item in items)
    return value.strip()


def resolution_settings(variables: Mapping[str, str]) -> dict[str, str]:
    """The resolution-changing variables among ``variables`` (what the install sees),
    each as its identity; the others (time-outs, proxies, credentials) are left out."""
    return {v.name: _identity(v, variables[v.name]) for v in RESOLUTION_VARIABLES
            if v.name in variables}
