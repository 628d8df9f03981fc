"""poetry.lock: several releases of one package, picked by markers or python-versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slim_lambda.manifests import resolve_manifest
from slim_lambda.manifests.poetry import package_marker
from tests.fixtures.projects import (
    MARKER_LINUX,
    LockWheelhouse,
    poetry_project,
)
from tests.manifests.helpers import (
    NEWER,
    installed,
    pip_install,
)


def _poetry_fork(lock: Path, house: LockWheelhouse, *, with_markers: bool) -> None:
    """Add slimfix-pure 2.0.0 for Python >= 3.11 beside 1.0.0 for older ones, as Poetry
    locks such a split: per-release python-versions, and (Poetry 2) per-release markers
    and a dependency with one constraint per Python range."""
    text = lock.read_text()
    start = text.index('[[package]]\nname = "slimfix-pure"\n')
    end = text.index("[[package]]", start + 1)
    old = text[start:end]
    new = old.replace('version = "1.0.0"', 'version = "2.0.0"').replace(
        house.sha256("slimfix-pure", "1.0.0"), house.sha256("slimfix-pure", "2.0.0")).replace(
        "slimfix_pure-1.0.0", "slimfix_pure-2.0.0")
    old = old.replace('python-versions = "*"', 'python-versions = "<3.11"')
    new = new.replace('python-versions = "*"', 'python-versions = ">=3.11"')
    if with_markers:
        linux = 'markers = "sys_platform == \\"linux\\""'
        old = old.replace(linux, linux.replace('= "', '= "python_version < \\"3.11\\" and '))
        new = new.replace(linux, linux.replace('= "', '= "python_version >= \\"3.11\\" and '))
        text = text.replace(
            'slimfix-pure = ">=1.0"\n',
            'slimfix-pure = [\n'
            '    {version = ">=1.0", markers = "python_version < \\"3.11\\""},\n'
            '    {version = ">=2.0", markers = "python_version >= \\"3.11\\""},\n]\n')
    lock.write_text(text.replace(text[start:end], old + new))


def test_poetry2_fork_uses_the_packages_own_markers(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = poetry_project(tmp_path / "fn", house, lock_version="2.1")
    _poetry_fork(entry / "poetry.lock", house, with_markers=True)

    plan = resolve_manifest(str(entry))

    lines = [x.split(" --hash")[0] for x in plan.requirements.splitlines()]
    assert lines == [f"slimfix-pure==1.0.0 ; python_version < '3.11' and {MARKER_LINUX}",
                     f"slimfix-pure==2.0.0 ; python_version >= '3.11' and {MARKER_LINUX}",
                     f"slimfix-top==1.0.0 ; {MARKER_LINUX}"]
    proc = pip_install(plan, tmp_path / "t", find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    assert installed(tmp_path / "t")["slimfix-pure"] == ("2.0.0" if NEWER else "1.0.0")


@pytest.mark.parametrize(("python", "version"), [("3.11", "2.0.0"), ("3.10", "1.0.0")])
def test_poetry1_fork_picks_by_python_versions(
        python: str, version: str, house: LockWheelhouse, tmp_path: Path) -> None:
    entry = poetry_project(tmp_path / "fn", house, lock_version="2.0")
    _poetry_fork(entry / "poetry.lock", house, with_markers=False)

    plan = resolve_manifest(str(entry), python_version=python)

    assert plan.requirements.startswith(f"slimfix-pure=={version} ; {MARKER_LINUX} --hash=")
    assert plan.requirements.count("slimfix-pure==") == 1


# -- a Poetry 2 package's own markers, per group --------------------------------------------------

@pytest.mark.parametrize(("package", "groups", "expected"), [
    ({"markers": 'sys_platform == "linux" and extra == "cext"'}, {"main"},
     'sys_platform == "linux"'),
    ({}, {"main"}, None),
    ({"groups": ["main", "dev"], "markers": {"main": "os_name == 'posix'",
                                            "dev": "python_version < '3.11'"}},
     {"main"}, "(os_name == 'posix')"),  # dev is not installed: main's marker decides
    ({"groups": ["main", "dev"], "markers": {"main": "os_name == 'posix'",
                                            "dev": "python_version < '3.11'"}},
     {"main", "dev"}, "(os_name == 'posix') or (python_version < '3.11')"),
    ({"groups": ["main"], "markers": {"main": "os_name == 'posix'"}}, {"main", "dev"},
     "(os_name == 'posix')"),
    ({"groups": ["main", "dev"], "markers": {"main": "os_name == 'posix'"}}, {"main", "dev"},
     None),  # dev has it unconditionally
])
def test_package_marker_of_the_installed_groups(
        package: dict[str, Any], groups: set[str], expected: str | None) -> None:
    assert package_marker(package, groups) == expected
