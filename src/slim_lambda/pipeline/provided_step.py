"""The deps stage's step for ``bundling.provided``: remove what the runtime (or a foreign
layer) provides, as :func:`slim_lambda.pipeline.provided.plan_provided` planned it.

The removed files move to a holding directory rather than away: where the image has no
``/var/runtime`` (local mode, a custom image), verify imports them from there, as the
runtime would provide them. What is removed is reported with its size, and with the
version the runtime ships where that differs (Lambda imports the runtime's).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..platform import RUNTIME_DIR
from .distinfo import Distribution, normalized_name, read_metadata
from .fsguard import Root
from .provided import declared_versions, plan_provided, requirements, runtime_versions
from .tree import ancestors, iter_files

__all__ = ["Provided", "remove_provided"]

Log = Callable[[str], None]


@dataclass
class Provided:
    removed: list[dict[str, Any]] = field(default_factory=list)
    """Per distribution: name, version, runtime_version (None: unknown), bytes, files,
    top_level."""
    warnings: list[str] = field(default_factory=list)
    import_path: str = ""
    """Where verify finds the provided packages: the image's runtime directory, or the
    held copies; "" when nothing was removed."""


def remove_provided(root: str, dists: Sequence[Distribution], given: Sequence[str],
                    held_dir: str, log: Log, runtime_dir: str = RUNTIME_DIR) -> Provided:
    """Plan and remove; the removed files wait in ``held_dir``."""
    runtime = runtime_versions(runtime_dir)
    declared = declared_versions(given)
    requires = {normalized_name(d.name): requirements(read_metadata(root, d)) for d in dists}
    plan = plan_provided(dists, requires, given, runtime)
    done = Provided(warnings=[
        f"provided: {name} is not installed, so there is nothing to leave out for it; "
        "remove it from bundling.provided" for name in plan.missing])
    if not plan.remove:
        return done
    os.makedirs(held_dir, exist_ok=True)
    tree, held = Root(root), Root(held_dir)
    moved: set[str] = set()
    for dist in plan.remove:
        rels = sorted(dist.files | {rel for rel, _st in _dist_info_files(root, dist)})
        size = 0
        for rel in rels:
            path = os.path.join(root, rel)
            if os.path.lexists(path) and not os.path.isdir(path):
                size += os.lstat(path).st_size
                tree.move_to(rel, held)
                moved.add(rel)
        key = normalized_name(dist.name)
        there = runtime.get(key) or declared.get(key)
        done.removed.append({"name": dist.name, "version": dist.version,
                             "runtime_version": there, "bytes": size, "files": len(rels),
                             "top_level": list(dist.top_level)})
        if there is not None and there != dist.version:
            who = "the runtime ships" if key in runtime else "its provider (a layer) has"
            done.warnings.append(
                f"provided: {dist.name} {dist.version} was resolved, but {who} "
                f"{there}, which is what Lambda imports; pin {dist.name}=={there} to build "
                "and verify against the same version, or bundle it (drop it from "
                "bundling.provided)")
        log(f"  {dist.name} {dist.version}: provided, not bundled ({size:,} bytes)")
    tree.remove_empty_dirs({a for rel in moved for a in ancestors(rel)})
    done.import_path = runtime_dir if runtime else held_dir
    return done


def _dist_info_files(root: str, dist: Distribution) -> list[tuple[str, Any]]:
    base = os.path.join(root, dist.dist_info)
    return [(f"{dist.dist_info}/{rel}", st) for rel, st in iter_files(base)]
