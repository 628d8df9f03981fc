"""``poetry.lock`` (Poetry 1.x and 2.x): the locked closure of what pyproject.toml declares.

The lock lists packages with their own dependencies; ``pyproject.toml`` (read by
``poetry_deps``) says where the closure starts. Where the lock has several releases of a
package (one per Python range), an edge's constraint narrows them; then a Poetry 2 lock's
per-release markers decide at install time, and an older lock's ``python-versions`` decides
here, for the runtime.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from . import lockfile
from .closure import Edge, Key, Releases, walk
from .compare import Summary
from .context import Ctx, load_toml
from .gitrefs import locked_requirement
from .groups import select
from .lockfile import Pin, collect_pins, lock_plan, strong_hashes, unlocked_git, unsupported_source
from .markers import Conj, admits_python, atoms, drop_extra, render
from .plan import InstallPlan
from .poetry_deps import declared, poetry_edges
from .project import check_python, is_package
from .versions import normalize, requirement_name, satisfies, version_key

__all__ = ["package_marker", "read_poetry"]

_PROJECT: Key = ("", "")
"""The project itself, reached when a group names it with extras."""


def read_poetry(ctx: Ctx, selected: tuple[str, ...]) -> tuple[InstallPlan, Summary]:
    """The plan of a ``poetry.lock``: the declared dependencies' locked closure."""
    lock = load_toml(ctx.entry, ctx.rel, "re-create it with `poetry lock`")
    if not os.path.isfile(os.path.join(ctx.entry, ctx.beside("pyproject.toml"))):
        raise ctx.error(f"{ctx.path} has no pyproject.toml beside it, which says what the "
                        "lock's top-level dependencies are; keep both files in the entry")
    pyproject = load_toml(ctx.entry, ctx.beside("pyproject.toml"), "fix the file")
    deps = declared(pyproject)
    check_python(ctx, deps.python or lock.get("metadata", {}).get("python-versions"),
                 "the project's Python constraint",
                 "change it in pyproject.toml and run `poetry lock`")
    chosen = select(ctx, selected, extras=deps.extras, groups=deps.groups, normalized=False)
    releases = Releases.of(lock.get("package", []))
    metadata_files = {normalize(k): v
                      for k, v in lock.get("metadata", {}).get("files", {}).items()}
    problems: list[str] = []

    def resolve(e: Edge) -> list[Key]:
        if e.name == deps.name:
            return [_PROJECT]
        found = releases.named(e.name)
        if not found:
            problems.append(f"{ctx.path} has no package {e.name}, which pyproject.toml or a "
                            "locked package requires: the lock is out of date; run "
                            "`poetry lock`")
            return []
        if len(found) > 1:
            found = [p for p in found if satisfies(str(p["version"]), e.constraint or "*")]
            found = _pick_release(found, ctx.python_version)
        return [(e.name, str(p["version"])) for p in found]

    def edges_of(key: Key, extra: str | None) -> list[Edge]:
        if key == _PROJECT:
            return [] if extra is None else [
                e for x, es in deps.extras.items() if normalize(x) == extra for e in es]
        p = releases[key]
        if extra is None:
            return _lock_edges(p, lambda name, value: not _is_optional(value))
        wanted = {requirement_name(s) for x, names in p.get("extras", {}).items()
                  if normalize(x) == extra for s in names}
        return _lock_edges(p, lambda name, value: normalize(name) in wanted)

    paths: list[str] = []
    gits: list[str] = []

    def pin(key: Key, conjs: list[Conj]) -> Pin | str | None:
        if key == _PROJECT:
            return None
        p = releases[key]
        source_type = p.get("source", {}).get("type", "legacy")
        if source_type == "directory":  # a path dependency (develop = true or not)
            paths.append(lockfile.lock_relative(ctx, str(p["source"]["url"])))
            return None
        if source_type == "git":  # installed at resolved_reference, never at reference
            source = p["source"]
            made = locked_requirement(key[0], str(source.get("url", "")),
                                      source.get("resolved_reference"), source.get("subdirectory"))
            if made is None:
                return unlocked_git(ctx, key[0], source.get("url"), "run `poetry lock`")
            gits.append(made)
            return None
        if source_type not in ("legacy", "pypi", "", None):
            return unsupported_source(ctx, key[0], source_type, p["source"].get("url", ""))
        files = p.get("files") or metadata_files.get(key[0], [])
        if len(releases.named(key[0])) > 1:  # one of several releases: its markers pick it
            own = package_marker(p, {"main", *chosen.groups})
            conjs = [c | atoms(own) for c in conjs]
        return Pin(name=key[0], version=key[1], marker=render(conjs),
                   hashes=strong_hashes(f.get("hash", "") for f in files))

    start = [*deps.main, *(e for x in sorted(chosen.extras) for e in deps.extras[x]),
             *(e for g in sorted(chosen.groups) for e in deps.groups[g])]
    reached = walk(start, resolve, edges_of)
    pins = collect_pins(ctx, reached, pin, problems)
    package, note = is_package(ctx, pyproject)
    plan, summary = lock_plan(ctx, "poetry.lock", pins, top=[e.name for e in deps.main],
                              selected=selected, notes=[*chosen.notes, *([note] if note else [])],
                              project=deps.name if package else None)
    return lockfile.with_git(ctx, lockfile.with_paths(ctx, plan, paths), gits), summary


def _lock_edges(package: Mapping[str, Any], keep: Callable[[str, Any], bool]) -> list[Edge]:
    """The edges of a locked package's dependencies that ``keep`` (name, value) accepts,
    without the ``extra`` clauses of their markers."""
    return [Edge(name=e.name, marker=drop_extra(e.marker), extras=e.extras,
                 constraint=e.constraint)
            for n, v in package.get("dependencies", {}).items() if keep(n, v)
            for e in poetry_edges(n, v)]


def package_marker(package: Mapping[str, Any], groups: set[str]) -> str | None:
    """A Poetry 2 package's own markers for the groups installed (None: always)."""
    markers = package.get("markers")
    if isinstance(markers, str):
        return drop_extra(markers)
    if not isinstance(markers, dict):
        return None
    mine = [drop_extra(str(m)) for g, m in markers.items() if g in groups]
    if not mine or any(m is None for m in mine) or len(mine) < len(
            set(package.get("groups", [])) & groups):
        return None
    return " or ".join(f"({m})" for m in sorted({m for m in mine if m}))


def _is_optional(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return all(isinstance(i, dict) and i.get("optional") for i in items)


def _pick_release(found: list[dict[str, Any]], python_version: str) -> list[dict[str, Any]]:
    """Of several locked releases that meet a constraint, the ones for this Python: by
    their own markers (Poetry 2 locks), else the newest whose python-versions allows it."""
    if len(found) <= 1 or any("markers" in p for p in found):
        return found
    fits = [p for p in found if admits_python(str(p.get("python-versions", "*")),
                                              python_version)]
    return sorted(fits or found, key=lambda p: version_key(str(p["version"])))[-1:]
