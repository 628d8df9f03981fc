from __future__ import annotations

from slim_lambda.report.flow import FlowStep, flow_steps

from .samples import REPORT, SCHEMA_1, report


def test_the_steps_add_up_to_the_bundle() -> None:
    r = report(REPORT)
    steps = flow_steps(r)
    assert steps == [
        FlowStep("-", "tests", 10, -50_000_000), FlowStep("-", "strip", 3, -10_000_000),
        FlowStep("+", "bytecode (imported, 2 left out for the size limit)", 5, 512),
        FlowStep("~", "other changes", None, -512)]
    assert r["installed_bytes"] + sum(s.delta for s in steps) == r["unzipped_bytes"]


def test_no_other_changes_when_everything_is_accounted_for() -> None:
    steps = flow_steps(report(SCHEMA_1))
    assert [s.sign for s in steps] == ["-", "+"]
    assert steps[1].name == "bytecode (imported)"  # schema 1: the mode is the choice


def test_no_flow_without_the_installed_size() -> None:
    assert flow_steps(report({"unzipped_bytes": 5, "removed_by_rule": [
        {"rule": "tests", "files": 1, "bytes": 1}]})) == []
