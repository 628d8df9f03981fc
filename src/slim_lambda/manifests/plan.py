"""The install plan: what a function's manifest means for pip, as data.

Every manifest kind turns into the same value, so the build installs all of them one way
(a requirements file and a few flags) and tests compare plans, not pip runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..pipeline.redact import redact

__all__ = ["InstallPlan", "with_notes"]


@dataclass(frozen=True, kw_only=True)
class InstallPlan:
    """What to install for a function, as data: a requirements file and options."""

    kind: str
    """``requirements.txt``, ``uv.lock``, ``poetry.lock``, ``Pipfile.lock``,
    ``pyproject.toml`` or ``none``."""
    manifest: str | None
    """The manifest's path relative to the entry; None when there is none."""
    requirements: str
    """pip requirements-file text; for locks one ``name==version`` line per package, sorted
    by normalized name, with its markers and every ``--hash`` the lock has. "" when nothing
    is to be installed."""
    require_hashes: bool = False
    """Every line carries hashes: pip runs with ``--require-hashes``."""
    no_deps: bool = False
    """The lines are a complete closure (locks): pip runs with ``--no-deps``."""
    project: str | None = None
    """Entry-relative directory of a project to install as a package (a ``pyproject.toml``
    with a build backend), after ``requirements`` and with ``--no-deps``; else None."""
    paths: tuple[str, ...] = ()
    """Entry-relative directories of path and workspace packages (``../../libs/common``):
    a lock's are installed as packages after ``requirements``, with ``--no-deps``; a
    ``pyproject.toml``'s (``no_deps`` False) are resolved together with ``requirements``."""
    git: tuple[str, ...] = ()
    """A lock's git packages, each naming its locked commit (``name @ git+https://host/
    repo@<40-hex commit>``), installed as packages after ``requirements``, with
    ``--no-deps`` (the lock has their dependencies)."""
    groups: tuple[str, ...] = ()
    """The dependency groups and extras included besides the main dependencies."""
    notes: tuple[str, ...] = ()
    """Human notes for the report; credentials in them are redacted on construction."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "notes", tuple(redact(note) for note in self.notes))


def with_notes(plan: InstallPlan, *notes: str) -> InstallPlan:
    """``plan`` with ``notes`` added after its own."""
    return replace(plan, notes=plan.notes + notes) if notes else plan
