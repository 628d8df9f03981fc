"""Both stages in one process: dependencies into a work directory, then the asset.

What the host runs in local mode, and what ``python -m`` runs in the build image
for a stage at a time (:mod:`.__main__`). Every failure is a :class:`BuildError`
naming the step.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from .spec import AssembleSpec, DepsSpec

__all__ = ["run", "run_stage", "stderr_log"]

Log = Callable[[str], None]
META = "slim-lambda-deps.json"


def stderr_log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_stage(spec: DepsSpec | AssembleSpec, *, log: Log = stderr_log,
              python: str = sys.executable) -> dict[str, Any]:
    """Run one stage; returns the deps meta or the asset's report."""
    # imported here: the host assembles cached trees without loading the installer's code
    if isinstance(spec, DepsSpec):
        from .deps import run_deps
        return run_deps(spec, log=log, python=python)
    from .assemble import run_assemble
    return run_assemble(spec, log=log, python=python)


def meta_path(deps_dir: str) -> str:
    """The deps meta lives beside the tree, never inside the asset."""
    return deps_dir.rstrip("/") + "." + META


def run(deps: DepsSpec, assemble: AssembleSpec, *, log: Log = stderr_log,
        python: str = sys.executable) -> dict[str, Any]:
    """Dependencies into ``deps.output_dir``, then the asset into ``assemble.output_dir``."""
    meta = run_stage(deps, log=log, python=python)
    with open(meta_path(deps.output_dir), "w", encoding="utf-8") as f:
        json.dump(meta, f)
    spec = dataclasses.replace(assemble, deps_dir=deps.output_dir,
                               deps_meta=meta_path(deps.output_dir))
    os.makedirs(spec.output_dir, exist_ok=True)
    return run_stage(spec, log=log, python=python)
