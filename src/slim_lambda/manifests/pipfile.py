"""``Pipfile.lock``: its ``default`` section (and chosen categories), read without pipenv.

pipenv writes a flat lock: every package of a category with its version, hashes and
markers, no graph to walk. Categories are the groups (``develop`` also answers to ``dev``);
the ``Pipfile`` beside it, when there is one, names the top-level packages for comparing.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .compare import Summary
from .context import MANIFEST_OPTION, Ctx, load_toml, read_text
from .gitrefs import locked_requirement
from .groups import select
from .lockfile import (
    Pin,
    lock_relative,
    lock_summary,
    pins_plan,
    strong_hashes,
    unlocked_git,
    with_git,
    with_paths,
)
from .plan import InstallPlan
from .versions import normalize, same_version

__all__ = ["read_pipfile"]

_FIX = "re-create it with `pipenv lock`"
_ALIASES = {"dev": "develop", "dev-packages": "develop"}


def _load(ctx: Ctx) -> dict[str, Any]:
    text = read_text(ctx.entry, ctx.rel, _FIX)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ctx.error(f"{ctx.path}: not valid JSON: {e.msg} (at line {e.lineno}, column "
                        f"{e.colno}); {_FIX}") from e
    if not isinstance(data, dict) or not isinstance(data.get("default", {}), dict):
        raise ctx.error(f"{ctx.path}: not a Pipfile.lock (no \"default\" section); {_FIX}")
    return data


def _pin(ctx: Ctx, section: str, name: str, entry: dict[str, Any]) -> Pin | str:
    """The pin of one entry, or why it cannot be installed from the lock."""
    unsupported = [k for k in ("git", "path", "file", "editable") if entry.get(k)]
    version = str(entry.get("version", "")).lstrip("=")
    if unsupported or not version:
        what = (f"has {unsupported[0]} = {entry[unsupported[0]]!r}" if unsupported
                else "has no pinned version")
        return (f"{ctx.path}: {name} ({section}) {what}, which slim-lambda does not install "
                "from Pipfile.lock yet: export a requirements file (`pipenv requirements > "
                f"requirements.txt`) and name it with {MANIFEST_OPTION}")
    return Pin(name=normalize(name), version=version, marker=entry.get("markers") or None,
               hashes=strong_hashes(entry.get("hashes", [])))


def read_pipfile(ctx: Ctx, selected: tuple[str, ...]) -> tuple[InstallPlan, Summary]:
    """The plan of a ``Pipfile.lock``: the chosen sections' pins with their hashes."""
    data = _load(ctx)
    sections = [k for k in data if k not in ("_meta", "default") and isinstance(data[k], dict)]
    chosen = select(ctx, selected, extras=(), groups=sections, normalized=False,
                    aliases=_ALIASES)
    notes = list(chosen.notes)
    locked_python = data.get("_meta", {}).get("requires", {}).get("python_version")
    if locked_python and str(locked_python) != ctx.python_version:
        notes.append(f"{ctx.rel} was locked for Python {locked_python}; the runtime is "
                     f"python{ctx.python_version}")
    pins: dict[str, Pin] = {}
    problems = []
    paths: list[str] = []
    gits: list[str] = []
    for section in ["default", *sorted(chosen.groups)]:
        for name, entry in sorted(data.get(section, {}).items()):
            where = entry.get("path") if isinstance(entry.get("path"), str) else None
            if where is not None and os.path.isdir(os.path.join(os.path.dirname(ctx.path),
                                                                where)):
                paths.append(lock_relative(ctx, where))  # editable or not: built, installed
                continue
            if entry.get("git"):  # pipenv locks the commit in "ref"
                git = locked_requirement(normalize(name), str(entry["git"]), entry.get("ref"),
                                         entry.get("subdirectory"))
                if git is None:
                    problems.append(unlocked_git(ctx, f"{name} ({section})", entry["git"], _FIX))
                else:
                    gits.append(git)
                continue
            made = _pin(ctx, section, name, entry)
            if isinstance(made, str):
                problems.append(made)
            elif made.name in pins and not same_version(pins[made.name].version, made.version):
                problems.append(f"{ctx.path}: {name} is {pins[made.name].version} in one "
                                f"section and {made.version} in {section}; {_FIX}")
            else:
                pins.setdefault(made.name, made)
    if problems:
        raise ctx.error(*problems)
    top = None
    if os.path.isfile(os.path.join(ctx.entry, ctx.beside("Pipfile"))):
        declared = load_toml(ctx.entry, ctx.beside("Pipfile"), "fix the file")
        top = {n: pins[n].version if n in pins else None
               for n in map(normalize, declared.get("packages", {}))}
    default_pins = [pins[n] for n in map(normalize, data.get("default", {})) if n in pins]
    plan = pins_plan(ctx, "Pipfile.lock", pins.values(), selected=selected, project=None,
                     notes=notes)
    return (with_git(ctx, with_paths(ctx, plan, paths), gits),
            lock_summary(top, default_pins))
