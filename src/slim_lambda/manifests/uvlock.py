"""``uv.lock``: the locked closure of the project, read without uv.

The project is the package whose source is ``editable = "."`` (a package, installed after
its dependencies) or ``virtual = "."``; its dependencies, chosen extras and groups are
walked through the lock's graph. A release is picked by the exact version an edge names
(uv's forks lock one release per Python range, each edge carrying its marker).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from typing import Any

from .closure import Edge, Key, Releases, walk
from .compare import Summary
from .context import MANIFEST_OPTION, Ctx, load_toml
from .gitrefs import locked_requirement
from .groups import select
from .lockfile import (
    Pin,
    collect_pins,
    lock_plan,
    lock_relative,
    strong_hashes,
    unlocked_git,
    unsupported_source,
    with_git,
    with_paths,
)
from .markers import Conj, render
from .plan import InstallPlan
from .project import check_python
from .versions import normalize, parse_requirement
from .workspace import member_source

__all__ = ["read_uv"]


def _edge(d: Mapping[str, Any]) -> Edge:
    return Edge(name=normalize(d["name"]), marker=d.get("marker"),
                extras=tuple(normalize(x) for x in d.get("extra", [])), version=d.get("version"))


def read_uv(ctx: Ctx, selected: tuple[str, ...]) -> tuple[InstallPlan, Summary]:
    """The plan of a ``uv.lock``: the project's locked closure with its hashes."""
    data = load_toml(ctx.entry, ctx.rel, "re-create it with `uv lock`")
    check_python(ctx, data.get("requires-python"), "requires-python",
                 "change requires-python in pyproject.toml and run `uv lock`")
    packages: list[dict[str, Any]] = data.get("package", [])
    releases = Releases.of(packages)
    lock_dir = os.path.dirname(ctx.path)

    def rel(where: str) -> str:
        return lock_relative(ctx, where)

    roots = [p for p in packages if (where := member_source(p)) is not None
             and os.path.realpath(os.path.join(lock_dir, where)) == os.path.realpath(ctx.entry)]
    if not roots:
        raise ctx.error(f"{ctx.path}: no package is the project itself (source editable = "
                        "\".\" or virtual = \".\", or a workspace member in the entry); run "
                        "`uv lock` in the directory of the project's pyproject.toml (or the "
                        f"workspace's), or name a requirements file with {MANIFEST_OPTION}")
    root = roots[0]
    paths: list[str] = []
    gits: list[str] = []
    root_key = (normalize(root["name"]), str(root.get("version", "")))
    extras_avail = root.get("optional-dependencies", {})
    groups_avail = root.get("dev-dependencies", {})
    chosen = select(ctx, selected, extras=extras_avail, groups=groups_avail)
    _check_fresh(ctx, root, os.path.join(rel(str(member_source(root))), "pyproject.toml"))

    def resolve(e: Edge) -> list[Key]:
        found = [p for p in releases.named(e.name)
                 if e.version is None or str(p.get("version")) == e.version]
        if not found:
            raise ctx.error(f"{ctx.path}: a dependency on {e.name} has no [[package]] entry; "
                            "the lock is damaged: re-create it with `uv lock`")
        return [(e.name, str(p.get("version", ""))) for p in found]

    def edges_of(key: Key, extra: str | None) -> list[Edge]:
        p = releases[key]
        deps = p.get("dependencies", []) if extra is None else {
            normalize(k): v for k, v in p.get("optional-dependencies", {}).items()
        }.get(extra, [])
        return [_edge(d) for d in deps]

    def pin(key: Key, conjs: list[Conj]) -> Pin | str | None:
        if key == root_key:
            return None
        p = releases[key]
        source = p.get("source", {})
        if "virtual" in source:
            return None  # a workspace member without a build: nothing of its own to install
        if (where := member_source(p)) is not None:
            paths.append(rel(where))  # a path or workspace package: built from its sources
            return None
        if "git" in source:  # "https://host/repo?branch=main#<commit>": that commit
            made = _git_requirement(key[0], str(source["git"]))
            if made is None:
                return unlocked_git(ctx, key[0], source["git"], "run `uv lock`")
            gits.append(made)
            return None
        if "registry" not in source:
            kind = next(iter(source), "unknown")
            return unsupported_source(ctx, key[0], kind, source.get(kind))
        files = [p.get("sdist", {}), *p.get("wheels", [])]
        return Pin(name=key[0], version=key[1], marker=render(conjs),
                   hashes=strong_hashes(f.get("hash", "") for f in files))

    main = [_edge(d) for d in root.get("dependencies", [])]
    start = main + [_edge(d) for x in sorted(chosen.extras) for d in extras_avail[x]]
    start += [_edge(d) for g in sorted(chosen.groups) for d in groups_avail[g]]
    pins = collect_pins(ctx, walk(start, resolve, edges_of), pin)
    editable = "editable" in root.get("source", {})
    plan, summary = lock_plan(ctx, "uv.lock", pins, top=[e.name for e in main],
                              selected=selected, notes=chosen.notes,
                              project=str(root["name"]) if editable else None,
                              project_dir=rel(str(member_source(root))))
    return with_git(ctx, with_paths(ctx, plan, paths), gits), summary


def _git_requirement(name: str, source: str) -> str | None:
    """uv's ``source = { git = "URL?branch=main&subdirectory=x#<commit>" }`` as a
    requirement naming the commit (the branch, tag or rev it followed is history)."""
    body, _, commit = source.partition("#")
    parts = urllib.parse.urlsplit(body)
    subdirectory = urllib.parse.parse_qs(parts.query).get("subdirectory", [None])[0]
    return locked_requirement(name, urllib.parse.urlunsplit(parts._replace(query="")),
                              commit, subdirectory)


def _check_fresh(ctx: Ctx, root: Mapping[str, Any], pyproject: str) -> None:
    """uv.lock against the project's pyproject.toml (entry-relative; beside the lock, or
    the workspace member's own): its [project].dependencies, names only."""
    locked = root.get("metadata", {}).get("requires-dist")
    if not os.path.isfile(os.path.join(ctx.entry, pyproject)) or locked is None:
        return
    project = load_toml(ctx.entry, pyproject, "fix the file").get("project", {})
    if "dependencies" not in project:
        return
    declared = {r.name for r in map(parse_requirement, project["dependencies"]) if r}
    in_lock = {normalize(d["name"]) for d in locked
               if "extra ==" not in str(d.get("marker", "")).replace("extra==", "extra ==")}
    if declared != in_lock:
        diff = sorted(declared ^ in_lock)
        raise ctx.error(f"{ctx.path} is out of date with pyproject.toml ({', '.join(diff)} "
                        "differ in [project].dependencies): run `uv lock` and commit uv.lock")
