"""Path dependencies in Docker mode: what to mount, and the requirements file to read.

A monorepo's ``requirements.txt`` says ``-e ../../libs/pkg`` or ``../wheels/x.whl``; the
build container sees only its mounts. So each local path the file (or its includes) names
is mounted read-only (:class:`~slim_lambda.run.runners.Mounts` ``paths``), and the stage
reads a flattened copy of the file that names those mounts
(:func:`slim_lambda.manifests.flatten.flatten_requirements`). A project directory is
copied into the work directory before pip builds it, as build backends write next to their
sources; it installs as a package, never editable. The deps key and the asset hash already
cover each path by content (:mod:`slim_lambda.manifests.inputs`).
"""

from __future__ import annotations

import os

from ..manifests.flatten import flatten_requirements
from ..manifests.inputs import requirement_inputs
from ..pipeline.errors import BuildError
from ..plan.request import BuildRequest
from .runners import Mounts
from .workdir import write_private

__all__ = ["FLAT_REQUIREMENTS", "local_paths", "path_packages", "write_flat_requirements"]

FLAT_REQUIREMENTS = "requirements-flat.txt"


def local_paths(request: BuildRequest) -> tuple[str, ...] | None:
    """What the requirements file names by path (includes left out: they are inlined), or
    a lock's path and workspace packages; None when there is nothing local and no git
    requirement to pin, so the stage reads the file itself (pip's messages then name its
    lines)."""
    plan = request.plan
    if plan.paths:
        return tuple(os.path.normpath(os.path.join(request.entry, p)) for p in plan.paths)
    if plan.kind != "requirements.txt" or not plan.manifest:
        return None
    found = requirement_inputs(request.entry, plan.manifest).inputs
    if not found and not request.git_pins:
        return None
    return tuple(dict.fromkeys(i.path for i in found if i.kind != "requirements"))


def write_flat_requirements(request: BuildRequest, host: Mounts, seen: Mounts, work: str
                            ) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Write the flattened file and its constraint files into ``work``; return the file's
    name there and the project directories to copy (mounted, copy)."""
    where = dict(zip(host.paths, seen.paths, strict=True))
    trees: dict[str, str] = {}

    def place(kind: str, path: str) -> str:
        if path not in where:
            raise BuildError("install", f"{path} is named by the requirements but was not "
                             "mounted; this is a bug in slim-lambda, please report it")
        if kind != "tree":
            return where[path]
        return trees.setdefault(where[path], f"{seen.work}/paths/{len(trees)}")

    assert request.plan.manifest is not None
    flat = flatten_requirements(os.path.join(request.entry, request.plan.manifest), place,
                                constraint_dir=seen.work, git=request.git_pins)
    for name, text in flat.constraints:
        write_private(os.path.join(work, name), text)
    write_private(os.path.join(work, FLAT_REQUIREMENTS), flat.text)
    return FLAT_REQUIREMENTS, tuple(trees.items())


def path_packages(seen: Mounts) -> tuple[tuple[str, str], ...]:
    """A lock's path packages as the stage sees them: (mounted, where to copy it)."""
    return tuple((mounted, f"{seen.work}/paths/{i}") for i, mounted in enumerate(seen.paths))
