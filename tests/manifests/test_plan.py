"""The install plan as data."""

from __future__ import annotations

import dataclasses

import pytest

from slim_lambda.manifests import InstallPlan
from slim_lambda.manifests.plan import with_notes


def test_with_notes_appends_and_keeps_the_plan_frozen() -> None:
    plan = InstallPlan(kind="none", manifest=None, requirements="", notes=("a",))
    assert with_notes(plan) is plan
    assert with_notes(plan, "b", "c").notes == ("a", "b", "c")
    assert plan.notes == ("a",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.notes = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        InstallPlan("none", None, "")  # type: ignore[call-arg]  # keyword-only
