"""pyproject.toml without a lock: its dependencies, extras and dependency groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import InstallPlan, resolve_manifest
from tests.fixtures.projects import (
    MARKER_LINUX,
    LockWheelhouse,
    pyproject_project,
)
from tests.manifests.helpers import (
    GROUPS_NOTE,
    installed,
    pip_install,
)


def test_pyproject_without_lock(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = pyproject_project(tmp_path / "fn")

    plan = resolve_manifest(str(entry))

    assert plan == InstallPlan(
        kind="pyproject.toml", manifest="pyproject.toml",
        requirements=f"slimfix-top; {MARKER_LINUX}\n", require_hashes=False, no_deps=False,
        notes=(f"pyproject.toml: excluded groups dev, test; extra cext {GROUPS_NOTE}",))
    proc = pip_install(plan, tmp_path / "t", find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    # no lock: pip resolves, and takes the newest slimfix-pure
    assert installed(tmp_path / "t") == {"slimfix-top": "1.0.0", "slimfix-pure": "2.0.0"}


def test_pyproject_dependency_groups_include_groups_and_own_extras(tmp_path: Path) -> None:
    entry = pyproject_project(tmp_path / "fn")
    plan = resolve_manifest(str(entry), groups=["dev"])
    # dev = [{include-group = "test"}, "fn[cext]"]
    assert plan.requirements == f"slimfix-cext\nslimfix-devtool\nslimfix-top; {MARKER_LINUX}\n"
    assert plan.groups == ("dev",)


def test_dependency_group_including_itself_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "fn"\nversion = "1"\ndependencies = []\n\n'
        '[dependency-groups]\na = [{include-group = "B"}]\nb = ["x", {include-group = "a"}]\n')
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(tmp_path), groups=["a"])
    assert e.value.problems == [
        f"{tmp_path / 'pyproject.toml'}: [dependency-groups] a includes itself (a -> B -> a); "
        "fix the include-group entries"]


def test_pyproject_requirements_are_sorted_by_name_and_deduplicated(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "fn"\nversion = "1"\n'
        'dependencies = ["Zed>=1", "alpha", "alpha", "fn[more]"]\n'
        '[project.optional-dependencies]\nmore = ["Beta ; os_name == \'posix\'", "fn[more]"]\n')
    assert resolve_manifest(str(tmp_path)).requirements == (
        "alpha\nBeta ; os_name == 'posix'\nZed>=1\n")
