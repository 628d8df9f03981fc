"""Which import group starts from which: verify's groups ordered by what their
distributions require.

A group (a top-level module and its public subpackages) is imported in a process forked
from the group of a distribution its own distribution requires, directly or through
others; of those, from the one whose chain of such starts has imported the most, so
scikit-learn's group starts where scipy's ended, and scipy's where numpy's ended. A module
therefore only ever sees, already imported, modules of distributions it declares it
needs: one that declares nothing starts from an interpreter that has imported nothing, as
before. Pure: names and requirements in, an ordered plan out (:mod:`.verify_driver`
carries it out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Group", "plan_groups"]


@dataclass(frozen=True)
class Group:
    names: tuple[str, ...]
    """The top-level module first, then the subpackages imported with it."""
    parent: int | None
    """The index of the group whose process this one is forked from; None: a bare one."""


def _closure(dist: str, requires: Mapping[str, set[str]]) -> set[str]:
    """Every distribution ``dist`` requires, directly or through others (not itself)."""
    seen: set[str] = set()
    todo = sorted(requires.get(dist, ()))
    while todo:
        name = todo.pop()
        if name not in seen and name != dist:
            seen.add(name)
            todo.extend(sorted(requires.get(name, ())))
    return seen


def plan_groups(names: Mapping[str, Sequence[str]], owner: Mapping[str, str],
                requires: Mapping[str, set[str]], weight: Mapping[str, int] | None = None
                ) -> list[Group]:
    """The groups of ``names`` (top-level module → what its group imports), each starting
    from another group when its distribution (``owner``: module → distribution) requires
    that one's (``requires``: distribution → the distributions it requires): of those, the
    one whose chain of starts weighs most (``weight``: module → its files; 1 each when not
    given). Parents come before their children; the groups most others start from first."""
    tops = sorted(names)
    closure = {d: _closure(d, requires) for d in sorted(set(owner.values()))}
    parent: dict[str, str | None] = {}
    chain: dict[str, int] = {}
    visiting: set[str] = set()

    def place(top: str) -> int:
        if top in chain:
            return chain[top]
        visiting.add(top)
        wanted = closure.get(owner.get(top, ""), set())
        best: tuple[int, str] | None = None
        for other in tops:
            if other in visiting or owner.get(other) not in wanted:
                continue  # in visiting: requirements that go round in a circle
            carried = place(other)
            if best is None or carried > best[0]:
                best = (carried, other)
        visiting.discard(top)
        parent[top] = best[1] if best else None
        chain[top] = (weight or {}).get(top, 1) + (best[0] if best else 0)
        return chain[top]

    for top in tops:
        place(top)
    kids: dict[str | None, list[str]] = {}
    for top in tops:
        kids.setdefault(parent[top], []).append(top)
    sizes: dict[str, int] = {}

    def size(top: str) -> int:
        if top not in sizes:
            sizes[top] = 1 + sum(size(k) for k in kids.get(top, ()))
        return sizes[top]

    order: list[str] = []

    def visit(top: str | None) -> None:
        for k in sorted(kids.get(top, ()), key=lambda t: (-size(t), t)):
            order.append(k)
        for k in sorted(kids.get(top, ()), key=lambda t: (-size(t), t)):
            visit(k)

    visit(None)
    index = {top: i for i, top in enumerate(order)}
    return [Group(tuple(names[top]), _index(index, parent[top])) for top in order]


def _index(index: Mapping[str, int], top: str | None) -> int | None:
    return None if top is None else index[top]
