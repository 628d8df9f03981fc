"""Secrets among the function's own files: what never ships, what ships redacted, what ships
with a warning.

An entry directory is often a project root, sometimes a home directory: it can hold login
files, SSH keys and requirements files with an index password in them. Three tables, a
reason for each entry:

- ``CREDENTIAL_FILES``: left out by default (they join ``sources.DEFAULT_EXCLUDES``); a
  function that really needs one re-includes it with ``!`` in ``bundling.exclude``.
- ``MANIFEST_FILES``: dependency manifests. The install reads them in place, with their
  credentials; the asset's copy, and the asset hash, get their URL credentials redacted
  (``https://***@host/simple``), so the host and path still tell indexes apart.
- Private keys (any file with a PEM ``PRIVATE KEY`` block, and ``KEY_FILES`` by name) ship,
  since a function may need its client key, but each one is a warning in the report.
  A CA bundle (only ``CERTIFICATE`` blocks) is no secret and gives no warning.
"""

from __future__ import annotations

import os
import re

import pathspec

from .redact import redact

__all__ = ["CREDENTIAL_EXCLUDES", "CREDENTIAL_FILES", "KEY_FILES", "MANIFEST_FILES",
           "is_manifest", "redact_manifest", "secret_warnings"]

CREDENTIAL_FILES: tuple[tuple[str, str], ...] = (
    (".env", "dotenv files: API keys and passwords for local runs"),
    (".env.*", "dotenv files per stage (.env.production, .env.local)"),
    (".netrc", "logins and passwords that pip, curl and git send to hosts"),
    ("_netrc", ".netrc on Windows"),
    (".git-credentials", "git's credential store: tokens in plain text"),
    (".pypirc", "PyPI upload tokens"),
    ("pip.conf", "pip's configuration: index URLs with their passwords"),
    ("pip.ini", "pip.conf on Windows"),
    (".npmrc", "npm registry tokens"),
    (".docker/config.json", "container registry logins"),
    (".aws/", "AWS access keys, profiles and SSO sessions"),
    (".ssh/", "SSH private keys, configuration and known hosts"),
    (".gnupg/", "GPG private keys"),
    ("id_rsa*", "SSH keys by their default names; the public half (.pub) too, as it is no "
                "use to a function either"),
    ("id_dsa*", "SSH keys by their default names"),
    ("id_ecdsa*", "SSH keys by their default names"),
    ("id_ed25519*", "SSH keys by their default names"),
)
"""gitignore patterns of files that hold credentials, and why each is left out."""

CREDENTIAL_EXCLUDES: tuple[str, ...] = tuple(pattern for pattern, _ in CREDENTIAL_FILES)

MANIFEST_FILES: tuple[tuple[str, str], ...] = (
    ("*requirements*.txt", "pip requirements: requirements.txt, requirements-dev.txt, "
                           "dev-requirements.txt (--index-url, pkg @ URL lines)"),
    ("**/requirements/**/*.txt", "requirements split into a requirements/ directory"),
    ("*constraints*.txt", "pip constraints files"),
    ("*requirements*.in", "pip-tools inputs"),
    ("pyproject.toml", "uv and Poetry index URLs, PEP 508 direct references"),
    ("uv.toml", "uv's index settings"),
    ("setup.cfg", "direct references in install_requires"),
    ("Pipfile", "[[source]] URLs"),
    ("Pipfile.lock", "lock files record index and file URLs"),
    ("poetry.lock", "lock files record index and file URLs"),
    ("uv.lock", "lock files record index and file URLs"),
    ("pdm.lock", "lock files record index and file URLs"),
    ("pylock*.toml", "PEP 751 lock files record index and file URLs"),
)
"""gitignore patterns of dependency manifests, shipped and hashed with URL credentials
redacted. A manifest under another name (``bundling.manifest``, a ``-r`` include) is
copied as written: name it like one of these."""

KEY_FILES: tuple[tuple[str, str], ...] = (
    ("*.p12", "PKCS#12: a private key with its certificate"),
    ("*.pfx", "PKCS#12 under its Windows name"),
)
"""Binary key stores, warned about by name (their keys cannot be seen in the bytes)."""

SCAN_BYTES = 1 << 20
"""How much of each file is searched for a PEM private key."""

_MANIFESTS = pathspec.GitIgnoreSpec.from_lines([p for p, _ in MANIFEST_FILES])
_KEY_FILES = pathspec.GitIgnoreSpec.from_lines([p for p, _ in KEY_FILES])
_BREAK = rb"(?:\s|\\[nr])+"  # a real line break, or one escaped in a source string
_PRIVATE_KEY = re.compile(
    rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----" + _BREAK
    + rb"(?:[A-Za-z-]+: [^\n\\]*" + _BREAK + rb")*"  # headers (Proc-Type, DEK-Info)
    + rb"[A-Za-z0-9+/=]{32}")  # a key's body, not a program naming the marker


def is_manifest(rel: str) -> bool:
    """Whether ``rel`` (relative to the entry) is a dependency manifest."""
    return _MANIFESTS.match_file(rel)


def redact_manifest(data: bytes) -> bytes:
    """A manifest's bytes with every URL's credentials redacted; any other byte kept."""
    return redact(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


def _holds_private_key(path: str) -> bool:
    with open(path, "rb") as f:
        return _PRIVATE_KEY.search(f.read(SCAN_BYTES)) is not None


def secret_warnings(root: str, rels: list[str]) -> list[str]:
    """A warning for each of ``rels`` (files under ``root``) that holds a private key."""
    found = [rel for rel in sorted(rels)
             if _KEY_FILES.match_file(rel) or _holds_private_key(os.path.join(root, rel))]
    return [f"{rel} holds a private key and ships in the asset: fine if the function needs "
            f"it (AWS Secrets Manager keeps it out of the code), else leave it out with "
            f'bundling.exclude=("/{rel}",)' for rel in found]
