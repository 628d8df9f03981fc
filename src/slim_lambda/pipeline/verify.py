"""Proving the slimmed tree still imports, and blaming the rule that broke it.

Every top-level module of every installed distribution, with its public subpackages, is
imported with the finished bundle first on ``sys.path`` and bytecode writing off, the way
Lambda's read-only ``/var/task`` behaves: in an interpreter that has imported nothing
else, or (the deps stage's first pass) in one forked from where the distributions its
own requires were imported (:mod:`.verify_plan`), so numpy is imported once, not once per
package that needs it. A failure is attributed to the slim rule whose removals the error
points at; :mod:`.repair` then checks that attribution, in fresh interpreters, against the
tree as it was before slimming.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .groupprobe import can_fork, probe_groups
from .imports import probe
from .verify_plan import plan_groups
from .workers import pool_size

__all__ = [
    "Failure",
    "VerifyResult",
    "attribute",
    "files_named",
    "modules_named",
    "paths_named",
    "public_subpackages",
    "verify_imports",
]


NOT_IMPORTED = frozenset({"tests", "test", "conftest"})
"""Subpackages verify never imports: test suites (the ``tests`` rule removes them anyway)."""


@dataclass(frozen=True)
class Failure:
    module: str
    error: str
    rule: str
    evidence: str


@dataclass
class VerifyResult:
    modules: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    loaded: dict[str, list[str]] = field(default_factory=dict)
    """Per module: the files under the root whose modules it had imported, failed or not."""


_MISSING_MODULE = re.compile(r"No module named '([^']+)'")
# ``from pkg import sub`` whose submodule file is gone: Python reports the name, not a module.
_MISSING_NAME = re.compile(
    r"cannot import name '([^']+)' from (?:partially initialized module )?'([^']+)'")
_PACKAGE_NOT_FOUND = re.compile(r"PackageNotFoundError|No package metadata was found")
_PATH_IN_ERROR = re.compile(r"(/[^\s'\":]+)")


def modules_named(error: str) -> list[str]:
    """The modules an import error says are missing (``a.b`` for ``from a import b``)."""
    names: list[str] = _MISSING_MODULE.findall(error)
    return names + [f"{package}.{name}" for name, package in _MISSING_NAME.findall(error)]


def paths_named(error: str, root: str) -> list[str]:
    """The paths under ``root`` an error (or its traceback) mentions, relative to it."""
    prefix = root.rstrip("/") + "/"
    paths = (p.rstrip(").,") for p in _PATH_IN_ERROR.findall(error))  # "(/x/y.so)"
    return [p[len(prefix):] for p in paths if p.startswith(prefix)]


def _is_module_file(rel: str, name: str) -> bool:
    """``rel`` is (part of) the module ``name``: ``a/b.py``, ``a/b/…``, ``a/b.*.so``."""
    base = name.replace(".", "/")
    return rel == base + ".py" or rel.startswith(base + "/") or (
        rel.startswith(base + ".") and rel.endswith(".so"))


def files_named(error: str, root: str, rels: Iterable[str]) -> list[str]:
    """The ``rels`` an error points at: files of a module it misses, or paths it shows."""
    names, paths = modules_named(error), set(paths_named(error, root))
    return sorted(rel for rel in rels
                  if rel in paths or any(_is_module_file(rel, n) for n in names))


def attribute(error: str, root: str, removed: dict[str, str], stripped: set[str]
              ) -> tuple[str, str]:
    """Which rule most likely caused ``error``: ``(rule, evidence)``.

    ``removed`` maps each removed path to its rule; ``stripped`` holds the stripped files.
    """
    for name in modules_named(error):
        for rel, rule in removed.items():
            if _is_module_file(rel, name):
                return rule, f"'{name}' was removed ({rel})"
    for rel in paths_named(error, root):
        if rel in stripped:
            return "strip", f"{rel} was stripped"
        if rel in removed:
            return removed[rel], f"{rel} was removed"
    if _PACKAGE_NOT_FOUND.search(error):
        return "dist-info", "distribution metadata was trimmed"
    return "", ""


def verify_imports(root: str, modules: list[str], *, removed: dict[str, str],
                   stripped: set[str], skip: tuple[str, ...] = (), python: str = sys.executable,
                   jobs: int | None = None, timeout: float = 300.0,
                   extra_paths: tuple[str, ...] = (),
                   requires: Mapping[str, set[str]] | None = None,
                   owner: Mapping[str, str] | None = None,
                   weight: Mapping[str, int] | None = None) -> VerifyResult:
    """Import each module with its public subpackages; collect every failure.

    Without ``requires`` each module gets a fresh interpreter. With it (distribution →
    the distributions it requires; ``owner``: module → its distribution; ``weight``:
    module → its files), a module starts where the modules of a distribution it requires
    ended (:mod:`.verify_plan`)."""
    result = VerifyResult()
    todo = []
    for name in modules:
        if name in skip or name.split(".")[0] in skip:
            result.skipped.append(name)
        else:
            todo.append(name)
    requested = set(todo)
    names = {name: [name, *(s for s in public_subpackages(root, name)
                            if s not in requested and s not in skip)] for name in todo}
    workers = pool_size(len(todo), jobs)  # imports at once: the container's CPUs
    if requires is not None and can_fork():
        groups = plan_groups(names, owner or {}, requires, weight)
        outcomes = probe_groups(root, groups, jobs=workers, python=python, timeout=timeout,
                                extra_paths=extra_paths)
        position = {name: i for i, name in enumerate(todo)}
        done = sorted(zip((g.names for g in groups), outcomes, strict=True),
                      key=lambda d: position[d[0][0]])
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            done = list(zip((tuple(names[n]) for n in todo), pool.map(
                lambda n: probe(root, names[n], python=python, timeout=timeout,
                                extra_paths=extra_paths), todo), strict=True))
    for group, outcome in done:
        result.modules += group
        for name in group:
            result.loaded[name] = outcome.files
            if name in outcome.failed:
                rule, evidence = attribute(outcome.failed[name], root, removed, stripped)
                result.failures.append(Failure(name, outcome.failed[name], rule, evidence))
    return result


def public_subpackages(root: str, name: str) -> list[str]:
    """The public direct subpackages of package ``name`` under ``root``: imported with it,
    in the same interpreter, because a package may load one lazily (``numpy.testing``,
    which ``scipy.optimize`` needs) so that importing the package alone proves nothing."""
    base = os.path.join(root, *name.split("."))
    try:
        children = sorted(os.listdir(base))
    except OSError:
        return []
    return [f"{name}.{child}" for child in children
            if child.isidentifier() and not child.startswith("_")
            and child not in NOT_IMPORTED
            and os.path.isfile(os.path.join(base, child, "__init__.py"))]
