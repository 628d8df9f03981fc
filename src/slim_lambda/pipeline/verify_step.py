"""The deps stage's verify step: what fails the build, what only warns, what is repaired.

The build fails only on what slimming broke and could not undo: a module that imported
before the rules ran and does not after (with ``slim.repair`` off, or when a stripped
file is to blame). A module that never imported (an optional dependency not installed,
a module broken upstream) is a warning naming what it misses. A module a rule broke gets
the removed files it needs back (:mod:`.repair`); the kept files are then accounted for
like any other: out of the removal counts, in RECORD again, compiled.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..options import SlimOptions
from .bytecode import compile_modules, pyc_path
from .distinfo import Distribution, normalized_name, read_metadata, rewrite_record
from .errors import BuildError
from .explain import missing_dependency
from .fsguard import Root
from .provided import requirements
from .repair import Diagnosis, Kept, diagnose
from .tree import top_name
from .verify import Failure, verify_imports

__all__ = ["Verified", "read_records", "run_verify", "settle_kept"]


@dataclass(frozen=True)
class Verified:
    info: dict[str, Any]
    """The meta's ``verify`` entries: modules, skipped, repaired, failed_before."""
    warnings: list[str]
    kept: list[Kept]


def _last_line(error: str) -> str:
    return (error.strip().splitlines() or ["(no message)"])[-1]


def _cause(f: Failure) -> str:
    if f.rule == "strip":
        return f"most likely the 'strip' rule: {f.evidence}"
    if not f.rule:
        return "no slim rule touched the files involved"
    several = ", " in f.evidence or "; " in f.evidence
    return f"{f.evidence}: the import needs {'them' if several else 'it'}"


def _fail(regressions: Sequence[Failure], repair: bool) -> BuildError:
    lines = [f"- {f.module}: {_last_line(f.error)}\n  ({_cause(f)})" for f in regressions]
    hint = ("Keep the files with slim.keep, disable the rule with slim.disable_rules, or "
            "skip the module with slim.verify_skip.")
    if any(f.rule == "strip" for f in regressions):
        hint += " Leave a stripped file as it is with slim.strip_exclude."
    if not repair and any(f.rule != "strip" for f in regressions):
        hint += " slim.repair (off here) keeps the removed files an import needs."
    return BuildError("verify", f"{len(regressions)} module(s) no longer import after "
                      "slimming", details="\n".join(lines) + "\n" + hint)


def _warnings(found: Diagnosis, root: str, dists: Sequence[Distribution],
              extra_paths: tuple[str, ...]) -> list[str]:
    out = []
    for f in sorted(found.failed_before, key=lambda f: f.module):
        why = missing_dependency(f.error, f.module, root, dists, extra_paths)
        out.append(f"verify: {f.module} does not import, and did not before slimming "
                   f"either: {_last_line(f.error)}" + (f"; {why}" if why else ""))
    groups: dict[tuple[str, str], list[str]] = {}
    for k in found.kept:
        groups.setdefault((k.needed_by, k.rule), []).append(k.path)
    for (module, rule), paths in groups.items():
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        them = "it" if len(paths) == 1 else "them"
        out.append(f"verify: kept {len(paths)} file(s) the '{rule}' rule removed, because "
                   f"importing {module} needs {them}: {shown} (list {them} in slim.keep to "
                   f"keep {them} without this warning)")
    return out


def run_verify(root: str, modules: list[str], *, removed: dict[str, str], stripped: set[str],
               held: Root, dists: Sequence[Distribution], slim: SlimOptions,
               python: str, extra_paths: tuple[str, ...], jobs: int | None = None
               ) -> Verified:
    """Import every module, ``jobs`` at once (None: a CPU each); sort the failures out;
    raise on what slimming broke for good."""
    requires = {normalized_name(d.name): requirements(read_metadata(root, d)) for d in dists}
    owner = {top: normalized_name(d.name) for d in reversed(dists) for top in d.top_level}
    weight = Counter(top_name(rel) for d in dists for rel in d.files)
    first = verify_imports(root, modules, removed=removed, stripped=stripped,
                           skip=slim.verify_skip, python=python, extra_paths=extra_paths,
                           requires=requires, owner=owner, weight=weight, jobs=jobs)
    found = diagnose(root, first.failures, held=held, removed=removed, repair=slim.repair,
                     stripped=stripped, python=python, extra_paths=extra_paths
                     ) if first.failures else Diagnosis()
    if found.regressions:
        raise _fail(found.regressions, slim.repair)
    info = {"modules": first.modules, "skipped": first.skipped,
            "repaired": [asdict(k) for k in found.kept],
            "failed_before": [{"module": f.module, "error": _last_line(f.error)}
                              for f in sorted(found.failed_before, key=lambda f: f.module)]}
    return Verified(info, _warnings(found, root, dists, extra_paths), found.kept)


def read_records(root: str, dists: Sequence[Distribution]) -> dict[str, str]:
    """Each distribution's RECORD as installed, before it is rewritten: the rows a kept
    file needs to be listed again."""
    records = {}
    for dist in dists:
        path = os.path.join(root, dist.dist_info, "RECORD")
        if os.path.isfile(path):
            with open(path, encoding="utf-8", newline="") as f:
                records[dist.dist_info] = f.read()
    return records


def settle_kept(root: str, kept: Sequence[Kept], *, dists: Sequence[Distribution],
                records: dict[str, str], changed: set[str], by_rule: dict[str, list[int]],
                compile_pycs: bool) -> dict[str, str]:
    """Count the kept files as not removed and list them in RECORD again (rewritten from
    the installed one, as the first time); compile them. Returns their pycs."""
    guard = Root(root)
    for k in kept:
        counts = by_rule[k.rule]
        counts[0] -= 1
        counts[1] -= os.lstat(guard.resolve(k.path)).st_size
        if counts[0] == 0 and counts[1] <= 0:
            del by_rule[k.rule]
    paths = {k.path for k in kept}
    for dist in dists:
        if dist.files & paths and dist.dist_info in records:
            record = f"{dist.dist_info}/RECORD"
            tmp = guard.resolve(record) + ".slim-tmp"
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                f.write(records[dist.dist_info])
            guard.replace(record, tmp)
            rewrite_record(root, dist, changed)
    sources = sorted(p for p in paths if p.endswith(".py"))
    if not compile_pycs or not sources:
        return {}
    result = compile_modules(root, sources, mode="all", budget_bytes=1 << 62)
    return {rel: pyc_path(rel) for rel, _size in result.compiled}
