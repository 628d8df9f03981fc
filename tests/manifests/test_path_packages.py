"""Path and workspace packages in lock files: uv's ``editable``/``directory`` sources,
Poetry's ``directory`` sources (``develop`` or not) and Pipfile.lock's ``path`` entries
become ``InstallPlan.paths`` (entry-relative, built and installed as packages after the
locked closure), never requirement lines (they have no hashes to require)."""

from __future__ import annotations

import json
from pathlib import Path

from slim_lambda.manifests import resolve_manifest
from tests.fixtures.projects import LockWheelhouse, pipfile_project, poetry_project, uv_project


def _lib(root: Path) -> Path:
    lib = root / "libs" / "common"
    lib.mkdir(parents=True)
    (lib / "pyproject.toml").write_text('[project]\nname = "common"\nversion = "0.1.0"\n')
    return lib


def test_uv_lock_path_source(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    _lib(tmp_path)
    lock = entry / "uv.lock"
    text = lock.read_text().replace(
        'dependencies = [\n    { name = "slimfix-top", marker',
        'dependencies = [\n    { name = "common" },\n    { name = "slimfix-top", marker', 1)
    lock.write_text(text + '\n[[package]]\nname = "common"\nversion = "0.1.0"\n'
                    'source = { editable = "../libs/common" }\n')
    plan = resolve_manifest(str(entry), manifest="uv.lock")
    assert plan.paths == ("../libs/common",)
    assert "common" not in plan.requirements and "slimfix-top==1.0.0" in plan.requirements


def test_poetry_lock_directory_source(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = poetry_project(tmp_path / "fn", house, lock_version="2.0")
    _lib(tmp_path)
    pyproject = entry / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'python = "^3.10"\n', 'python = "^3.10"\ncommon = { path = "../libs/common", '
        'develop = true }\n'))
    lock = entry / "poetry.lock"
    text = lock.read_text()
    block = ('[[package]]\nname = "common"\nversion = "0.1.0"\ndescription = ""\n'
             'optional = false\npython-versions = "*"\nfiles = []\ndevelop = true\n\n'
             '[package.source]\ntype = "directory"\nurl = "../libs/common"\n\n')
    lock.write_text(text.replace("[[package]]", block + "[[package]]", 1))
    plan = resolve_manifest(str(entry), manifest="poetry.lock")
    assert plan.paths == ("../libs/common",)
    assert "common" not in plan.requirements


def test_pipfile_lock_path_entry(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = pipfile_project(tmp_path / "fn", house)
    _lib(tmp_path)
    lock = entry / "Pipfile.lock"
    data = json.loads(lock.read_text())
    data["default"]["common"] = {"editable": True, "path": "../libs/common"}
    lock.write_text(json.dumps(data))
    plan = resolve_manifest(str(entry), manifest="Pipfile.lock")
    assert plan.paths == ("../libs/common",)
    assert "common" not in plan.requirements
