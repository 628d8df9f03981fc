"""Whether two manifests of one entry would install the same thing.

An entry often has a lock and a requirements file exported from it. Using the first and
ignoring the second silently is wrong when they drifted apart, so each reader also says
what its manifest installs by default (a Summary) and two summaries are compared here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .versions import same_version

__all__ = ["Summary", "disagreements"]


@dataclass(frozen=True, kw_only=True)
class Summary:
    """What a manifest installs by default, to compare two manifests."""

    top: Mapping[str, str | None] | None = None
    """Top-level names → pinned version (None when not pinned); None when unknown."""
    closure: Mapping[str, frozenset[str]] | None = None
    """Locks: every package installed → its locked versions."""
    incomplete: str = ""
    """Why this manifest cannot be compared ("" when it can)."""


def disagreements(a: str, sa: Summary, b: str, sb: Summary) -> list[str]:
    """Why manifests ``a`` and ``b`` would not install the same thing ([] if they agree)."""
    if sa.closure is not None and sb.closure is not None:
        return _two_locks(a, sa.closure, b, sb.closure)
    if sa.closure is not None:
        return _lock_and_list(a, sa, b, sb)
    if sb.closure is not None:
        return _lock_and_list(b, sb, a, sa)
    # a requirements file and a pyproject.toml: the requirements file may pin more (a
    # compiled file lists the whole closure), but must have every dependency of the other
    reasons: list[str] = []
    ta, tb = sa.top or {}, sb.top or {}
    for name in sorted(set(tb) - set(ta)):
        reasons.append(f"{b} lists {name}, {a} does not")
    for name in sorted(set(ta) & set(tb)):
        pa, pb = ta[name], tb[name]
        if pa is not None and pb is not None and not same_version(pa, pb):
            reasons.append(f"{name} is =={pa} in {a} but =={pb} in {b}")
    return reasons


def _two_locks(a: str, ca: Mapping[str, frozenset[str]],
               b: str, cb: Mapping[str, frozenset[str]]) -> list[str]:
    """Two locks agree when they lock the same packages at the same versions."""
    reasons: list[str] = []
    for name in sorted(set(ca) | set(cb)):
        va, vb = ca.get(name), cb.get(name)
        if va is None or vb is None:
            has, lacks = (b, a) if va is None else (a, b)
            reasons.append(f"{has} locks {name}, {lacks} does not")
        elif sorted(va) != sorted(vb):
            reasons.append(f"{name} is {', '.join(sorted(va))} in {a} but "
                           f"{', '.join(sorted(vb))} in {b}")
    return reasons


def _lock_and_list(lock: str, ls: Summary, other: str, os_: Summary) -> list[str]:
    """A lock and a list (requirements file, pyproject.toml): every listed name is locked,
    at its pin where it has one, and every top-level dependency of the lock is listed."""
    assert ls.closure is not None and os_.top is not None
    reasons: list[str] = []
    for name, pin in sorted(os_.top.items()):
        locked = ls.closure.get(name)
        if locked is None:
            reasons.append(f"{other} lists {name}, {lock} does not install it")
        elif pin is not None and not any(same_version(pin, v) for v in locked):
            reasons.append(f"{name} is =={pin} in {other} but {', '.join(sorted(locked))} "
                           f"in {lock}")
    for name in sorted(set(ls.top or {}) - set(os_.top)):
        reasons.append(f"{lock} has {name}, {other} does not list it")
    return reasons
