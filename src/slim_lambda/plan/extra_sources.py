"""``bundling.extra_sources``: shared code from outside the entry, checked at construct time.

A monorepo keeps ``libs/common`` beside the functions that import it. Each extra source is
a directory and the import path it ships under (``libs.common`` → ``libs/common/``). What
can go wrong is decided here, before any build, with the option and the fix named: a name
that is not an import path, a directory that does not exist or lies inside the entry
(it would ship twice), two sources on one path, and an entry file shipping under the same
name. A clash with an installed distribution is only known once the dependencies are
built; the assemble stage reports it (:func:`slim_lambda.pipeline.assemble`).
"""

from __future__ import annotations

import keyword
import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ExtraSource", "resolve_extra_sources"]


@dataclass(frozen=True)
class ExtraSource:
    """One directory shipped under ``dest`` (``libs/common``) of the asset."""

    name: str
    """The import path as the user gave it (``libs.common``)."""
    path: str
    """The directory, absolute."""

    @property
    def dest(self) -> str:
        return self.name.replace(".", "/")


def _name_problem(name: str) -> str | None:
    parts = name.split(".")
    if all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
        return None
    return (f"bundling.extra_sources: {name!r} is not an import path; use the name your "
            "code imports, e.g. 'common' or 'libs.common'")


def _inside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


def resolve_extra_sources(entry: str, given: Mapping[str, str]
                          ) -> tuple[tuple[ExtraSource, ...], list[str]]:
    """The extra sources of ``entry`` (absolute), sorted by name, and every problem."""
    problems: list[str] = []
    found: list[ExtraSource] = []
    for name, path in sorted(given.items()):
        where = f"bundling.extra_sources[{name!r}]"
        if (problem := _name_problem(name)) is not None:
            problems.append(problem)
            continue
        real = os.path.realpath(path)
        if not os.path.isdir(real):
            problems.append(f"{where}: directory {os.path.abspath(path)} does not exist; "
                            "pass the directory that holds the shared code")
            continue
        if _inside(real, os.path.realpath(entry)) or _inside(os.path.realpath(entry), real):
            problems.append(f"{where}: {real} and the entry {entry} contain one another, so "
                            "its files would ship twice; pass a directory beside the entry")
            continue
        source = ExtraSource(name, real)
        top = source.dest.split("/")[0]
        for own in (os.path.join(entry, source.dest), os.path.join(entry, top + ".py")):
            if os.path.lexists(own):
                problems.append(f"{where} ({real}) and the entry's own "
                                f"{os.path.relpath(own, entry)} would both ship as "
                                f"{top}: rename one of them, or drop the extra source")
                break
        found.append(source)
    for a in found:
        for b in found:
            if a is not b and (b.dest + "/").startswith(a.dest + "/"):
                problems.append(f"bundling.extra_sources: {a.name!r} and {b.name!r} would "
                                f"both ship under {a.dest}/; give them separate names")
    return tuple(found), problems
