"""Stripping symbols from ELF shared objects, safe by construction.

Plain ``strip`` on an auditwheel-repaired library (``numpy.libs/*.so``) yields a
file the dynamic loader refuses ("ELF load command address/offset not
page-aligned"). So every candidate is stripped into a temporary copy, the copy is
parsed and checked against the loader's own rules (segment alignment, bounds,
same machine, same dynamic section), and it replaces the original only when it
passes and is smaller. Vendored ``*.libs/`` directories are left alone by
default; that list is configurable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..options import STRIP_EXCLUDE
from . import elf
from .fsguard import Root
from .slim import compile_patterns
from .tree import iter_files
from .workers import pool_size

__all__ = ["StripResult", "strip_tree"]



@dataclass
class StripResult:
    stripped: list[tuple[str, int, int]] = field(default_factory=list)  # rel, before, after
    skipped: list[tuple[str, str]] = field(default_factory=list)  # rel, reason
    already_stripped: int = 0
    machines: dict[str, int] = field(default_factory=dict)
    available: bool = True

    @property
    def saved_bytes(self) -> int:
        return sum(before - after for _rel, before, after in self.stripped)

    @property
    def changed(self) -> set[str]:
        return {rel for rel, _b, _a in self.stripped}


def _strip_one(root: Root, rel: str, strip_cmd: str) -> tuple[str, str, int, int]:
    """Strip one file. Returns (outcome, reason, before, after)."""
    path = root.resolve(rel)
    before_info = elf.read_elf(path)
    before = os.path.getsize(path)
    if before_info is None:
        return "skipped", "not a well-formed ELF file", before, before
    tmp = path + ".slim-strip"
    try:
        proc = subprocess.run([strip_cmd, "--strip-unneeded", "-o", tmp, path],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            return "skipped", f"strip failed: {proc.stderr.strip()[:300]}", before, before
        after_info = elf.read_elf(tmp)
        after = os.path.getsize(tmp)
        if after_info is None:
            return "skipped", "strip produced an unreadable file", before, before
        problems = elf.load_problems(after_info, after)
        if after_info.machine != before_info.machine:
            problems.append("machine changed")
        if len(after_info.load_segments) != len(before_info.load_segments):
            problems.append("number of LOAD segments changed")
        if after_info.has_dynamic != before_info.has_dynamic:
            problems.append("dynamic section lost")
        if problems:
            return "skipped", "stripping would break it: " + "; ".join(problems), before, before
        if after >= before:
            return "skipped", "stripping saves nothing", before, before
        shutil.copymode(path, tmp)
        root.replace(rel, tmp)
        return "stripped", "", before, after
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def strip_tree(root_dir: str, *, exclude: tuple[str, ...] = STRIP_EXCLUDE,
               strip_cmd: str = "strip", jobs: int | None = None) -> StripResult:
    """Strip every ELF shared object or executable under ``root_dir`` that is safe to strip."""
    result = StripResult()
    strip_path = shutil.which(strip_cmd)
    excluded = compile_patterns(exclude, "slim.strip_exclude")
    root = Root(root_dir)
    todo: list[str] = []
    for rel, st in iter_files(root_dir):
        if not os.path.isfile(os.path.join(root_dir, rel)) or os.path.islink(
                os.path.join(root_dir, rel)) or st.st_size < 64:
            continue
        path = os.path.join(root_dir, rel)
        if not elf.is_elf(path):
            continue
        info = elf.read_elf(path)
        if info is None or info.e_type not in ("DYN", "EXEC"):
            continue
        result.machines[info.machine] = result.machines.get(info.machine, 0) + 1
        if excluded.match_file(rel):
            result.skipped.append((rel, "excluded by slim.strip_exclude"))
        elif not info.has_symbols:
            result.already_stripped += 1
        else:
            todo.append(rel)
    if strip_path is None:
        result.available = False
        result.skipped.extend((rel, f"no '{strip_cmd}' in the build image") for rel in todo)
        return result
    with ThreadPoolExecutor(max_workers=pool_size(len(todo), jobs)) as pool:
        outcomes = list(pool.map(lambda r: (r, *_strip_one(root, r, strip_path)), todo))
    for rel, outcome, reason, before, after in outcomes:
        if outcome == "stripped":
            result.stripped.append((rel, before, after))
        else:
            result.skipped.append((rel, reason))
    return result
