"""The repository a function lives in, and what its build may read outside the entry.

Path dependencies, workspace packages, included requirement files and extra sources may
lie outside the entry (a monorepo's ``libs/``), and Docker mode mounts them into the
build. A path that leaves the repository altogether (``../../../../home/me``) is far more
likely a mistake than shared code, and would mount a stranger's directory; it is refused
unless ``bundling.allow_outside_repository`` says it is meant. The repository is the
nearest directory above the entry with a ``.git``; without one nothing is refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from ..manifests.workspace import repository_root

__all__ = ["outside_repository", "repository_root"]


def outside_repository(entry: str, paths: Iterable[tuple[str, str]]) -> list[str]:
    """Problems for each (what names it, path) that lies outside the entry's repository."""
    root = repository_root(entry)
    if root is None:
        return []
    problems = []
    for what, path in paths:
        real = os.path.realpath(path)
        if os.path.commonpath([real, root]) != root:
            problems.append(f"{what}: {real} is outside the repository ({root}); move it "
                            "into the repository, or set bundling.allow_outside_repository="
                            "True if the build is meant to read it")
    return problems
