"""PEP 508 markers: kept as text along dependency paths, evaluated for the target runtime.

A lock's plan keeps each package's markers for the installer, which evaluates them for the
Lambda runtime (``--python-version`` / ``--python-platform``): a package reached only
through conditional dependencies carries the condition of every path to it. Those are
combined here as text, so that a plan reads like the lock it came from.

When slim-lambda itself must decide (does ``requires-python`` admit the runtime?), markers
are evaluated for the *target*, never this host: the runtime's Python from
``slim_lambda.platform.RUNTIMES`` (any micro release of it), Linux, and every Lambda
architecture of ``slim_lambda.platform.ARCHITECTURES`` (a plan serves both).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName

from ..platform import ARCHITECTURES
from .versions import alternatives

__all__ = ["Conj", "admits_python", "atoms", "drop_extra", "may_hold", "python_marker",
           "render", "target_environments"]

Conj = frozenset[str]
"""A conjunction of marker clauses (single-quoted); the empty one always holds."""

MICRO_RELEASES = 40
"""Micro releases a runtime may be on (``3.11.0`` … ``3.11.39``)."""


def atoms(marker: str | None) -> Conj:
    """A marker as a conjunction of clauses (split where that is plain ``a and b``), each
    with single quotes, so that the same clause from two paths is one clause."""
    if not marker:
        return frozenset()
    marker = re.sub(r"\s+", " ", marker.replace('"', "'")).strip()
    if "(" in marker or " or " in marker:
        return frozenset({marker})
    return frozenset(part.strip() for part in marker.split(" and "))


def render(conjs: Iterable[Conj]) -> str | None:
    """A disjunction of conjunctions as one marker; None when one of them always holds."""
    conjs = list(conjs)
    if not conjs or any(not c for c in conjs):
        return None
    conjs = [c for c in conjs if not any(other < c for other in conjs)]

    def atom(m: str) -> str:
        return f"({m})" if " or " in m else m
    rendered = sorted(" and ".join(atom(m) for m in sorted(c)) for c in conjs)
    if len(rendered) == 1:
        return rendered[0]
    return " or ".join(f"({r})" if " and " in r else r for r in rendered)


def drop_extra(marker: str | None) -> str | None:
    """``marker`` without its ``extra == "..."`` clauses (they only say which extra
    pulled the package in, and pip cannot evaluate them in a requirements file)."""
    if not marker or "extra" not in marker:
        return marker
    clause = r"""extra\s*==\s*["'][^"']*["']"""
    out = re.sub(rf"\s*\band\s+{clause}|{clause}\s+and\s+", "", marker)
    out = re.sub(rf"^\s*\(?\s*{clause}\s*\)?\s*$", "", out)
    return None if not out.strip() or "extra" in out else out.strip()


def python_marker(constraint: str, *, full: bool = False) -> str | None:
    """A Python constraint (Poetry's ``python = "^3.10"``, ``requires-python``) as a
    marker; None when it admits any Python. Clauses on a micro release compare
    ``python_full_version``, the others ``python_version``, as Poetry writes them;
    ``full`` compares ``python_full_version`` throughout (``requires-python``'s meaning)."""
    rendered = []
    for conjunction in alternatives(constraint):
        if not conjunction:
            return None
        rendered.append(" and ".join(
            f"{_variable(version, full)} {op} '{version}'" for op, version in conjunction))
    if len(rendered) == 1:
        return rendered[0]
    return " or ".join(f"({r})" for r in rendered)


def _variable(version: str, full: bool) -> str:
    micro = version.count(".") >= 2 and not version.endswith(".*")
    return "python_full_version" if full or micro else "python_version"


def target_environments(python_version: str) -> tuple[dict[str, str], ...]:
    """The marker environments of a Lambda runtime whose Python is ``python_version``
    (``RUNTIMES[name].python``): each micro release on each architecture. Kernel details
    (``platform_release``, ``platform_version``) are not known and are empty."""
    return tuple({
        "implementation_name": "cpython",
        "implementation_version": f"{python_version}.{micro}",
        "os_name": "posix",
        "platform_machine": arch.wheel_machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{python_version}.{micro}",
        "python_version": python_version,
        "sys_platform": "linux",
    } for micro in range(MICRO_RELEASES) for arch in ARCHITECTURES.values())


def may_hold(marker: str | None, python_version: str, *, extras: Iterable[str] = ()) -> bool:
    """Whether ``marker`` holds in some environment of the runtime, with one of
    ``extras`` (or none) requested. A marker ``packaging`` cannot evaluate may hold."""
    if not marker:
        return True
    try:
        parsed = Marker(marker)
        return any(parsed.evaluate({**env, "extra": extra})
                   for env in target_environments(python_version)
                   for extra in ("", *extras))
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return True


def admits_python(constraint: object, python_version: str) -> bool:
    """Whether a Python constraint (``requires-python``, Poetry's ``python-versions``)
    admits some release of the runtime's Python; a missing or empty one admits all."""
    if not isinstance(constraint, str) or not constraint.strip():
        return True
    return may_hold(python_marker(constraint, full=True), python_version)
