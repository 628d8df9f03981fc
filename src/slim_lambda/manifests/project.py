"""The function's project: the Python it requires, whether it is itself a package to
install, and where it is.

A handler inside ``src/`` only imports when the project is installed, so a
``pyproject.toml`` with a build backend is installed (after its dependencies, without
resolving again) — unless the project opts out, or is a Poetry project with nothing to
package, which is how most Poetry-managed functions look.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from .context import MANIFEST_OPTION, Ctx
from .markers import admits_python

__all__ = ["check_python", "is_package", "project_dir"]


def check_python(ctx: Ctx, constraint: object, where: str, fix: str) -> None:
    """A Python constraint of the project or its lock (``requires-python``) that excludes
    the runtime is an error; ``where`` names it, ``fix`` says how to change it."""
    if not admits_python(constraint, ctx.python_version):
        raise ctx.error(f"{ctx.path}: {where} = {constraint!r} excludes the function's runtime "
                        f"python{ctx.python_version}: choose a runtime it allows, or {fix}")


def is_package(ctx: Ctx, pyproject: Mapping[str, Any]) -> tuple[bool, str | None]:
    """Whether the project is a package to install (a build backend, not opted out), and
    a note when a Poetry project is not one only because its package is missing."""
    if "build-system" not in pyproject:
        return False, None
    tool = pyproject.get("tool", {})
    poetry = tool.get("poetry", {})
    if tool.get("uv", {}).get("package") is False or poetry.get("package-mode") is False:
        return False, None
    backend = str(pyproject["build-system"].get("build-backend", ""))
    if backend.startswith("poetry.core") and "packages" not in poetry:
        name = str(poetry.get("name") or pyproject.get("project", {}).get("name") or "")
        module = re.sub(r"[-.]+", "_", name).lower()
        base = os.path.join(ctx.entry, ctx.dir_rel)
        if not module or not any(os.path.exists(os.path.join(base, p)) for p in (
                module, os.path.join("src", module), f"{module}.py")):
            pyproject_rel = os.path.normpath(ctx.beside("pyproject.toml"))
            return False, (f"{pyproject_rel}: Poetry project {name!r} has no package "
                           f"directory {module or '?'}/, so it is not installed as a package "
                           "(set [tool.poetry] package-mode = false to say so)")
    return True, None


def project_dir(ctx: Ctx) -> str:
    """The entry-relative directory of the project to install; one outside the entry is
    an error (only the entry is mounted into the build)."""
    d = os.path.normpath(ctx.dir_rel)
    if d == ".." or d.startswith(".." + os.sep) or os.path.isabs(d):
        raise ctx.error(f"{MANIFEST_OPTION}: {ctx.path} belongs to a project outside the "
                        "entry, which is installed as a package but is not mounted into the "
                        "build; move the function's entry to the project's directory")
    return d
