"""resolve_manifest: a manifest named explicitly, and locks of an unexpected shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import DETECTION_ORDER, resolve_manifest
from slim_lambda.manifests.resolve import READERS
from tests.fixtures.projects import (
    DEFAULT_PINS,
    LockWheelhouse,
    requirements_project,
    uv_project,
)
from tests.manifests.helpers import (
    lock_requirements,
)


def test_explicit_manifest_wins_over_a_conflict(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    (entry / "requirements.txt").write_text("slimfix-cext\n")

    plan = resolve_manifest(str(entry), manifest="uv.lock")

    assert (plan.kind, plan.manifest) == ("uv.lock", "uv.lock")
    assert plan.requirements == lock_requirements(house, DEFAULT_PINS)
    assert plan.notes[-1] == ("bundling.manifest (CLI --manifest) names uv.lock; ignored: "
                              "requirements.txt")


def test_explicit_requirements_file_of_any_name(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = tmp_path / "fn"
    requirements_project(entry / "requirements", house, name="prod.txt")
    plan = resolve_manifest(str(entry), manifest="requirements/prod.txt")
    assert (plan.kind, plan.manifest) == ("requirements.txt", "requirements/prod.txt")
    assert plan.require_hashes


def test_explicit_manifest_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(tmp_path), manifest="uv.lock")
    assert f"bundling.manifest (CLI --manifest): {tmp_path / 'uv.lock'} does not exist" \
        in str(e.value)


def test_lock_with_unexpected_content(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text('version = 1\n[[package]]\nversion = "1"\n')
    with pytest.raises(ConfigurationError, match=r"uv.lock: unexpected content \(KeyError"):
        resolve_manifest(str(tmp_path))


def test_every_kind_has_a_reader() -> None:
    assert set(READERS) == set(DETECTION_ORDER)


def test_a_named_lock_ignores_only_other_manifests(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("a==1\n")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "fn"\nversion = "1"\ndependencies = ["b"]\n')
    plan = resolve_manifest(str(tmp_path), manifest="pyproject.toml")
    assert (plan.kind, plan.requirements) == ("pyproject.toml", "b\n")
    assert plan.notes[-1] == ("bundling.manifest (CLI --manifest) names pyproject.toml; "
                              "ignored: requirements.txt")


def test_groups_are_stripped_and_deduplicated(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "fn"\nversion = "1"\ndependencies = []\n'
        '[dependency-groups]\ndev = ["x"]\n')
    plan = resolve_manifest(str(tmp_path), groups=[" dev", "dev ", ""])
    assert (plan.groups, plan.requirements) == (("dev",), "x\n")
