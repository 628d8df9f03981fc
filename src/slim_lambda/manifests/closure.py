"""The closure of a lock: every package reached from the project, with the markers of the
paths that reach it.

uv and Poetry locks record a graph, not a list: what is installed is what the project's
dependencies (and the chosen extras and groups) reach, and a package reached only through
conditional edges keeps those conditions. Both readers walk their graph with this one
function; how a lock names and finds its packages stays with its reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .markers import Conj, atoms
from .versions import normalize

__all__ = ["Edge", "Key", "Releases", "walk"]

Key = tuple[str, str]
"""A locked package: normalized name, version."""


@dataclass(frozen=True, kw_only=True)
class Edge:
    """A dependency as a lock records it."""

    name: str
    """Normalized."""
    marker: str | None = None
    extras: tuple[str, ...] = ()
    version: str | None = None
    """Exact version that picks one of several locked releases (uv)."""
    constraint: str | None = None
    """Version constraint that picks among several locked releases (Poetry)."""


@dataclass(frozen=True)
class Releases:
    """A lock's packages by normalized name (several releases when the lock forks)."""

    by_name: Mapping[str, list[dict[str, Any]]]

    @classmethod
    def of(cls, packages: Iterable[dict[str, Any]]) -> Releases:
        by_name: dict[str, list[dict[str, Any]]] = {}
        for p in packages:
            by_name.setdefault(normalize(p["name"]), []).append(p)
        return cls(by_name)

    def named(self, name: str) -> list[dict[str, Any]]:
        return self.by_name.get(name, [])

    def __getitem__(self, key: Key) -> dict[str, Any]:
        return next(p for p in self.by_name[key[0]] if str(p.get("version", "")) == key[1])


def walk(roots: Iterable[Edge], resolve: Callable[[Edge], list[Key]],
         edges_of: Callable[[Key, str | None], list[Edge]]) -> dict[Key, list[Conj]]:
    """The closure from ``roots``: every package reached, with the markers of the paths
    that reach it (a disjunction of conjunctions; an empty conjunction means always).

    ``resolve`` names the locked releases an edge reaches; ``edges_of(key, extra)`` the
    edges of a package itself (``extra`` None) or of one of its extras.
    """
    reached: dict[tuple[Key, str | None], list[Conj]] = {}
    todo: list[tuple[Key, str | None, Conj]] = []

    def follow(edge: Edge, conj: Conj) -> None:
        path = conj | atoms(edge.marker)
        for key in resolve(edge):
            todo.append((key, None, path))
            todo.extend((key, extra, path) for extra in edge.extras)

    for edge in roots:
        follow(edge, frozenset())
    while todo:
        key, extra, conj = todo.pop()
        known = reached.setdefault((key, extra), [])
        if any(c <= conj for c in known):
            continue
        known[:] = [c for c in known if not conj <= c] + [conj]
        for edge in edges_of(key, extra):
            follow(edge, conj)
    return {key: conjs for (key, extra), conjs in reached.items() if extra is None}
