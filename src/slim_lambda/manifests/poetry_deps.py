"""What a Poetry project declares: its main dependencies, extras and groups, as lock edges.

``poetry.lock`` does not say which of its packages the project needs: ``pyproject.toml``
does, either in PEP 621 ``[project]`` or in Poetry's own tables (``"^1.0"``, a table with
``python`` / ``platform`` / ``markers``, or a list of tables, one per Python range). Both
become the same edges here, Poetry's conditions as PEP 508 markers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .closure import Edge
from .markers import python_marker
from .versions import normalize, parse_requirement

__all__ = ["Declared", "declared", "poetry_edges"]


@dataclass(frozen=True, kw_only=True)
class Declared:
    """The dependencies a Poetry project declares."""

    name: str
    """The project's normalized name ("" when it has none)."""
    python: str | None
    """Its Python constraint (``requires-python`` or Poetry's ``python``)."""
    main: tuple[Edge, ...]
    extras: Mapping[str, tuple[Edge, ...]]
    """Extra → its edges, as the project spells the extra."""
    groups: Mapping[str, tuple[Edge, ...]]
    """Group → its edges (``dev-dependencies`` as ``dev``)."""


def poetry_edges(name: str, value: Any) -> list[Edge]:
    """Edges of a Poetry-style dependency (``"^1.0"``, a table, or a list of tables)."""
    out = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            out.append(Edge(name=normalize(name), constraint=item))
            continue
        markers = [m for m in (
            item.get("markers"),
            python_marker(str(item["python"])) if "python" in item else None,
            f'sys_platform == "{item["platform"]}"' if "platform" in item else None) if m]
        marker = " and ".join(f"({m})" if " or " in m else m for m in markers) or None
        out.append(Edge(name=normalize(name), marker=marker,
                        extras=tuple(normalize(x) for x in item.get("extras", [])),
                        constraint=str(item.get("version", "*"))))
    return out


def _pep508_edges(requirements: list[str]) -> tuple[Edge, ...]:
    return tuple(Edge(name=r.name, marker=r.marker, extras=r.extras, constraint=r.spec or "*")
                 for r in map(parse_requirement, requirements) if r)


def _table_edges(table: Mapping[str, Any]) -> tuple[Edge, ...]:
    return tuple(e for n, v in table.items() for e in poetry_edges(n, v))


def declared(pyproject: Mapping[str, Any]) -> Declared:
    """The dependencies ``pyproject`` declares: PEP 621 ``[project]`` when it lists
    dependencies, else ``[tool.poetry]``; groups always from ``[tool.poetry]``."""
    project = pyproject.get("project", {})
    poetry = pyproject.get("tool", {}).get("poetry", {})
    main: list[Edge] = []
    extras: dict[str, tuple[Edge, ...]] = {}
    optional: dict[str, list[Edge]] = {}
    if "dependencies" in project:
        main = list(_pep508_edges(project["dependencies"]))
        for extra, reqs in project.get("optional-dependencies", {}).items():
            extras[extra] = _pep508_edges(reqs)
    else:
        for name, value in poetry.get("dependencies", {}).items():
            if name == "python":
                continue
            is_optional = isinstance(value, dict) and value.get("optional")
            (optional.setdefault(normalize(name), []) if is_optional else main).extend(
                poetry_edges(name, value))
    for extra, names in poetry.get("extras", {}).items():
        extras[extra] = tuple(e for n in names for e in optional.get(normalize(n), []))
    groups: dict[str, tuple[Edge, ...]] = {}
    if poetry.get("dev-dependencies"):
        groups["dev"] = _table_edges(poetry["dev-dependencies"])
    for group, table in poetry.get("group", {}).items():
        groups[group] = groups.get(group, ()) + _table_edges(table.get("dependencies", {}))
    return Declared(
        name=normalize(str(project.get("name") or poetry.get("name") or "")),
        python=project.get("requires-python") or poetry.get("dependencies", {}).get("python"),
        main=tuple(main), extras=extras, groups=groups)
