"""Which manifest an entry has: the detection order, pyproject.toml files that are not
manifests, and entries that need one."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import DETECTION_ORDER, resolve_manifest
from slim_lambda.manifests.detect import kind_of, present
from tests.fixtures.projects import (
    LockWheelhouse,
    poetry_project,
)


def test_detection_order() -> None:
    assert DETECTION_ORDER == ("requirements.txt", "uv.lock", "poetry.lock", "Pipfile.lock",
                               "pyproject.toml")


def test_pyproject_without_dependencies_is_not_a_manifest(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.ruff]\nline-length = 100\n')
    (tmp_path / "requirements.txt").write_text("slimfix-pure\n")
    assert resolve_manifest(str(tmp_path)).notes == ()


def test_dynamic_dependencies_defer_to_the_requirements_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "fn"\nversion = "1"\ndynamic = ["dependencies"]\n\n'
        '[tool.setuptools.dynamic]\ndependencies = { file = ["requirements.txt"] }\n')
    (tmp_path / "requirements.txt").write_text("slimfix-pure\n")
    assert resolve_manifest(str(tmp_path)).notes == ()

    (tmp_path / "requirements.txt").unlink()
    with pytest.raises(ConfigurationError, match=r"\[project\].dependencies is dynamic"):
        resolve_manifest(str(tmp_path))


def test_poetry_pyproject_without_its_lock(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = poetry_project(tmp_path / "fn", house, lock_version="2.0")
    (entry / "poetry.lock").unlink()
    with pytest.raises(ConfigurationError, match=r"only in \[tool.poetry.dependencies\], which "
                                                 r"need poetry.lock: run `poetry lock`"):
        resolve_manifest(str(entry))


def test_no_manifest(tmp_path: Path) -> None:
    plan = resolve_manifest(str(tmp_path))
    assert (plan.kind, plan.manifest, plan.requirements) == ("none", None, "")


def test_pipfile_without_lock_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "Pipfile").write_text('[packages]\nsix = "*"\n')
    with pytest.raises(ConfigurationError, match="run `pipenv lock`"):
        resolve_manifest(str(tmp_path))


# -- present and kind_of, on small trees ----------------------------------------------------------

def _tree(root: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return str(root)


PYPROJECT_WITH_DEPS = '[project]\nname = "fn"\nversion = "1"\ndependencies = ["a"]\n'


@pytest.mark.parametrize(("files", "expected"), [
    ({}, []),
    ({"Pipfile.lock": "{}", "requirements.txt": "", "uv.lock": ""},
     ["requirements.txt", "uv.lock", "Pipfile.lock"]),
    ({"uv.lock": "", "pyproject.toml": PYPROJECT_WITH_DEPS}, ["uv.lock"]),
    ({"poetry.lock": "", "pyproject.toml": PYPROJECT_WITH_DEPS}, ["poetry.lock"]),
    ({"requirements.txt": "", "pyproject.toml": PYPROJECT_WITH_DEPS},
     ["requirements.txt", "pyproject.toml"]),
    ({"pyproject.toml": '[project]\nname = "fn"\nversion = "1"\n'}, []),
    ({"pyproject.toml": '[project]\nname = "fn"\nversion = "1"\n[build-system]\n'},
     ["pyproject.toml"]),
    ({"pyproject.toml": '[dependency-groups]\ndev = ["pytest"]\n'}, ["pyproject.toml"]),
    ({"pyproject.toml": '[tool.ruff]\nline-length = 100\n'}, []),
])
def test_present_in_detection_order(tmp_path: Path, files: dict[str, str],
                                    expected: list[str]) -> None:
    assert present(_tree(tmp_path, files)) == expected


@pytest.mark.parametrize(("manifest", "kind"), [
    ("uv.lock", "uv.lock"), ("sub/poetry.lock", "poetry.lock"), ("Pipfile.lock", "Pipfile.lock"),
    ("pyproject.toml", "pyproject.toml"), ("requirements/prod.txt", "requirements.txt"),
    ("requirements.lock", "requirements.txt"), ("requirements.txt", "requirements.txt"),
])
def test_kind_of_a_named_manifest(manifest: str, kind: str) -> None:
    assert kind_of("fn", manifest) == kind


def test_a_named_pipfile_is_an_error() -> None:
    with pytest.raises(ConfigurationError, match=r"fn/Pipfile is a Pipfile; name its lock "
                                                 r"instead \(Pipfile.lock"):
        kind_of("fn", "Pipfile")


def test_groups_without_a_manifest_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(tmp_path), groups=["dev"])
    assert e.value.problems == [
        f"bundling.groups (CLI --group): dev selected, but {tmp_path} has no dependency "
        "manifest (requirements.txt, uv.lock, poetry.lock, Pipfile.lock, pyproject.toml); "
        "remove the groups or add a manifest"]
