"""Selecting dependency groups and extras."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import resolve_manifest
from slim_lambda.manifests.context import Ctx
from slim_lambda.manifests.groups import select
from tests.fixtures.projects import (
    LockWheelhouse,
    pipfile_project,
)
from tests.manifests.helpers import (
    LOCKS,
)


@pytest.mark.parametrize("kind", LOCKS)
def test_unknown_group_lists_the_available_ones(
        kind: str, house: LockWheelhouse, tmp_path: Path) -> None:
    manifest, write, _ = LOCKS[kind]
    entry = write(tmp_path / "fn", house)
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry), groups=["docs"])
    (problem,) = e.value.problems
    have = "groups cext, develop" if manifest == "Pipfile.lock" else "groups dev; extras cext"
    assert problem == (f"bundling.groups (CLI --group): {entry / manifest} has no group or "
                       f"extra named 'docs'; it has {have}")


def test_pipfile_dev_is_develop(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = pipfile_project(tmp_path / "fn", house)
    plan = resolve_manifest(str(entry), groups=["dev"])
    assert "slimfix-devtool==1.0.0" in plan.requirements
    assert "slimfix-cext" not in plan.requirements


# -- select, without files ------------------------------------------------------------------------

CTX = Ctx(entry="fn", rel="uv.lock", python_version="3.12")


def test_select_matches_normalized_names_and_notes_what_stays_out() -> None:
    chosen = select(CTX, ("Fast_Math", "DEV"), extras=["fast-math", "docs"],
                    groups=["dev", "lint"])
    assert (chosen.extras, chosen.groups) == (frozenset({"fast-math"}), frozenset({"dev"}))
    assert chosen.notes == (
        "uv.lock: excluded group lint; extra docs (include with bundling.groups (CLI --group))",)
    assert select(CTX, (), extras=[], groups=[]).notes == ()


def test_select_a_name_that_is_both_an_extra_and_a_group() -> None:
    chosen = select(CTX, ("cext",), extras=["cext"], groups=["cext", "dev"])
    assert (chosen.extras, chosen.groups) == (frozenset({"cext"}), frozenset({"cext"}))


def test_select_aliases_and_exact_names() -> None:
    chosen = select(CTX, ("dev",), extras=(), groups=["develop", "Docs"], normalized=False,
                    aliases={"dev": "develop"})
    assert chosen.groups == {"develop"}
    with pytest.raises(ConfigurationError) as e:
        select(CTX, ("docs",), extras=(), groups=["develop", "Docs"], normalized=False)
    assert e.value.problems == [
        "bundling.groups (CLI --group): fn/uv.lock has no group or extra named 'docs'; it has "
        "groups Docs, develop"]


def test_select_from_a_manifest_without_groups() -> None:
    with pytest.raises(ConfigurationError) as e:
        select(CTX, ("a", "b"), extras=(), groups=())
    assert e.value.problems == [
        "bundling.groups (CLI --group): fn/uv.lock has no group or extra named 'a', 'b'; it "
        "has none (only its main dependencies)"]
