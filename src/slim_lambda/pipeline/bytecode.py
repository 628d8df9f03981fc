"""Hash-based bytecode, compiled by the runtime's own Python, within a size budget.

CDK zips every file with a 1980 timestamp and ``/var/task`` is read-only, so
timestamp-validated ``.pyc`` files are stale on arrival and every cold start
recompiles. ``unchecked-hash`` pycs are valid whatever the timestamps. The code
object's file name is the module's path relative to the bundle, so the bytes do
not depend on where the build ran.
"""

from __future__ import annotations

import importlib.util
import os
import py_compile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from ..options import BYTECODE_MODES
from .fsguard import Root
from .workers import pool_size

__all__ = ["MODES", "BytecodeResult", "compile_modules"]

MODES = BYTECODE_MODES
INLINE_BELOW = 32
"""Fewer modules than this are compiled in this process."""


@dataclass
class BytecodeResult:
    mode: str
    compiled: list[tuple[str, int]] = field(default_factory=list)  # source rel, pyc bytes
    failed: list[str] = field(default_factory=list)
    dropped_for_budget: int = 0
    budget_bytes: int = 0

    @property
    def bytes(self) -> int:
        return sum(size for _rel, size in self.compiled)


def pyc_path(rel: str) -> str:
    """Where Python looks for the bytecode of the source ``rel``."""
    return importlib.util.cache_from_source(rel)


def _compile(args: tuple[str, str]) -> tuple[str, int]:
    root, rel = args
    cfile = os.path.join(root, pyc_path(rel))
    try:
        py_compile.compile(os.path.join(root, rel), cfile=cfile, dfile=rel, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except (py_compile.PyCompileError, SyntaxError, ValueError, OSError):
        return rel, -1
    return rel, os.path.getsize(cfile)


def compile_modules(root: str, sources: list[str], *, mode: str, budget_bytes: int,
                    jobs: int | None = None) -> BytecodeResult:
    """Compile ``sources`` (relative paths, most important first) within ``budget_bytes``.

    Everything is compiled, then the least important pycs are removed until the
    total fits the budget, so the result never pushes the bundle over its limit.
    """
    result = BytecodeResult(mode=mode, budget_bytes=max(budget_bytes, 0))
    if mode == "none" or not sources:
        return result
    work = [(root, rel) for rel in sources]
    workers = pool_size(len(work), jobs)
    if len(work) < INLINE_BELOW or workers == 1:  # worker processes would cost more
        outcomes = [_compile(w) for w in work]
    else:  # map keeps the order: the same result (and bytes) whatever the worker count
        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(_compile, work,
                                     chunksize=max(1, min(64, len(work) // (4 * workers)))))
    guard = Root(root)
    total = 0
    for rel, size in outcomes:
        if size < 0:
            result.failed.append(rel)
        elif total + size <= result.budget_bytes:
            total += size
            result.compiled.append((rel, size))
        else:
            guard.remove(pyc_path(rel))
            result.dropped_for_budget += 1
    return result
