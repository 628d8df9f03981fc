"""Proving the slimmed tree still imports, and blaming the rule that broke it.

Every top-level module of every installed distribution, plus the third-party
modules the function itself imports, is imported in its own fresh interpreter
with the finished bundle first on ``sys.path`` and bytecode writing off, the way
Lambda's read-only ``/var/task`` behaves. A failure is attributed to the slim
rule whose removals the error points at.
"""

from __future__ import annotations

import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .imports import probe

__all__ = ["Failure", "VerifyResult", "attribute", "verify_imports"]


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


_MISSING_MODULE = re.compile(r"No module named '([^']+)'")
# ``from pkg import sub`` whose submodule file is gone: Python reports the name, not a module.
_MISSING_NAME = re.compile(
    r"cannot import name '([^']+)' from (?:partially initialized module )?'([^']+)'")
_PACKAGE_NOT_FOUND = re.compile(r"PackageNotFoundError|No package metadata was found")
_PATH_IN_ERROR = re.compile(r"(/[^\s'\":]+)")


def attribute(error: str, root: str, removed: dict[str, str], stripped: set[str]
              ) -> tuple[str, str]:
    """Which rule most likely caused ``error``: ``(rule, evidence)``.

    ``removed`` maps each removed path to its rule; ``stripped`` holds the stripped files.
    """
    names = _MISSING_MODULE.findall(error)
    names += [f"{package}.{name}" for name, package in _MISSING_NAME.findall(error)]
    for name in names:
        base = name.replace(".", "/")
        for rel, rule in removed.items():
            if rel == base + ".py" or rel.startswith(base + "/") or (
                    rel.startswith(base + ".") and rel.endswith(".so")):
                return rule, f"'{name}' was removed ({rel})"
    prefix = root.rstrip("/") + "/"
    for path in _PATH_IN_ERROR.findall(error):
        path = path.rstrip(").,")  # "(/path/to/module.py)" in ImportError messages
        if not path.startswith(prefix):
            continue
        rel = path[len(prefix):]
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
                   extra_paths: tuple[str, ...] = ()) -> VerifyResult:
    """Import each module in its own interpreter; collect every failure."""
    result = VerifyResult()
    todo = []
    for name in modules:
        if name in skip or name.split(".")[0] in skip:
            result.skipped.append(name)
        else:
            todo.append(name)
    result.modules = todo

    def one(name: str) -> tuple[str, str]:
        outcome = probe(root, [name], python=python, timeout=timeout,
                        extra_paths=extra_paths)
        return name, outcome.failed.get(name, "")

    workers = max(1, min(len(todo), jobs or os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for name, error in pool.map(one, todo):
            if error:
                rule, evidence = attribute(error, root, removed, stripped)
                result.failures.append(Failure(name, error, rule, evidence))
    return result
