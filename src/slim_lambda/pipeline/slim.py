"""Removing what a Lambda function never reads from an installed tree.

Pure functions over a directory: :func:`plan_removals` decides, file by file,
which rule removes it (first matching rule wins, keep-patterns always win);
:func:`apply_removals` deletes through the write-boundary guard and trims
``*.dist-info`` metadata. Nothing outside the root is ever touched.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import pathspec

from ..options import SlimOptions
from . import distinfo
from .errors import BuildError
from .fsguard import Root
from .rules import DEFAULT_RULES, DIST_INFO_RULE, NEEDED, USER_RULE
from .tree import ancestors, iter_files

__all__ = ["Removal", "SlimPlan", "apply_removals", "compile_patterns",
           "plan_removals"]


@dataclass(frozen=True)
class Removal:
    rel: str
    size: int
    rule: str


@dataclass
class SlimPlan:
    removals: list[Removal] = field(default_factory=list)
    metadata_trims: list[tuple[str, int]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    keep_unmatched: list[str] = field(default_factory=list)


def compile_patterns(patterns: Sequence[str], option: str) -> pathspec.GitIgnoreSpec:
    """Compile gitignore-syntax patterns; a bad one is an error naming the option."""
    try:
        return pathspec.GitIgnoreSpec.from_lines(list(patterns))
    except Exception as e:  # pathspec raises several types for bad patterns
        raise BuildError("slim", f"{option}: invalid gitignore pattern: {e}") from e


def _rules(settings: SlimOptions) -> list[tuple[str, pathspec.GitIgnoreSpec]]:
    rules: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    if not settings.replace_defaults:
        for rule in DEFAULT_RULES:
            if rule.name not in settings.disable_rules:
                rules.append((rule.name, compile_patterns(rule.patterns, f"rule {rule.name}")))
    if settings.patterns:
        rules.append((USER_RULE, compile_patterns(settings.patterns, "slim.patterns")))
    return rules


def plan_removals(root: str, settings: SlimOptions, *, trim_dist_info: bool = True
                  ) -> SlimPlan:
    """Decide what to remove under ``root`` without touching anything. ``trim_dist_info``
    is off for the user's own files, which have no installed metadata to trim."""
    rules = _rules(settings)
    needed = compile_patterns([n.pattern for n in NEEDED], "rules.NEEDED")
    keeps = [(p, compile_patterns([p], "slim.keep")) for p in settings.keep]
    keep_hits: set[str] = set()
    trim = trim_dist_info and not settings.replace_defaults \
        and DIST_INFO_RULE not in settings.disable_rules
    plan = SlimPlan()
    for rel, st in iter_files(root):
        rule = None
        if distinfo.is_protected(rel):
            if trim and rel.endswith("/METADATA"):
                with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
                    saved = distinfo.metadata_body_bytes(f.read())
                if saved > 0:
                    plan.metadata_trims.append((rel, saved))
            continue
        spared = needed.match_file(rel)  # by the default rules, not by the user's
        for name, spec in rules:
            if (name == USER_RULE or not spared) and spec.match_file(rel):
                rule = name
                break
        if rule is None and trim and not spared and distinfo.trim_candidates(rel):
            rule = DIST_INFO_RULE
        if rule is None:
            continue
        kept_by = [p for p, spec in keeps if spec.match_file(rel)]
        if kept_by:
            keep_hits.update(kept_by)
            plan.kept.append(rel)
            continue
        plan.removals.append(Removal(rel, st.st_size, rule))
    plan.keep_unmatched = [p for p, _ in keeps if p not in keep_hits]
    return plan


def apply_removals(root: str, plan: SlimPlan, *, hold_in: Root | None = None) -> None:
    """Carry out a plan: delete files, trim METADATA, drop directories left empty.

    With ``hold_in``, removed files move there instead, so that verify can put back
    the ones an import turns out to need (:mod:`.repair`)."""
    guard = Root(root)
    parents: set[str] = set()
    for removal in plan.removals:
        if hold_in is None:
            guard.remove(removal.rel)
        else:
            guard.move_to(removal.rel, hold_in)
        parents.update(ancestors(removal.rel))
    for rel, _saved in plan.metadata_trims:
        path = guard.resolve(rel)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        tmp = path + ".slim-tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(distinfo.trim_metadata(text))
        guard.replace(rel, tmp)
    guard.remove_empty_dirs(parents)
