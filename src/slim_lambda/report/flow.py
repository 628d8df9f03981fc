"""The way from the installed tree to the bundle, as steps both renderings show.

Installed bytes, minus what each slim rule removed, plus the bytecode kept, equals the
bundle; whatever the report does not account for is one last "other changes" step, so
the steps always add up. Pure.
"""

from __future__ import annotations

from typing import NamedTuple

from .model import Report

__all__ = ["FlowStep", "flow_steps"]


class FlowStep(NamedTuple):
    sign: str
    """``-`` (a rule removed bytes), ``+`` (bytecode) or ``~`` (other changes)."""
    name: str
    """``tests``, ``bytecode (imported, 2 left out for the size limit)``, ``other changes``."""
    files: int | None
    """Files removed or bytecode modules added; None for other changes."""
    delta: int
    """Bytes added (positive) or removed (negative)."""


def flow_steps(report: Report) -> list[FlowStep]:
    """The steps between ``installed_bytes`` and ``unzipped_bytes``; [] when the report does
    not know what was installed (a bundle analysed after the fact)."""
    installed = report["installed_bytes"]
    if not installed:
        return []
    steps = [FlowStep("-", r["rule"], r["files"], -r["bytes"]) for r in report["removed_by_rule"]]
    bytecode = report["bytecode"]
    if bytecode["bytes"]:
        how = bytecode["choice"]
        if bytecode["dropped_for_budget"]:
            how += f", {bytecode['dropped_for_budget']:,} left out for the size limit"
        steps.append(FlowStep("+", f"bytecode ({how})", bytecode["modules"], bytecode["bytes"]))
    rest = report["unzipped_bytes"] - installed - sum(s.delta for s in steps)
    if rest:
        steps.append(FlowStep("~", "other changes", None, rest))
    return steps
