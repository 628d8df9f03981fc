"""Two manifests in one entry: agreeing ones use the first with a note, others are an error."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import resolve_manifest
from slim_lambda.manifests.compare import Summary, disagreements
from tests.fixtures.projects import (
    LockWheelhouse,
    pipfile_project,
    poetry_project,
    pyproject_project,
    requirements_project,
    uv_project,
    write_pure_wheel,
)


def test_agreeing_manifests_use_the_first_with_a_note(
        house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    requirements_project(entry, house)  # as `uv export` would write it

    plan = resolve_manifest(str(entry))

    assert (plan.kind, plan.manifest) == ("requirements.txt", "requirements.txt")
    assert plan.notes == ("uv.lock agrees with requirements.txt; using requirements.txt, the "
                          "first in the detection order",)


def test_requirements_listing_more_than_the_lock_is_a_conflict(
        house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    requirements_project(entry, house, hashes=False)
    with (entry / "requirements.txt").open("a") as f:
        f.write("slimfix-cext==1.0.0\n")

    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry))

    (problem,) = e.value.problems
    assert f"{entry / 'requirements.txt'} and {entry / 'uv.lock'} disagree" in problem
    assert "requirements.txt lists slimfix-cext, uv.lock does not install it" in problem
    assert 'bundling.manifest="uv.lock" (CLI --manifest uv.lock)' in problem
    assert "delete the other" in problem


def test_different_pins_are_a_conflict(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = pipfile_project(tmp_path / "fn", house)
    (entry / "requirements.txt").write_text("slimfix-top==1.0.0\nslimfix-pure==2.0.0\n")
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry))
    assert "slimfix-pure is ==2.0.0 in requirements.txt but 1.0.0 in Pipfile.lock" in str(e.value)


def test_two_locks_that_disagree(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    poetry_project(entry, house, lock_version="2.1")  # its PEP 621 pyproject.toml fits both
    assert resolve_manifest(str(entry)).notes[-1].startswith("poetry.lock agrees with uv.lock")

    lock = entry / "poetry.lock"
    old = house.sha256("slimfix-pure", "1.0.0")
    write_pure_wheel(tmp_path, "slimfix-pure", "1.0.1")
    new = "sha256:" + hashlib.sha256(
        (tmp_path / "slimfix_pure-1.0.1-py3-none-any.whl").read_bytes()).hexdigest()
    text = lock.read_text().replace(old, new).replace(
        'name = "slimfix-pure"\nversion = "1.0.0"', 'name = "slimfix-pure"\nversion = "1.0.1"')
    lock.write_text(text)

    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry))
    assert "slimfix-pure is 1.0.0 in uv.lock but 1.0.1 in poetry.lock" in str(e.value)


def test_pyproject_dependency_missing_from_requirements_is_a_conflict(tmp_path: Path) -> None:
    pyproject_project(tmp_path)
    (tmp_path / "requirements.txt").write_text("slimfix-pure==1.0.0\n")
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(tmp_path))
    assert "pyproject.toml lists slimfix-top, requirements.txt does not" in str(e.value)

    # a compiled requirements file pins the whole closure: that agrees
    (tmp_path / "requirements.txt").write_text("slimfix-pure==1.0.0\nslimfix-top==1.0.0\n")
    assert resolve_manifest(str(tmp_path)).notes == (
        "pyproject.toml agrees with requirements.txt; using requirements.txt, the first in "
        "the detection order",)


# -- summaries, without files ---------------------------------------------------------------------

def _lock(top: tuple[str, ...], **versions: str) -> Summary:
    """A lock's summary: ``top`` its main dependencies, ``versions`` its closure."""
    return Summary(top={n: versions[n] for n in top},
                   closure={n: frozenset({v}) for n, v in versions.items()})


def test_two_locks_compare_their_closures() -> None:
    uv = _lock(("a",), a="1", b="2")
    assert disagreements("uv.lock", uv, "poetry.lock", _lock(("b",), a="1", b="2")) == []
    assert disagreements("uv.lock", uv, "poetry.lock", _lock(("a",), a="3", c="3")) == [
        "a is 1 in uv.lock but 3 in poetry.lock", "uv.lock locks b, poetry.lock does not",
        "poetry.lock locks c, uv.lock does not"]


def test_a_list_against_a_lock_either_way_round() -> None:
    listed = Summary(top={"a": "1.0", "b": None})
    lock = _lock(("a", "b"), a="1", b="2", c="3")
    assert disagreements("requirements.txt", listed, "uv.lock", lock) == []
    assert disagreements("uv.lock", lock, "requirements.txt", Summary(top={"a": "2"})) == [
        "a is ==2 in requirements.txt but 1 in uv.lock",
        "uv.lock has b, requirements.txt does not list it"]
    assert disagreements("requirements.txt", Summary(top={"z": None}), "uv.lock",
                         Summary(top={}, closure={})) == [
        "requirements.txt lists z, uv.lock does not install it"]


def test_requirements_may_pin_more_than_pyproject() -> None:
    reqs = Summary(top={"a": "1.0", "b": "2"})
    assert disagreements("requirements.txt", reqs, "pyproject.toml", Summary(top={"a": "1"})) == []
    assert disagreements("requirements.txt", reqs, "pyproject.toml",
                         Summary(top={"a": "1.1", "c": None})) == [
        "pyproject.toml lists c, requirements.txt does not",
        "a is ==1.0 in requirements.txt but ==1.1 in pyproject.toml"]
