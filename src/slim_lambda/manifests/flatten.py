"""A requirements file as the build container reads it: one file, every path placed.

pip resolves ``-r``, ``-c``, ``-e ../libs/pkg``, ``./wheels/x.whl`` and ``-f ./wheels``
relative to the file that names them, and in the build container only what is mounted
exists. So for Docker mode the host rewrites the file: includes inlined, each constraint
file flattened into a file of its own, and every local path replaced by where the container
sees it (``place``). ``-e`` is dropped: a Lambda bundle cannot hold an editable install
(its ``.pth`` would point at the build's mount), so a path dependency installs as a
package, built into a wheel from a copy of its sources. URLs and everything else pass
through as written. Pure: reads the files, never runs anything.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .inputs import local_path, local_target
from .requirements import numbered_lines

__all__ = ["Flat", "flatten_requirements"]

#: (kind, absolute host path) → the path the container reads; kinds: ``tree`` (a project
#: directory), ``file`` (a wheel or archive), ``links`` (a ``--find-links`` directory).
Place = Callable[[str, str], str]

_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:=|\s+|(?<=^-[rc]))(\S+)$")
_EDITABLE = re.compile(r"^(-e|--editable)(?:=|\s+|(?<=^-e))")
_EXTRAS = re.compile(r"(\[[^\]]*\])(#.*)?$")


@dataclass
class Flat:
    lines: list[str] = field(default_factory=list)
    constraints: list[tuple[str, str]] = field(default_factory=list)
    """(file name, text) of each flattened constraint file, to write beside the result."""

    @property
    def text(self) -> str:
        return "".join(f"{line}\n" for line in self.lines)


def _placed(line: str, base: str, place: Place, git: Mapping[str, str]) -> str:
    """``line`` with its local path (if any) replaced, a git URL naming its pinned commit
    (``git``: as written → pinned), ``-e`` dropped."""
    target = local_target(line)
    if target is None:
        pinned = line
        for written, commit in git.items():
            pinned = pinned.replace(written, commit)
        return _EDITABLE.sub("", pinned).strip() if pinned != line else line
    kind, value = target
    host = local_path(value, base)
    if host is None:
        return line  # an index or VCS URL
    if kind in ("file", "tree"):
        kind = "tree" if os.path.isdir(host) else "file"
    extras = m.group(1) if (m := _EXTRAS.search(value)) and not value.startswith("file:") \
        else ""
    new = place(kind, host)
    if value.startswith("file:"):
        new = f"file://{new}"
    out = line.replace(value, new + extras, 1)
    return _EDITABLE.sub("", out).strip()


def flatten_requirements(path: str, place: Place, *, constraint_dir: str,
                         git: Mapping[str, str] | None = None) -> Flat:
    """``path`` (absolute) flattened; constraint files are named ``constraints-N.txt`` and
    referred to in ``constraint_dir`` (where the container sees them); git URLs as
    written are replaced by ``git``'s (their pinned commits)."""
    pins = git or {}
    flat = Flat()

    def walk(file: str, into: list[str], seen: frozenset[str]) -> None:
        with open(file, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        base = os.path.dirname(file)
        for _number, line in numbered_lines(text):
            m = _INCLUDE.match(line)
            included = local_path(m.group(2), base) if m else None
            if m is None or included is None:
                into.append(_placed(line, base, place, pins))
            elif os.path.realpath(included) in seen:
                continue  # pip would loop; the walk in inputs.py reports nothing here either
            elif m.group(1) in ("-r", "--requirement"):
                walk(included, into, seen | {os.path.realpath(included)})
            else:
                inner: list[str] = []
                walk(included, inner, seen | {os.path.realpath(included)})
                name = f"constraints-{len(flat.constraints) + 1}.txt"
                flat.constraints.append((name, "".join(f"{x}\n" for x in inner)))
                into.append(f"-c {constraint_dir}/{name}")

    walk(path, flat.lines, frozenset({os.path.realpath(path)}))
    return flat
