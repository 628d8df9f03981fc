"""TEMPORARY stand-in written by the lead for integration; the manifests owner replaces it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import ConfigurationError

__all__ = ["InstallPlan", "resolve_manifest"]


@dataclass(frozen=True, kw_only=True)
class InstallPlan:
    kind: str
    manifest: str | None
    requirements: str
    require_hashes: bool = False
    no_deps: bool = False
    project: str | None = None
    groups: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def resolve_manifest(entry: str, *, manifest: str | None = None, groups: Sequence[str] = (),
                     python_version: str = "3.11") -> InstallPlan:
    name = manifest or "requirements.txt"
    path = os.path.join(entry, name)
    if not os.path.isfile(path):
        if manifest:
            raise ConfigurationError("manifest", [f"bundling.manifest: {path} does not exist"])
        return InstallPlan(kind="none", manifest=None, requirements="")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return InstallPlan(kind="requirements.txt", manifest=name, requirements=text)
