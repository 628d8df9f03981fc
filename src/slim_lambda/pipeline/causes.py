"""Failures that share one cause, so that repair diagnoses the cause once.

One missing file can break dozens of imports: numpy 2.2's ``numpy.testing`` needs a file
the ``tests`` rule removed, and every scipy and scikit-learn subpackage that imports
``numpy.testing`` fails with the same last line, ``No module named
'numpy._core.tests'``. Diagnosing each costs a fresh interpreter per module and per round
(30 s on the seed workload). So failures whose last line names the same missing module
form one group; its leader, preferably a module of the package that misses the file, is
diagnosed as before, and the others follow it: importing them again once, all together per
package, shows whether the leader's repair fixed them too. Errors that name no module
(crashes, timeouts, ``SyntaxError``) are never grouped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .verify import Failure, modules_named

__all__ = ["Group", "group_by_cause"]


@dataclass
class Group:
    leader: Failure
    followers: list[Failure] = field(default_factory=list)


def _last_line(error: str) -> str:
    return (error.strip().splitlines() or [""])[-1].strip()


def _leader_rank(failure: Failure, missing_tops: set[str]) -> tuple[int, int, str]:
    """Own the missing module's package first, then the shallowest, then by name."""
    top = failure.module.split(".")[0]
    return (0 if top in missing_tops else 1, failure.module.count("."), failure.module)


def group_by_cause(failures: Sequence[Failure]) -> list[Group]:
    """``failures`` grouped by the missing module their last line names, in first-seen
    order; a failure whose last line names none is a group of its own."""
    keyed: dict[str, list[Failure]] = {}
    alone: list[Group] = []
    for failure in failures:
        line = _last_line(failure.error)
        if modules_named(line):
            keyed.setdefault(line, []).append(failure)
        else:
            alone.append(Group(failure))
    groups = []
    for line, members in keyed.items():
        tops = {name.split(".")[0] for name in modules_named(line)}
        ranked = sorted(members, key=lambda f: _leader_rank(f, tops))
        groups.append(Group(ranked[0], ranked[1:]))
    return groups + alone
