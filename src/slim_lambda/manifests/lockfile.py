"""From a lock's packages to the plan: pinned lines with every hash the lock records.

All three lock readers (uv, Poetry, pipenv) end the same way, so they end here: one
``name==version ; marker --hash=…`` line per locked package, hashes for all lines or none
(pip checks every line or no line), ``--no-deps`` because the lock already resolved.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from ..pipeline.redact import redact
from .closure import Key
from .compare import Summary
from .context import MANIFEST_OPTION, Ctx
from .markers import Conj
from .plan import InstallPlan, with_notes
from .project import project_dir as project_directory
from .versions import version_key

__all__ = ["Pin", "collect_pins", "lock_plan", "lock_summary", "pins_plan", "strong_hashes",
           "unlocked_git", "unsupported_source", "with_git", "with_paths"]

STRONG_HASHES = ("sha256:", "sha384:", "sha512:")
"""Hash algorithms pip accepts with ``--require-hashes``."""


@dataclass(frozen=True, kw_only=True)
class Pin:
    """One locked package to install."""

    name: str
    version: str
    hashes: tuple[str, ...] = ()
    marker: str | None = None


def strong_hashes(hashes: Iterable[object]) -> tuple[str, ...]:
    """The hashes pip accepts, sorted, without duplicates."""
    return tuple(sorted({str(h) for h in hashes if str(h).startswith(STRONG_HASHES)}))


def unsupported_source(ctx: Ctx, name: str, kind: str, where: object) -> str:
    """The problem of a locked package that is not from an index."""
    return (f"{ctx.path}: {name} has source {kind} = {where!r}, which slim-lambda does not "
            "install from a lock yet: publish it to an index (bundling.index_url / "
            f"bundling.find_links), or use a requirements file with {MANIFEST_OPTION}")


def unlocked_git(ctx: Ctx, name: str, url: object, fix: str) -> str:
    """The problem of a lock's git package that names no full commit."""
    return (f"{ctx.path}: {name} comes from git ({redact(str(url))}) without a locked commit, "
            f"and a branch or tag can move: {fix}")


def with_git(ctx: Ctx, plan: InstallPlan, requirements: Iterable[str]) -> InstallPlan:
    """``plan`` installing the lock's git packages (each naming its commit) too."""
    found = tuple(sorted(set(requirements)))
    if not found:
        return plan
    notes = [f"{ctx.rel}: {r.split(' @ ')[0]} is installed from git at its locked commit "
             f"{r.rsplit('@', 1)[1][:12]}" for r in found]
    return replace(with_notes(plan, *notes), git=found)


def lock_relative(ctx: Ctx, where: str) -> str:
    """A directory a lock names relative to itself, as the entry sees it
    (``../../libs/common``)."""
    return os.path.relpath(os.path.join(os.path.dirname(ctx.path), where), ctx.entry)


def with_paths(ctx: Ctx, plan: InstallPlan, paths: Iterable[str]) -> InstallPlan:
    """``plan`` installing the lock's path and workspace packages (entry-relative) too."""
    found = tuple(sorted(set(paths)))
    if not found:
        return plan
    notes = [f"{ctx.rel}: {p} is a path or workspace package, built and installed as a "
             "package" for p in found]
    return replace(with_notes(plan, *notes), paths=found)


def collect_pins(ctx: Ctx, reached: Mapping[Key, list[Conj]],
                 pin: Callable[[Key, list[Conj]], Pin | str | None],
                 problems: Iterable[str] = ()) -> list[Pin]:
    """The pins of a closure: ``pin`` makes one of a package and the markers of its paths,
    or returns the problem with it (or None to leave it out). Every problem — those
    found while walking, then these — is raised at once."""
    pins: list[Pin] = []
    found = list(problems)
    for key, conjs in reached.items():
        made = pin(key, conjs)
        if isinstance(made, Pin):
            pins.append(made)
        elif made is not None:
            found.append(made)
    if found:
        raise ctx.error(*dict.fromkeys(found))
    return pins


def pins_plan(ctx: Ctx, kind: str, pins: Iterable[Pin], *, selected: tuple[str, ...],
              project: str | None, notes: Iterable[str]) -> InstallPlan:
    """The plan for a lock's closure: hashes for all or, if some package has none, for
    none (pip checks every line or no line)."""
    pins = sorted(pins, key=lambda p: (p.name, version_key(p.version)))
    notes = list(notes)
    unhashed = [p.name for p in pins if not p.hashes]
    use_hashes = bool(pins) and not unhashed
    if pins and unhashed and len(unhashed) < len(pins):
        notes.append(f"{ctx.rel}: no hashes for {', '.join(sorted(set(unhashed)))}, so hashes "
                     "are not checked for any package (pip checks every line or none)")
    lines = []
    for p in pins:
        line = f"{p.name}=={p.version}"
        if p.marker:
            line += f" ; {p.marker}"
        if use_hashes:
            line += "".join(f" --hash={h}" for h in p.hashes)
        lines.append(line)
    return InstallPlan(kind=kind, manifest=ctx.rel, requirements="".join(f"{x}\n" for x in lines),
                       require_hashes=use_hashes, no_deps=True, project=project,
                       groups=selected, notes=tuple(notes))


def lock_summary(top: Mapping[str, str | None] | None, pins: Iterable[Pin]) -> Summary:
    """What a lock installs by default: its top-level names and its closure."""
    closure: dict[str, set[str]] = {}
    for p in pins:
        closure.setdefault(p.name, set()).add(p.version)
    return Summary(top=top, closure={k: frozenset(v) for k, v in closure.items()})


def lock_plan(ctx: Ctx, kind: str, pins: list[Pin], *, top: Iterable[str],
              selected: tuple[str, ...], notes: Iterable[str],
              project: str | None, project_dir: str | None = None
              ) -> tuple[InstallPlan, Summary]:
    """The plan and summary of a project's lock (uv, Poetry): ``top`` names its main
    dependencies; ``project`` names the project when it is installed as a package, in
    ``project_dir`` (entry-relative; default: the lock's directory, which must be in the
    entry)."""
    notes = list(notes)
    directory = None
    if project is not None:
        directory = project_dir if project_dir is not None else project_directory(ctx)
        notes.append(f"{ctx.rel}: the project {project} is installed as a package (after "
                     "its locked dependencies, without resolving)")
    versions = {p.name: p.version for p in pins}
    plan = pins_plan(ctx, kind, pins, selected=selected, project=directory, notes=notes)
    return plan, lock_summary({name: versions.get(name) for name in top}, pins)
