"""Projects that are packages (installed after their dependencies) and the Python they
require."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import resolve_manifest
from slim_lambda.manifests.context import Ctx
from slim_lambda.manifests.project import check_python, is_package, project_dir
from tests.fixtures.projects import (
    DEFAULT_PINS,
    MARKER_LINUX,
    LockWheelhouse,
    poetry_project,
    pyproject_project,
    uv_project,
)
from tests.manifests.helpers import (
    install_project,
    installed,
    lock_requirements,
    pip_install,
)


def test_pyproject_package_installs_the_project(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = pyproject_project(tmp_path / "fn", package=True)

    plan = resolve_manifest(str(entry))

    assert plan.project == "."
    assert plan.requirements == f"slimfix-top; {MARKER_LINUX}\n", \
        "the dependencies come first: the project is installed with --no-deps"
    target = tmp_path / "t"
    assert pip_install(plan, target, find_links=house.path).returncode == 0
    install_project(entry / plan.project, target)
    assert installed(target) == {"fn": "0.1.0", "slimfix-top": "1.0.0", "slimfix-pure": "2.0.0"}
    assert (target / "fn" / "handler.py").is_file()


def test_uv_lock_of_a_package_project(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house, package=True)

    plan = resolve_manifest(str(entry))

    assert plan.project == "."
    assert plan.requirements == lock_requirements(house, DEFAULT_PINS), "without the project"
    assert plan.notes[-1] == ("uv.lock: the project fn is installed as a package (after its "
                              "locked dependencies, without resolving)")
    target = tmp_path / "t"
    proc = pip_install(plan, target, find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    install_project(entry / plan.project, target)
    assert installed(target) == {**DEFAULT_PINS, "fn": "0.1.0"}


@pytest.mark.parametrize("lock_version", ["2.1", "2.0", "1.1"])
def test_poetry_lock_of_a_package_project(
        lock_version: str, house: LockWheelhouse, tmp_path: Path) -> None:
    entry = poetry_project(tmp_path / "fn", house, lock_version=lock_version, package=True)
    plan = resolve_manifest(str(entry))
    assert plan.project == "."
    assert plan.requirements == lock_requirements(house, DEFAULT_PINS)


def test_requires_python_excluding_the_runtime(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    lock = entry / "uv.lock"
    lock.write_text(lock.read_text().replace('requires-python = ">=3.10"',
                                             'requires-python = ">=3.12"'))
    assert resolve_manifest(str(entry), python_version="3.12").kind == "uv.lock"
    with pytest.raises(ConfigurationError, match=r"requires-python = '>=3.12' excludes the "
                                                 r"function's runtime python3.11"):
        resolve_manifest(str(entry), python_version="3.11")


# -- is_package and project_dir, on small trees ---------------------------------------------------

POETRY_BACKEND = {"build-system": {"build-backend": "poetry.core.masonry.api"}}


def _ctx(entry: Path, rel: str = "pyproject.toml") -> Ctx:
    return Ctx(entry=str(entry), rel=rel, python_version="3.12")


@pytest.mark.parametrize(("pyproject", "expected"), [
    ({}, False),
    ({"build-system": {"build-backend": "hatchling.build"}}, True),
    ({"build-system": {}, "tool": {"uv": {"package": False}}}, False),
    ({**POETRY_BACKEND, "tool": {"poetry": {"package-mode": False}}}, False),
    ({**POETRY_BACKEND, "tool": {"poetry": {"packages": [{"include": "app"}]}}}, True),
])
def test_is_package(tmp_path: Path, pyproject: dict[str, Any], expected: bool) -> None:
    assert is_package(_ctx(tmp_path), pyproject) == (expected, None)


@pytest.mark.parametrize("layout", ["my_fn", "src/my_fn", "my_fn.py"])
def test_a_poetry_project_is_a_package_when_its_package_is_there(
        tmp_path: Path, layout: str) -> None:
    pyproject = {**POETRY_BACKEND, "project": {"name": "My.Fn"}}
    assert is_package(_ctx(tmp_path), pyproject) == (False, (
        "pyproject.toml: Poetry project 'My.Fn' has no package directory my_fn/, so it is not "
        "installed as a package (set [tool.poetry] package-mode = false to say so)"))
    path = tmp_path / layout
    path.parent.mkdir(parents=True, exist_ok=True)
    if layout.endswith(".py"):
        path.touch()
    else:
        path.mkdir()
    assert is_package(_ctx(tmp_path), pyproject) == (True, None)


def test_project_dir_must_be_inside_the_entry(tmp_path: Path) -> None:
    assert project_dir(_ctx(tmp_path)) == "."
    assert project_dir(_ctx(tmp_path, "app/uv.lock")) == "app"
    with pytest.raises(ConfigurationError, match="belongs to a project outside the entry"):
        project_dir(_ctx(tmp_path, "../uv.lock"))


def test_check_python_names_the_constraint_and_the_fix(tmp_path: Path) -> None:
    check_python(_ctx(tmp_path), "^3.12", "requires-python", "fix it")
    check_python(_ctx(tmp_path), None, "requires-python", "fix it")
    with pytest.raises(ConfigurationError) as e:
        check_python(_ctx(tmp_path), "<3.12", "requires-python", "fix it")
    assert e.value.problems == [
        f"{tmp_path / 'pyproject.toml'}: requires-python = '<3.12' excludes the function's "
        "runtime python3.12: choose a runtime it allows, or fix it"]
