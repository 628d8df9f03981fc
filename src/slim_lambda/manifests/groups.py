"""Which of a manifest's dependency groups and extras ``bundling.groups`` selects.

One option names both (uv and Poetry have groups and extras, pipenv categories, PEP 621
extras and PEP 735 groups), so every reader splits the selection the same way: unknown
names are an error listing what the manifest has, and the report notes what stays out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .context import GROUPS_OPTION, Ctx
from .versions import normalize

__all__ = ["Selection", "select"]


@dataclass(frozen=True, kw_only=True)
class Selection:
    """The extras and groups chosen, as the manifest spells them, and the note."""

    extras: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()
    """The note about what stays out, if anything does."""


def select(ctx: Ctx, selected: tuple[str, ...], *, extras: Iterable[str],
           groups: Iterable[str], aliases: Mapping[str, str] | None = None,
           normalized: bool = True) -> Selection:
    """Split the selected names into ``extras`` and ``groups`` (compared normalized unless
    ``normalized`` is False; ``aliases`` maps other names to groups)."""
    def key(n: str) -> str:
        return normalize(n) if normalized else n
    extras_by = {key(e): e for e in extras}
    groups_by = {key(g): g for g in groups}
    aliases = aliases or {}
    chosen_extras, chosen_groups, unknown = set(), set(), []
    for name in selected:
        k = aliases.get(key(name), key(name))
        if k in extras_by:
            chosen_extras.add(extras_by[k])
        if k in groups_by:
            chosen_groups.add(groups_by[k])
        if k not in extras_by and k not in groups_by:
            unknown.append(name)
    if unknown:
        have = "; ".join(part for part in (
            "groups " + ", ".join(sorted(groups_by.values())) if groups_by else "",
            "extras " + ", ".join(sorted(extras_by.values())) if extras_by else "") if part)
        raise ctx.error(f"{GROUPS_OPTION}: {ctx.path} has no group or extra named "
                        f"{', '.join(repr(u) for u in unknown)}; it has "
                        f"{have or 'none (only its main dependencies)'}")
    left = [_plural(kind, sorted(set(names.values()) - chosen)) for kind, names, chosen in (
        ("group", groups_by, chosen_groups), ("extra", extras_by, chosen_extras))]
    excluded = "; ".join(x for x in left if x)
    notes = (f"{ctx.rel}: excluded {excluded} (include with {GROUPS_OPTION})",) if excluded else ()
    return Selection(extras=frozenset(chosen_extras), groups=frozenset(chosen_groups),
                     notes=notes)


def _plural(kind: str, names: list[str]) -> str:
    if not names:
        return ""
    return f"{kind}{'s' if len(names) > 1 else ''} {', '.join(names)}"
