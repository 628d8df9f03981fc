"""Saying which dependency an import misses, and which distribution would bring it.

Popular distributions ship modules that import an optional dependency (an extra)
the user never installed. Such a module never imported, slimmed or not, so verify
only warns about it; this module makes the warning useful: the missing module, and
what the failing distribution's ``Requires-Dist`` says about it (an extra, a marker,
or nothing at all).
"""

from __future__ import annotations

import email.parser
import os
import re
from collections.abc import Sequence

from .distinfo import Distribution, normalized_name
from .verify import modules_named

__all__ = ["missing_dependency"]

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRA = re.compile(r"""\bextra\s*==\s*['"]([^'"]+)['"]""")


def _installed(top: str, paths: Sequence[str]) -> bool:
    """``top`` is a package or module in one of ``paths`` (the bundle, the layers)."""
    for path in paths:
        try:
            entries = os.listdir(path)
        except OSError:
            continue
        for entry in entries:
            if entry == top or (entry.startswith(top + ".") and entry.endswith((".py", ".so"))):
                return True
    return False


def _requirements(root: str, dist: Distribution) -> list[str]:
    """The distribution's ``Requires-Dist`` values (trimming keeps METADATA's headers)."""
    try:
        with open(os.path.join(root, dist.dist_info, "METADATA"), encoding="utf-8",
                  errors="replace") as f:
            headers = email.parser.HeaderParser().parse(f)
    except OSError:
        return []
    return [str(v) for v in headers.get_all("Requires-Dist") or []]


def _declared(requirements: list[str], top: str) -> tuple[str, str] | None:
    """``(normalized name, marker)`` of the requirement whose name is ``top``'s."""
    for requirement in requirements:
        name, _sep, marker = requirement.partition(";")
        found = _NAME.match(name)
        if found and normalized_name(found.group(1)) == normalized_name(top):
            return normalized_name(found.group(1)), marker.strip()
    return None


def missing_dependency(error: str, module: str, root: str, dists: Sequence[Distribution],
                       extra_paths: tuple[str, ...] = ()) -> str:
    """A sentence on the module ``error`` says is missing when nothing provides it at all,
    naming the requirement of ``module``'s distribution that would; else ""."""
    named = modules_named(error)
    if not named:
        return ""
    top = named[-1].split(".")[0]
    if _installed(top, (root, *extra_paths)):
        return ""  # there, but broken or without that submodule: the error says enough
    owner = next((d for d in dists if module.split(".")[0] in d.top_level), None)
    declared = _declared(_requirements(root, owner), top) if owner else None
    if owner is None or declared is None:
        return f"'{top}' is not installed, and no installed distribution declares it"
    wanted, marker = declared
    extra = _EXTRA.search(marker)
    if extra:
        return (f"{wanted} is not installed: {owner.name} needs it only for its "
                f"'{extra.group(1)}' extra ({owner.name}[{extra.group(1)}])")
    if marker:
        return f"{wanted} is not installed: {owner.name} needs it only where {marker}"
    return f"{wanted} is not installed, though {owner.name} requires it"
