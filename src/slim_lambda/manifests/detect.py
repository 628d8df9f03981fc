"""Which dependency manifest an entry has.

The detection order is one tuple and one function (``present``), so it reads and tests as
a value. A ``pyproject.toml`` only counts when it is a manifest of its own: not beside the
lock it belongs to, and not when it holds only tool settings. An entry with no manifest
but a file that needs one (a Pipfile, Poetry dependencies) is an error saying what to add.
"""

from __future__ import annotations

import os

from ..errors import ConfigurationError
from .context import GROUPS_OPTION, MANIFEST_OPTION, load_toml

__all__ = ["DETECTION_ORDER", "kind_of", "present", "require_manifest"]

DETECTION_ORDER = ("requirements.txt", "uv.lock", "poetry.lock", "Pipfile.lock", "pyproject.toml")
"""Manifest kinds in the order an entry is searched for them."""

LOCKS_OF_PYPROJECT = ("uv.lock", "poetry.lock")
"""Locks whose project is the pyproject.toml beside them (it is not a second manifest)."""


def present(entry: str) -> list[str]:
    """The manifests present in ``entry``, in detection order. A pyproject.toml counts
    when no uv.lock or poetry.lock is there to lock it and it declares dependencies (not
    only tool settings); with dynamic dependencies only when nothing else is there."""
    found = [k for k in DETECTION_ORDER[:4] if os.path.isfile(os.path.join(entry, k))]
    if any(k in found for k in LOCKS_OF_PYPROJECT):
        return found
    if os.path.isfile(os.path.join(entry, "pyproject.toml")):
        data = load_toml(entry, "pyproject.toml", "fix the file")
        project = data.get("project")
        if isinstance(project, dict):
            dynamic = "dependencies" in project.get("dynamic", [])
            declares = dynamic or "build-system" in data or any(
                k in project for k in ("dependencies", "optional-dependencies"))
            if declares and not (dynamic and found):
                found.append("pyproject.toml")
        elif "dependency-groups" in data:
            found.append("pyproject.toml")
    return found


def kind_of(entry: str, manifest: str) -> str:
    """The kind of a manifest named explicitly: a lock or pyproject.toml by its name, any
    other file a requirements file."""
    base = os.path.basename(manifest)
    if base in DETECTION_ORDER[1:]:
        return base
    if base == "Pipfile":
        raise ConfigurationError(entry, [
            f"{MANIFEST_OPTION}: {os.path.join(entry, manifest)} is a Pipfile; name its lock "
            "instead (Pipfile.lock, created by `pipenv lock`)"])
    return "requirements.txt"


def require_manifest(entry: str, selected: tuple[str, ...]) -> None:
    """For an entry with no manifest: an error when something there needs one."""
    pyproject = os.path.join(entry, "pyproject.toml")
    if os.path.isfile(os.path.join(entry, "Pipfile")):
        raise ConfigurationError(entry, [
            f"{MANIFEST_OPTION}: {os.path.join(entry, 'Pipfile')} has no Pipfile.lock beside "
            "it; run `pipenv lock` and keep Pipfile.lock in the entry (slim-lambda installs "
            "locks only)"])
    if os.path.isfile(pyproject) and set(load_toml(entry, "pyproject.toml", "fix the file").get(
            "tool", {}).get("poetry", {}).get("dependencies", {})) - {"python"}:
        raise ConfigurationError(entry, [
            f"{MANIFEST_OPTION}: {pyproject} lists its dependencies only in "
            "[tool.poetry.dependencies], which need poetry.lock: run `poetry lock` and keep "
            "poetry.lock beside it, or list them in [project].dependencies"])
    if selected:
        raise ConfigurationError(entry, [
            f"{GROUPS_OPTION}: {', '.join(selected)} selected, but {entry} has no dependency "
            f"manifest ({', '.join(DETECTION_ORDER)}); remove the groups or add a manifest"])
