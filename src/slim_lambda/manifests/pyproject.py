"""``pyproject.toml`` without a lock: its PEP 621 dependencies, for pip to resolve.

With no lock there is nothing to pin, so the plan lists what the project declares — its
dependencies, chosen extras (``[project.optional-dependencies]``) and PEP 735 dependency
groups (with ``include-group``) — as written, and pip resolves them once; those
``[tool.uv.sources]`` points at a directory are built from it (:mod:`.uvsources`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .compare import Summary
from .context import MANIFEST_OPTION, Ctx, load_toml
from .groups import select
from .plan import InstallPlan
from .project import check_python, is_package, project_dir
from .uvsources import uv_path_sources
from .versions import normalize, parse_requirement, requirement_name

__all__ = ["read_pyproject"]


def _group(ctx: Ctx, groups: Mapping[str, list[Any]], name: str,
           stack: tuple[str, ...] = ()) -> list[str]:
    """The requirements of a PEP 735 dependency group, its included groups' first."""
    if name in stack:
        raise ctx.error(f"{ctx.path}: [dependency-groups] {name} includes itself "
                        f"({' -> '.join((*stack, name))}); fix the include-group entries")
    table = {normalize(k): v for k, v in groups.items()}
    out = []
    for item in table.get(normalize(name), []):
        if isinstance(item, dict) and "include-group" in item:
            out += _group(ctx, groups, str(item["include-group"]), (*stack, name))
        elif isinstance(item, str):
            out.append(item)
    return out


def _expand(reqs: Iterable[str], own: str, optional: Mapping[str, list[str]]) -> list[str]:
    """The requirements, with the project's own extras (``fn[cext]``) replaced by theirs."""
    lines: list[str] = []
    seen: set[str] = set()

    def add(texts: Iterable[str]) -> None:
        for text in texts:
            req = parse_requirement(text)
            if req is not None and own and req.name == own:
                for x in req.extras:
                    if x not in seen:
                        seen.add(x)
                        add(v for k, vs in optional.items() if normalize(k) == x for v in vs)
                continue
            lines.append(text.strip())
    add(reqs)
    return lines


def read_pyproject(ctx: Ctx, selected: tuple[str, ...]) -> tuple[InstallPlan, Summary]:
    """The plan of a ``pyproject.toml``: its declared dependencies, for pip to resolve."""
    data = load_toml(ctx.entry, ctx.rel, "fix the file")
    project = data.get("project", {})
    if "dependencies" in project.get("dynamic", []):
        raise ctx.error(f"{ctx.path}: [project].dependencies is dynamic (computed by the build "
                        "backend), so slim-lambda cannot read it: list the dependencies in "
                        f"pyproject.toml, or name a requirements file with {MANIFEST_OPTION}")
    check_python(ctx, project.get("requires-python"), "requires-python",
                 "change requires-python in pyproject.toml")
    own = normalize(str(project.get("name", "")))
    optional: dict[str, list[str]] = project.get("optional-dependencies", {})
    dep_groups: dict[str, list[Any]] = data.get("dependency-groups", {})
    chosen = select(ctx, selected, extras=optional, groups=dep_groups)
    reqs = [*project.get("dependencies", []), *(r for x in sorted(chosen.extras)
                                                for r in optional[x])]
    reqs += [r for g in sorted(chosen.groups) for r in _group(ctx, dep_groups, g)]
    lines, paths = uv_path_sources(ctx, data, _expand(reqs, own, optional))
    unique = sorted(dict.fromkeys(lines), key=lambda s: (requirement_name(s), s))
    notes = list(chosen.notes)
    package, note = is_package(ctx, data)
    notes += [note] if note else []
    directory = project_dir(ctx) if package else None
    if package:
        notes.append(f"{ctx.rel}: the project {own or '.'} is installed as a package (after "
                     "the dependencies listed in it, without resolving again)")
    notes += [f"{ctx.rel}: {p} is a path source ([tool.uv.sources]), built and installed as "
              "a package" for p in paths]
    plan = InstallPlan(kind="pyproject.toml", manifest=ctx.rel,
                       requirements="".join(f"{x}\n" for x in unique), require_hashes=False,
                       no_deps=False, project=directory, paths=paths, groups=selected,
                       notes=tuple(notes))
    top = [r for r in map(parse_requirement, project.get("dependencies", [])) if r]
    return plan, Summary(top={r.name: r.pin for r in top})
