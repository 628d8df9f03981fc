"""Packages the Lambda runtime, or a layer that is not slim-lambda's, already provides.

boto3 and botocore are about 80 MB unzipped, and every Python runtime has them in
``/var/runtime``, last on ``sys.path``. ``bundling.provided`` names distributions not to
bundle; ``("runtime",)`` means what the build image's ``/var/runtime`` holds (the SAM
build image is the Lambda base image plus tools, so it has the runtime's own copy), or the
AWS SDK's names where that cannot be read. Each named distribution goes, and with it every
distribution that only removed ones require. What the runtime ships at another version is
a warning: Lambda imports the runtime's. Planning is pure; the deps stage acts on it,
holding the removed files so that verify can still import them where no ``/var/runtime``
stands in for the runtime.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..platform import RUNTIME_DIR, RUNTIME_PROVIDED
from .distinfo import Distribution, ends_headers, find_distributions, normalized_name

__all__ = ["PRESET", "ProvidedPlan", "declared_versions", "plan_provided", "requirements",
           "runtime_versions", "wanted_names"]

PRESET = "runtime"
"""The name in ``provided`` that stands for the runtime's own packages."""

_REQUIRES = re.compile(r"^Requires-Dist:\s*([A-Za-z0-9][A-Za-z0-9._-]*)([^;]*)(;.*)?$",
                       re.IGNORECASE)


@dataclass(frozen=True)
class ProvidedPlan:
    remove: tuple[Distribution, ...]
    """The named distributions found, then those only they require, by name."""
    missing: tuple[str, ...]
    """Names given (not the preset's) that are not installed: a warning, not an error."""


def requirements(metadata: str) -> set[str]:
    """The normalized names a METADATA text requires, extras' requirements left out (they
    are not installed unless asked for, and then named by the dependent's own line)."""
    found = set()
    for line in metadata.splitlines():
        if ends_headers(line):
            break
        m = _REQUIRES.match(line)
        if m and not (m.group(3) and "extra" in m.group(3)):
            found.add(normalized_name(m.group(1)))
    return found


def runtime_versions(runtime_dir: str = RUNTIME_DIR) -> dict[str, str]:
    """What the image's runtime directory holds: normalized name → version."""
    if not os.path.isdir(runtime_dir):
        return {}
    return {normalized_name(d.name): d.version for d in find_distributions(runtime_dir)}


def declared_versions(given: Iterable[str]) -> dict[str, str]:
    """The versions given with names (``boto3==1.34.145``, a foreign layer's declared
    packages): normalized name → version."""
    return {normalized_name(name): version for name, sep, version
            in (g.partition("==") for g in given) if sep}


def wanted_names(given: Iterable[str], runtime: Mapping[str, str]) -> tuple[set[str], set[str]]:
    """(every name to remove, the names given explicitly): the preset expands to what the
    runtime holds, else to :data:`RUNTIME_PROVIDED`."""
    explicit = {normalized_name(n.partition("==")[0]) for n in given if n != PRESET}
    names = set(explicit)
    if PRESET in given:
        names |= set(runtime) or {normalized_name(n) for n in RUNTIME_PROVIDED}
    return names, explicit


def plan_provided(dists: Sequence[Distribution], requires: Mapping[str, set[str]],
                  given: Iterable[str], runtime: Mapping[str, str]) -> ProvidedPlan:
    """What to remove from an installed tree: ``requires`` maps each distribution's
    normalized name to the names it requires."""
    names, explicit = wanted_names(list(given), runtime)
    by_name = {normalized_name(d.name): d for d in dists}
    gone = {n for n in names if n in by_name}
    while True:
        more = {n for n in by_name if n not in gone and _only_required_by(n, gone, requires)}
        if not more:
            break
        gone |= more
    return ProvidedPlan(remove=tuple(by_name[n] for n in sorted(gone)),
                        missing=tuple(sorted(explicit - set(by_name))))


def _only_required_by(name: str, gone: set[str], requires: Mapping[str, set[str]]) -> bool:
    dependents = {d for d, needs in requires.items() if name in needs}
    return bool(dependents) and dependents <= gone
