"""Installing a plan for real with pip, as the build does, and what the fixture locks mean."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from slim_lambda.manifests import InstallPlan
from tests.fixtures.projects import (
    DEFAULT_PINS,
    MARKER_LINUX,
    LockWheelhouse,
    pipfile_project,
    poetry_project,
    uv_project,
)

GROUPS_NOTE = "(include with bundling.groups (CLI --group))"
NOT_A_PACKAGE = ("pyproject.toml: Poetry project 'fn' has no package directory fn/, so it is "
                 "not installed as a package (set [tool.poetry] package-mode = false to say so)")

NEWER = sys.version_info >= (3, 11)
"""The fork tests split at Python 3.11: this host takes slimfix-pure 2.0.0 if it is newer."""


def pip_env() -> dict[str, str]:
    env = dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    for var in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONSTRAINT",
                "PIP_REQUIRE_HASHES", "PIP_NO_DEPS"):
        env.pop(var, None)
    return env


def pip_install(plan: InstallPlan, target: Path, *, find_links: Path | None,
                extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Install ``plan.requirements`` as the build does: ``--require-hashes`` and
    ``--no-deps`` as the plan says, into ``target``; from ``find_links`` only, or from
    pip's default index when None."""
    req = target.parent / f"{target.name}-requirements.txt"
    req.write_text(plan.requirements)
    cmd = [sys.executable, "-m", "pip", "install", "--target", str(target), "--no-compile",
           "--no-input", "-r", str(req), *extra]
    if find_links is not None:
        cmd += ["--no-index", "--find-links", str(find_links)]
    if plan.require_hashes:
        cmd.append("--require-hashes")
    if plan.no_deps:
        cmd.append("--no-deps")
    env = pip_env() if find_links is not None else dict(os.environ)
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)


def install_project(project: Path, target: Path) -> None:
    """Install a project as a package, as the build does after the plan's requirements."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index", "--no-build-isolation",
         "--no-deps", "--no-compile", "--target", str(target), str(project)],
        capture_output=True, text=True, env=pip_env(), timeout=600)
    assert proc.returncode == 0, proc.stderr


def installed(target: Path) -> dict[str, str]:
    """Normalized name → version of every distribution in ``target``."""
    out = {}
    for meta in target.glob("*.dist-info/METADATA"):
        fields = dict(re.findall(r"^(Name|Version): (.+)$", meta.read_text(), re.MULTILINE))
        out[re.sub(r"[-_.]+", "-", fields["Name"]).lower()] = fields["Version"]
    return out


def lock_requirements(house: LockWheelhouse, pins: dict[str, str]) -> str:
    """The requirements a lock of the fixture projects must turn into."""
    lines = []
    for name, version in sorted(pins.items()):
        marker = f" ; {MARKER_LINUX}" if name in DEFAULT_PINS else ""
        hashes = "".join(f" --hash={h}" for h in house.hashes(name, version))
        lines.append(f"{name}=={version}{marker}{hashes}\n")
    return "".join(lines)


Writer = Callable[[Path, LockWheelhouse], Path]
LOCKS: dict[str, tuple[str, Writer, tuple[str, ...]]] = {
    # id: (manifest, writer, notes of the default plan besides the excluded groups)
    "uv": ("uv.lock", uv_project, ()),
    "poetry2": ("poetry.lock", lambda d, h: poetry_project(d, h, lock_version="2.1"), ()),
    "poetry1.8": ("poetry.lock", lambda d, h: poetry_project(d, h, lock_version="2.0"),
                  (NOT_A_PACKAGE,)),
    "poetry1.4": ("poetry.lock", lambda d, h: poetry_project(d, h, lock_version="1.1"),
                  (NOT_A_PACKAGE,)),
    "pipenv": ("Pipfile.lock", pipfile_project, ()),
}
EXCLUDED = {"uv.lock": "group dev; extra cext", "poetry.lock": "group dev; extra cext",
            "Pipfile.lock": "groups cext, develop"}
