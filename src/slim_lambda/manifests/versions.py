"""Versions, constraints and requirements of manifests, compared by ``packaging``.

Manifests speak two dialects: PEP 440 / PEP 508 (requirements files, PEP 621, uv, pipenv)
and Poetry's (``^1.2``, ``~1.2``, ``>=1 <2``, ``a || b``). Poetry's is turned into PEP 440
clauses here, once; everything else — parsing, ordering, matching — is ``packaging``'s.
Manifests are user input, so a clause ``packaging`` rejects constrains nothing (as pip
would report it later, with its own message) rather than failing the plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

__all__ = ["Clause", "Req", "alternatives", "caret", "normalize", "parse_requirement",
           "requirement_name", "same_version", "satisfies", "tilde", "version_key"]

Clause = tuple[str, str]
"""A PEP 440 operator and its version (``(">=", "1.2")``)."""

_CLAUSE = re.compile(r"(===|==|!=|~=|>=|<=|>|<|\^|~|=)?\s*([0-9][A-Za-z0-9.*+!-]*|\*)")


def normalize(name: str) -> str:
    """A project, extra or group name in its PEP 503 form (``Foo_Bar`` → ``foo-bar``)."""
    return str(canonicalize_name(name))


@dataclass(frozen=True, kw_only=True)
class Req:
    """One PEP 508 requirement, as far as a plan needs it."""

    name: str
    """Normalized."""
    extras: tuple[str, ...] = ()
    """Normalized, sorted."""
    spec: str = ""
    """The version specifiers (``<2,>=1``); "" for any version or a URL."""
    marker: str | None = None
    """The marker as written."""

    @property
    def pin(self) -> str | None:
        """The version of a lone ``==`` / ``===`` without a wildcard; else None."""
        specs = self.spec.split(",") if self.spec else []
        m = re.fullmatch(r"===?\s*([^\s*]+)", specs[0]) if len(specs) == 1 else None
        return m.group(1) if m else None


def parse_requirement(text: str) -> Req | None:
    """``text`` as a PEP 508 requirement; None when it is not one."""
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    marker = None
    if req.marker is not None:  # as written: the plan keeps the user's spelling
        marker = (text.rpartition(";") if req.url else text.partition(";"))[2].strip()
    return Req(name=normalize(req.name), extras=tuple(sorted(map(normalize, req.extras))),
               spec=str(req.specifier), marker=marker or None)


def requirement_name(text: str) -> str:
    """The normalized name a requirement (or Poetry's ``name (^1.0)``) starts with."""
    req = parse_requirement(text)
    return req.name if req is not None else normalize((text.split() or [""])[0])


def _bump(version: str, index: int) -> str:
    release = Version(version).release
    index = min(index, len(release) - 1)
    return ".".join(str(p) for p in (*release[:index], release[index] + 1))


def caret(version: str) -> tuple[Clause, Clause]:
    """Poetry's ``^version``: up to the next release of its first non-zero part
    (``^1.2.3`` → ``>=1.2.3, <2``; ``^0.2.3`` → ``<0.3``; ``^0.0.3`` → ``<0.0.4``)."""
    release = Version(version).release
    first = next((i for i, part in enumerate(release) if part), len(release) - 1)
    return (">=", version), ("<", _bump(version, first))


def tilde(version: str) -> tuple[Clause, Clause]:
    """Poetry's ``~version``: up to the next minor release, or the next major release
    when only the major is given (``~1.2.3`` → ``>=1.2.3, <1.3``; ``~1`` → ``<2``)."""
    return (">=", version), ("<", _bump(version, 1))


def _clauses(op: str, version: str) -> tuple[Clause, ...]:
    if version == "*":
        return ()
    if version.endswith(".*") and op not in ("", "=", "==", "!="):
        version = version[:-2]  # Poetry's >=1.2.* means >=1.2
    if op in ("^", "~"):
        try:
            return caret(version) if op == "^" else tilde(version)
        except InvalidVersion:
            return ()
    return ((op if op not in ("", "=") else "==", version),)


def alternatives(constraint: str) -> tuple[tuple[Clause, ...], ...]:
    """A PEP 440 or Poetry constraint as PEP 440 clauses: alternatives (``||``) of
    conjunctions (``,`` or space). An empty conjunction admits every version."""
    return tuple(
        tuple(c for op, version in _CLAUSE.findall(alternative) for c in _clauses(op, version))
        for alternative in re.split(r"\|\|?", constraint))


def _admits(clause: Clause, version: Version) -> bool:
    try:
        specifier = Specifier("".join(clause))
    except InvalidSpecifier:
        return True
    return specifier.contains(version, prereleases=True)


def satisfies(version: str, constraint: str) -> bool:
    """Whether ``version`` meets a PEP 440 or Poetry ``constraint``."""
    try:
        parsed: Version | None = Version(version)
    except InvalidVersion:
        parsed = None
    return any(all(parsed is not None and _admits(c, parsed) for c in conjunction)
               for conjunction in alternatives(constraint))


def _parsed(version: str) -> Version | str:
    text = version.strip().lstrip("=")
    try:
        return Version(text)
    except InvalidVersion:
        return text.lower()


def same_version(a: str, b: str) -> bool:
    """Whether two pins name one version (``1.0`` and ``==1.0.0`` do)."""
    return _parsed(a) == _parsed(b)


def version_key(version: str) -> tuple[Version, str]:
    """A sort key: by PEP 440 order (an invalid version first), then as written."""
    parsed = _parsed(version)
    return (parsed if isinstance(parsed, Version) else Version("0"), version)
