"""From an entry to its install plan: the manifest named or detected, read, and checked
against every other manifest there.

One reader per kind (``READERS``); when several manifests are present and disagree, that is
an error naming both and how to choose, since silently using the first would install
something else than the other promises.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from ..errors import ConfigurationError
from .compare import Summary, disagreements
from .context import MANIFEST_OPTION, Ctx
from .detect import DETECTION_ORDER, LOCKS_OF_PYPROJECT, kind_of, present, require_manifest
from .pipfile import read_pipfile
from .plan import InstallPlan, with_notes
from .poetry import read_poetry
from .pyproject import read_pyproject
from .requirements import read_requirements
from .uvlock import read_uv
from .workspace import workspace_lock

__all__ = ["READERS", "resolve_manifest"]

Reader = Callable[[Ctx, tuple[str, ...]], tuple[InstallPlan, Summary]]


def _guarded(reader: Reader, fix: str) -> Reader:
    """Lock files are machine-written; one with an unexpected shape is an error that names
    the file, not a traceback."""
    def read(ctx: Ctx, selected: tuple[str, ...]) -> tuple[InstallPlan, Summary]:
        try:
            return reader(ctx, selected)
        except (KeyError, TypeError, AttributeError, ValueError, StopIteration) as e:
            raise ctx.error(f"{ctx.path}: unexpected content ({type(e).__name__}: {e}); "
                            f"{fix}") from e
    return read


READERS: dict[str, Reader] = {
    "requirements.txt": read_requirements,
    "uv.lock": _guarded(read_uv, "re-create it with `uv lock`"),
    "poetry.lock": _guarded(read_poetry, "re-create it with `poetry lock`"),
    "Pipfile.lock": _guarded(read_pipfile, "re-create it with `pipenv lock`"),
    "pyproject.toml": _guarded(read_pyproject, "fix [project] in pyproject.toml"),
}
"""The reader of each manifest kind."""


def resolve_manifest(entry: str, *, manifest: str | None = None, groups: Sequence[str] = (),
                     python_version: str = "3.11") -> InstallPlan:
    """The install plan for the function in ``entry``.

    ``manifest`` names the manifest (relative to ``entry``); else it is detected in
    ``DETECTION_ORDER``. ``groups`` are dependency groups or extras to include;
    ``python_version`` (``"3.11"``) is the runtime's, checked against the lock's or the
    project's ``requires-python``. Raises ConfigurationError, naming the file, the option
    and the fix.
    """
    selected = tuple(dict.fromkeys(g.strip() for g in groups if g.strip()))

    def read(kind: str, rel: str, chosen: tuple[str, ...]) -> tuple[InstallPlan, Summary]:
        return READERS[kind](Ctx(entry=entry, rel=rel, python_version=python_version), chosen)

    if manifest is not None:
        return _explicit(entry, manifest, lambda kind: read(kind, manifest, selected)[0])
    found = present(entry)
    if not found or found == ["pyproject.toml"]:  # a uv workspace member's lock is above it
        lock = workspace_lock(entry)
        if lock is not None:
            plan, _summary = read("uv.lock", lock, selected)
            return with_notes(plan, f"the entry is a member of the uv workspace locked in "
                                    f"{lock}")
    if not found:
        require_manifest(entry, selected)
        return InstallPlan(kind="none", manifest=None, requirements="", notes=(
            "no dependency manifest in the entry (looked for "
            f"{', '.join(DETECTION_ORDER)}): only the function's own files are bundled",))
    first = found[0]
    plan, summary = read(first, first, selected)
    if len(found) > 1 and selected:
        _, summary = read(first, first, ())
    notes, problems = _compare(entry, first, summary,
                               [(other, read(other, other, ())[1]) for other in found[1:]])
    if problems:
        raise ConfigurationError(entry, problems)
    return with_notes(plan, *notes)


def _explicit(entry: str, manifest: str, read: Callable[[str], InstallPlan]) -> InstallPlan:
    """The plan of the manifest named by ``bundling.manifest``; the others are ignored."""
    path = os.path.join(entry, manifest)
    if not os.path.isfile(path):
        raise ConfigurationError(entry, [
            f"{MANIFEST_OPTION}: {path} does not exist; name a file relative to the entry "
            f"({entry}), or leave it unset to detect one of {', '.join(DETECTION_ORDER)}"])
    kind = kind_of(entry, manifest)
    plan = read(kind)
    ignored = [k for k in DETECTION_ORDER if os.path.isfile(os.path.join(entry, k))
               and os.path.normpath(k) != os.path.normpath(manifest)
               and not (k == "pyproject.toml" and kind in LOCKS_OF_PYPROJECT)]
    if ignored:
        plan = with_notes(plan, f"{MANIFEST_OPTION} names {manifest}; ignored: "
                                f"{', '.join(ignored)}")
    return plan


def _compare(entry: str, first: str, summary: Summary,
             others: list[tuple[str, Summary]]) -> tuple[list[str], list[str]]:
    """Notes on the manifests that agree with ``first`` (or cannot be compared), and
    problems with those that disagree."""
    notes: list[str] = []
    problems: list[str] = []
    for other, other_summary in others:
        why = summary.incomplete or other_summary.incomplete
        if why:
            notes.append(f"{other} is also present but was not compared with {first} ({why}); "
                         f"using {first}, the first in the detection order")
            continue
        reasons = disagreements(first, summary, other, other_summary)
        if reasons:
            shown = "; ".join(reasons[:6]) + ("; …" if len(reasons) > 6 else "")
            problems.append(
                f"{MANIFEST_OPTION}: {os.path.join(entry, first)} and "
                f"{os.path.join(entry, other)} disagree ({shown}). Keep one of them (delete "
                f'the other), or choose one with bundling.manifest="{other}" (CLI '
                f"--manifest {other})")
        else:
            notes.append(f"{other} agrees with {first}; using {first}, the first in the "
                         "detection order")
    return notes, problems
