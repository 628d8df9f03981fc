"""A function that is a member of a uv workspace: its lock is the workspace's.

``uv lock`` in a monorepo writes one ``uv.lock`` at the workspace root, and each member
(``functions/api``, ``libs/common``) is a package of it whose source is its directory
(``virtual``, or ``editable`` with a build backend). An entry with no lock of its own is
looked up there: the nearest ``uv.lock`` above it, up to the repository root (the first
directory with ``.git``) or :data:`MAX_LEVELS` up, that has a package for the entry.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Any

from ..errors import ConfigurationError
from .context import MANIFEST_OPTION, load_toml

__all__ = ["MAX_LEVELS", "ancestors", "member_source", "repository_root", "workspace_lock"]

MAX_LEVELS = 6


def member_source(package: dict[str, Any]) -> str | None:
    """The directory a lock package is built from (``virtual``, ``editable`` or
    ``directory`` source), relative to the lock; None for a package from elsewhere."""
    source = package.get("source", {})
    for kind in ("virtual", "editable", "directory"):
        if isinstance(source.get(kind), str):
            return str(source[kind])
    return None


def _is_member(lock_dir: str, data: dict[str, Any], entry: str) -> bool:
    real = os.path.realpath(entry)
    return any(os.path.realpath(os.path.join(lock_dir, where)) == real
               for where in map(member_source, data.get("package", [])) if where is not None)


def ancestors(path: str) -> list[str]:
    """The directories above ``path`` (resolved), nearest first."""
    found, here = [], os.path.realpath(path)
    while (parent := os.path.dirname(here)) != here:
        found.append(parent)
        here = parent
    return found


def repository_root(entry: str) -> str | None:
    """The nearest directory at or above ``entry`` holding ``.git``, or None."""
    return next((d for d in [os.path.realpath(entry), *ancestors(entry)]
                 if os.path.exists(os.path.join(d, ".git"))), None)


def workspace_lock(entry: str) -> str | None:
    """The entry-relative path of the workspace lock that has the entry as a member."""
    root = repository_root(entry)
    if root == os.path.realpath(entry):
        return None
    for here in ancestors(entry)[:MAX_LEVELS]:
        lock = os.path.join(here, "uv.lock")
        if os.path.isfile(lock):
            data = load_toml(here, "uv.lock", "re-create it with `uv lock`")
            if _is_member(here, data, entry):
                return os.path.relpath(lock, os.path.realpath(entry))
            if _listed_member(here, entry):
                raise ConfigurationError(entry, [
                    f"{MANIFEST_OPTION}: {entry} is a member of the uv workspace in {here} "
                    "([tool.uv.workspace] members), but its uv.lock has no package for it; "
                    f"run `uv lock` in {here}"])
            return None
        if here == root:
            return None
    return None


def _listed_member(root: str, entry: str) -> bool:
    """The workspace's pyproject.toml lists ``entry`` among its members (globs)."""
    if not os.path.isfile(os.path.join(root, "pyproject.toml")):
        return False
    spec = load_toml(root, "pyproject.toml", "fix the file").get("tool", {}).get(
        "uv", {}).get("workspace", {})
    rel = os.path.relpath(os.path.realpath(entry), root)
    excluded = any(fnmatch.fnmatch(rel, p) for p in spec.get("exclude", []))
    return not excluded and any(fnmatch.fnmatch(rel, p) for p in spec.get("members", []))
