"""Every file and directory a requirements file makes pip read besides itself.

The deps key must change whenever the installed bytes can, and a requirements file's
text does not say what ``-r base.txt``, ``-c pins.txt``, ``./wheels/x.whl``,
``-e ../libs/pkg`` or ``--find-links ./wheels`` hold. This walk names them (following
includes), so :mod:`slim_lambda.plan.keys` hashes them by content; what cannot be hashed
(an include by URL, a path that does not exist) is a problem naming the file, the line
and the fix. Pure: reads files, never runs anything.

Paths are taken relative to the file that names them, inside the entry or outside it (a
monorepo's ``../libs/pkg``): Docker mode mounts each one read-only and reads a flattened
copy of the file (:mod:`.flatten`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..pipeline.redact import redact
from .requirements import numbered_lines

__all__ = ["Input", "Inputs", "local_path", "local_target", "requirement_inputs"]

_OPTION = re.compile(r"^(-r|--requirement|-c|--constraint|-e|--editable|-f|--find-links)"
                     r"(?:=|\s+|(?<=^-[rcef]))(\S+)")
_KIND = {"-r": "requirements", "-c": "requirements", "-e": "tree", "-f": "links"}
_LOCAL = re.compile(r"^(\.{1,2}/|/|~|file:)")
_NAMED = re.compile(r"^[A-Za-z0-9._\[\], -]+?\s*@\s*(file:\S*)")


@dataclass(frozen=True)
class Input:
    """One thing pip reads: ``requirements`` (an included file, hashed redacted),
    ``file`` (a wheel or archive), ``tree`` (a project directory, hashed with the source
    excludes) or ``links`` (a ``--find-links`` directory: its top-level files)."""

    kind: str
    path: str
    """Absolute and normalized."""


@dataclass(frozen=True)
class Inputs:
    inputs: tuple[Input, ...]
    problems: tuple[str, ...]


def local_target(line: str) -> tuple[str, str] | None:
    """(kind, value) of a line that names something local, else None."""
    m = _OPTION.match(line)
    if m:
        return _KIND["-" + m.group(1).lstrip("-")[0]], m.group(2)
    if line.startswith("-"):
        return None
    body = re.split(r"\s--?[A-Za-z]", " " + line, maxsplit=1)[0].split(";")[0].strip()
    named = _NAMED.match(body)
    if named or _LOCAL.match(body):
        return "file", named.group(1) if named else body
    return None


def local_path(value: str, base: str) -> str | None:
    """The local path ``value`` names (relative to ``base``), or None for a URL."""
    if value.startswith("file:"):
        value = re.sub(r"^file:(//)?", "", value)
    elif "://" in value:
        return None
    value = re.sub(r"(\[[^\]]*\])?(#.*)?$", "", value)  # extras, #egg= fragments
    return os.path.normpath(os.path.join(base, os.path.expanduser(value)))



def requirement_inputs(entry: str, rel: str) -> Inputs:
    """What ``entry/rel`` and its includes feed the install, in the order pip meets it."""
    found: list[Input] = []
    problems: list[str] = []
    seen = {os.path.realpath(os.path.join(entry, rel))}

    def walk(path: str, where: str) -> None:
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                text = f.read()
        except OSError as e:
            problems.append(f"{where}: {path} cannot be read ({e.strerror}); fix the line")
            return
        for number, line in numbered_lines(text):
            target = local_target(line)
            if target is None:
                continue
            kind, value = target
            where = f"{path} line {number}: {redact(line)}"
            local = local_path(value, os.path.dirname(path))
            if local is None:
                if kind == "requirements":
                    problems.append(f"{where}: a file included by URL cannot be hashed, so a "
                                    "change to it would be served from the dependency cache; "
                                    "download it into the entry and include it by path")
                continue  # an index or VCS URL: its text is hashed with the file's
            if kind in ("file", "tree"):
                kind = "tree" if os.path.isdir(local) else "file"
            if not os.path.exists(local):
                problems.append(f"{where}: {local} does not exist; create it or fix the line")
            elif kind == "requirements" and os.path.realpath(local) not in seen:
                seen.add(os.path.realpath(local))
                found.append(Input(kind, local))
                walk(local, where)
            elif kind != "requirements":
                found.append(Input(kind, local))

    walk(os.path.join(entry, rel), rel)
    return Inputs(tuple(found), tuple(problems))
