"""``[tool.uv.sources]`` of a ``pyproject.toml`` without a lock: path sources become path
packages, every other kind is an error.

``common = { path = "../libs/common" }`` (``editable = true`` or not) tells uv where
``common`` comes from; pip, reading only ``[project].dependencies``, would fetch some other
``common`` from the index. So each such dependency leaves the requirement lines and becomes
a path package (:attr:`InstallPlan.paths`), mounted read-only, hashed by content, built
into a wheel and resolved together with the rest, never installed editable. A git, url,
index or workspace source is recorded by ``uv lock`` only, so without a lock it is refused
with that fix, never silently replaced by the index's package of the same name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .context import Ctx
from .lockfile import lock_relative
from .versions import parse_requirement

__all__ = ["uv_path_sources"]


def _problem(ctx: Ctx, name: str, source: Any) -> str | None:
    """Why ``source`` cannot be installed without a lock (None: it can)."""
    fix = ("run `uv lock` beside pyproject.toml (or in the workspace's root) and keep "
           "uv.lock, which records it")
    if not isinstance(source, Mapping):  # several sources, chosen by marker
        return f"{ctx.path}: [tool.uv.sources] {name} has several sources; {fix}"
    if "path" not in source:
        kind = "workspace = true" if source.get("workspace") else next(iter(source), "?")
        return f"{ctx.path}: [tool.uv.sources] {name} is a {kind} source; {fix}"
    where = os.path.join(os.path.dirname(ctx.path), str(source["path"]))
    if not os.path.isdir(where):
        return (f"{ctx.path}: [tool.uv.sources] {name} = {{ path = {str(source['path'])!r} }}: "
                f"{os.path.normpath(where)} is not a directory; point it at the library's "
                "directory (the one with its pyproject.toml)")
    return None


def uv_path_sources(ctx: Ctx, data: Mapping[str, Any], lines: list[str]
                    ) -> tuple[list[str], tuple[str, ...]]:
    """The requirement lines pip resolves from its index, and the entry-relative
    directories of the path sources that replace the others."""
    sources = data.get("tool", {}).get("uv", {}).get("sources", {})
    if not sources:
        return lines, ()
    table = {(req.name if (req := parse_requirement(k)) else k): v for k, v in sources.items()}
    keep: list[str] = []
    paths: list[str] = []
    problems: list[str] = []
    for line in lines:
        req = parse_requirement(line)
        if req is None or req.name not in table:
            keep.append(line)
        elif problem := _problem(ctx, req.name, table[req.name]):
            problems.append(problem)
        else:
            paths.append(lock_relative(ctx, str(table[req.name]["path"])))
    if problems:
        raise ctx.error(*dict.fromkeys(problems))
    return keep, tuple(dict.fromkeys(paths))
