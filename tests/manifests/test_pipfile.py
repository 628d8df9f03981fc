"""Pipfile.lock that is not valid JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import resolve_manifest
from tests.fixtures.projects import (
    LockWheelhouse,
    pipfile_project,
)


def test_malformed_json_names_the_file_and_position(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = pipfile_project(tmp_path / "fn", house)
    lock = entry / "Pipfile.lock"
    lock.write_text(lock.read_text()[:-10])
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry))
    assert re.search(rf"{re.escape(str(lock))}: not valid JSON: .* \(at line \d+, column \d+\); "
                     r"re-create it with `pipenv lock`", str(e.value))


def _pipfile_lock(entry: Path, data: object) -> Path:
    entry.mkdir(parents=True, exist_ok=True)
    (entry / "Pipfile.lock").write_text(json.dumps(data))
    return entry


def test_one_package_at_two_versions_is_an_error(tmp_path: Path) -> None:
    entry = _pipfile_lock(tmp_path, {"default": {"six": {"version": "==1.16.0"}},
                                     "develop": {"six": {"version": "==1.15.0"}}})
    assert resolve_manifest(str(entry)).requirements == "six==1.16.0\n"
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry), groups=["dev"])
    assert e.value.problems == [f"{entry / 'Pipfile.lock'}: six is 1.16.0 in one section and "
                                "1.15.0 in develop; re-create it with `pipenv lock`"]


def test_not_a_pipfile_lock(tmp_path: Path) -> None:
    entry = _pipfile_lock(tmp_path, ["not", "a", "lock"])
    with pytest.raises(ConfigurationError, match=r'not a Pipfile.lock \(no "default" section\)'):
        resolve_manifest(str(entry))


def test_locked_for_another_python_is_a_note(tmp_path: Path) -> None:
    entry = _pipfile_lock(tmp_path, {"_meta": {"requires": {"python_version": "3.9"}},
                                     "default": {"six": {"version": "==1.16.0",
                                                         "hashes": ["md5:0", "sha256:1"]}}})
    plan = resolve_manifest(str(entry), python_version="3.12")
    assert plan.requirements == "six==1.16.0 --hash=sha256:1\n"
    assert plan.notes == ("Pipfile.lock was locked for Python 3.9; the runtime is python3.12",)
