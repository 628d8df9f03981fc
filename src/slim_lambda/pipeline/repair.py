"""Telling an import a rule broke from one that never worked, and undoing just the breakage.

In the slimmed tree, a module importing an optional dependency nobody installed fails
exactly like one whose files a rule removed. So the deps stage moves removed files to a
holding directory instead of deleting them, and each failing import is tried once more
with the held files of the packages its error involves put back. Still failing: it never
worked, slimming is not to blame. Importing now: a rule broke it, and the held files it
loaded are what it needs (numpy 2.2's ``numpy.testing`` loads a module from
``numpy/_core/tests/``). Those stay in the tree, the rest go back, and the module is
imported once more to prove it; a file it reads without importing it comes back when the
new error names it. Only failing modules cost anything.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from .causes import group_by_cause
from .fsguard import Root
from .imports import probe
from .tree import ancestors, top_name
from .verify import Failure, files_named, modules_named, paths_named, verify_imports
from .workers import pool_size

__all__ = ["NEVER_RESTORED", "Diagnosis", "Kept", "diagnose", "involved"]

NEVER_RESTORED = frozenset({"pycache"})
"""Rules whose files never go back: stale install-time bytecode (the tree has fresh pycs)."""


@dataclass(frozen=True, order=True)
class Kept:
    """A removed file put back because importing ``needed_by`` needs it."""

    path: str
    rule: str
    needed_by: str


@dataclass
class Diagnosis:
    kept: list[Kept] = field(default_factory=list)
    failed_before: list[Failure] = field(default_factory=list)
    """Failed with every involved file back too: never worked (error from that attempt)."""
    regressions: list[Failure] = field(default_factory=list)
    """Broken by a rule and not repaired; ``rule`` and ``evidence`` say by which."""


def involved(module: str, error: str, root: str, candidates: Iterable[str]) -> list[str]:
    """The ``candidates`` (held files) a failing import may need: those of its own
    top-level package and of every package its error names or its traceback passes."""
    tops = {module.split(".")[0]}
    tops.update(name.split(".")[0] for name in modules_named(error))
    tops.update(top_name(rel) for rel in paths_named(error, root))
    return sorted(rel for rel in candidates if top_name(rel) in tops)


class _Trial:
    """Held files put back into the tree, through both guards, until sent back again."""

    def __init__(self, tree: Root, held: Root) -> None:
        self.tree, self.held = tree, held
        self.back: set[str] = set()

    def restore(self, rels: Iterable[str]) -> None:
        for rel in sorted(set(rels) - self.back):
            self.held.move_to(rel, self.tree)
            self.back.add(rel)

    def send_back(self, rels: Iterable[str]) -> None:
        parents: set[str] = set()
        for rel in sorted(set(rels) & self.back):
            self.tree.move_to(rel, self.held)
            self.back.discard(rel)
            parents.update(ancestors(rel))
        self.tree.remove_empty_dirs(parents)


def _crash_after_strip(failure: Failure, stripped: Set[str]) -> Failure | None:
    """An interpreter that died (no Python error to read) in a package with stripped
    files: those cannot be put back to prove otherwise, so strip stays the suspect."""
    if not failure.error.startswith("the interpreter died"):
        return None
    mine = sorted(rel for rel in stripped if top_name(rel) == failure.module.split(".")[0])
    if not mine:
        return None
    return replace(failure, rule="strip", evidence=f"it crashed, and {', '.join(mine[:5])} "
                   f"{'was' if len(mine) == 1 else 'were'} stripped")


def _blame(failure: Failure, rels: Sequence[str], removed: Mapping[str, str]) -> Failure:
    """``failure`` blamed on the rules that removed ``rels``, the files it needs."""
    if not rels:
        return failure
    by_rule: dict[str, list[str]] = {}
    for rel in rels:
        by_rule.setdefault(removed[rel], []).append(rel)
    rules = sorted(by_rule, key=lambda r: -len(by_rule[r]))
    evidence = "; ".join(f"the '{r}' rule removed {', '.join(by_rule[r])}" for r in rules)
    return replace(failure, rule=rules[0], evidence=evidence)


class _Attempt:
    """Importing modules again, each in a fresh interpreter: their errors, their files."""

    def __init__(self, root: str, python: str, extra_paths: tuple[str, ...]) -> None:
        self.root, self.python, self.extra_paths = root, python, extra_paths
        self.loaded: dict[str, list[str]] = {}

    def __call__(self, modules: Iterable[str]) -> dict[str, str]:
        result = verify_imports(self.root, sorted(modules), removed={}, stripped=set(),
                                python=self.python, extra_paths=self.extra_paths)
        self.loaded.update(result.loaded)
        return {f.module: f.error for f in result.failures}


def _narrow(trial: _Trial, needs: dict[str, list[str]], scopes: Mapping[str, list[str]],
            attempt: _Attempt) -> set[str]:
    """Prove each module imports with only its ``needs`` back. One that does not gets the
    held files its error points at (a data file it opened), until it does; failing that,
    every file of its scope. Returns the modules that still fail."""
    tried = {rel for rels in scopes.values() for rel in rels}
    errors, stuck = attempt(needs), []
    while errors:
        grown = []
        for module, error in errors.items():
            more = set(files_named(error, attempt.root, tried)) - set(needs[module])
            if more:
                needs[module] = sorted(more | set(needs[module]))
                trial.restore(more)
                grown.append(module)
            else:
                stuck.append(module)
        errors = attempt(grown) if grown else {}
    for module in stuck:
        needs[module] = sorted(set(needs[module]) | set(scopes[module]))
        trial.restore(needs[module])
    return set(attempt(stuck)) if stuck else set()


def diagnose(root: str, failures: Sequence[Failure], *, held: Root,
             removed: Mapping[str, str], repair: bool, stripped: Set[str] = frozenset(),
             python: str = sys.executable, extra_paths: tuple[str, ...] = ()) -> Diagnosis:
    """Sort verify's ``failures`` into never worked, repaired (``repair``: the files
    put back stay in the tree) and regressions. ``held`` holds the ``removed`` files.

    Failures sharing a cause (:mod:`.causes`) are diagnosed through their leader: a
    follower shares its leader's verdict, except after a repair, when it is imported again
    and, still failing, diagnosed on its own."""
    found = Diagnosis()
    todo: list[Failure] = []
    for failure in failures:  # a stripped file has no original to put back
        crash = _crash_after_strip(failure, stripped)
        if failure.rule == "strip" or crash:
            found.regressions.append(crash or failure)
        else:
            todo.append(failure)
    groups = group_by_cause(todo)
    led = _diagnose_each(root, [g.leader for g in groups], held=held, removed=removed,
                         repair=repair, python=python, extra_paths=extra_paths)
    found.kept, found.failed_before = led.kept, led.failed_before
    found.regressions += led.regressions
    verdicts = {f.module: ("failed_before", f) for f in led.failed_before}
    verdicts.update((f.module, ("regression", f)) for f in led.regressions)
    recheck: list[Failure] = []
    for group in groups:
        kind, leader = verdicts.get(group.leader.module, ("repaired", group.leader))
        for f in group.followers:
            if kind == "failed_before":
                found.failed_before.append(replace(f, rule="", evidence=""))
            elif kind == "regression":
                found.regressions.append(replace(f, rule=leader.rule, evidence=leader.evidence))
            else:
                recheck.append(f)
    if recheck:
        still = _import_again(root, [f.module for f in recheck], python, extra_paths)
        rest = [replace(f, error=still[f.module]) for f in recheck if f.module in still]
        if rest:
            more = diagnose(root, rest, held=held, removed=removed, repair=repair,
                            stripped=stripped, python=python, extra_paths=extra_paths)
            found.kept = sorted(set(found.kept) | set(more.kept))
            found.failed_before += more.failed_before
            found.regressions += more.regressions
    return found


def _import_again(root: str, modules: Sequence[str], python: str,
                  extra_paths: tuple[str, ...]) -> dict[str, str]:
    """``modules`` imported once more, one interpreter per top-level package (not one per
    module: they failed together, they are checked together); module → error."""
    by_top: dict[str, list[str]] = {}
    for module in sorted(modules):
        by_top.setdefault(module.split(".")[0], []).append(module)
    with ThreadPoolExecutor(max_workers=pool_size(len(by_top))) as pool:
        outcomes = pool.map(lambda names: probe(root, names, python=python,
                                                extra_paths=extra_paths), by_top.values())
        return {name: error for outcome in outcomes for name, error in outcome.failed.items()}


def _diagnose_each(root: str, todo: Sequence[Failure], *, held: Root,
                   removed: Mapping[str, str], repair: bool, python: str,
                   extra_paths: tuple[str, ...]) -> Diagnosis:
    """Each failure in ``todo`` tried with the held files its error involves put back."""
    found = Diagnosis()
    candidates = [rel for rel, rule in removed.items() if rule not in NEVER_RESTORED
                  and not os.path.lexists(os.path.join(root, rel))]
    scopes = {f.module: involved(f.module, f.error, root, candidates) for f in todo}
    trial, attempt = _Trial(Root(root), held), _Attempt(root, python, extra_paths)
    trial.restore(rel for rels in scopes.values() for rel in rels)
    tried = set(trial.back)
    errors = attempt(m for m, rels in scopes.items() if rels)
    needs: dict[str, list[str]] = {}
    for f in todo:
        if not scopes[f.module] or f.module in errors:
            found.failed_before.append(replace(f, error=errors.get(f.module, f.error),
                                               rule="", evidence=""))
        else:
            needs[f.module] = sorted(tried & set(attempt.loaded.get(f.module, ())))
    trial.send_back(tried - {rel for rels in needs.values() for rel in rels})
    unfixed = _narrow(trial, needs, scopes, attempt) if needs else set()
    if not repair:
        trial.send_back(set(trial.back))
    for f in todo:
        if f.module in needs and (f.module in unfixed or not repair):
            found.regressions.append(_blame(f, needs.pop(f.module), removed))
    first: dict[str, Kept] = {}
    for module in sorted(needs):
        for rel in needs[module]:
            first.setdefault(rel, Kept(rel, removed[rel], module))
    found.kept = sorted(first.values())
    return found
