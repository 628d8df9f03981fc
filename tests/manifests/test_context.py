"""Reading manifest files: invalid TOML names the file and the position."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import resolve_manifest
from slim_lambda.manifests.context import Ctx, load_toml, read_text
from tests.fixtures.projects import (
    LockWheelhouse,
    uv_project,
)


def test_malformed_toml_names_the_file_and_position(house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    lock = entry / "uv.lock"
    lock.write_text(lock.read_text().replace('version = 1\n', 'version = = 1\n', 1))
    with pytest.raises(ConfigurationError) as e:
        resolve_manifest(str(entry))
    (problem,) = e.value.problems
    assert problem.startswith(f"{lock}: not valid TOML: ")
    assert "line 1, column" in problem and "re-create it with `uv lock`" in problem


def test_malformed_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'fn'\n")
    with pytest.raises(ConfigurationError, match=re.escape(f"{tmp_path / 'pyproject.toml'}: "
                                                           "not valid TOML")):
        resolve_manifest(str(tmp_path))


def test_a_file_that_cannot_be_read_names_the_fix(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_bytes(b"version = 1\n\xff\xfe\n")
    with pytest.raises(ConfigurationError) as e:
        load_toml(str(tmp_path), "uv.lock", "re-create it")
    (problem,) = e.value.problems
    assert problem.startswith(f"{tmp_path / 'uv.lock'}: cannot be read (")
    assert problem.endswith("); re-create it")
    with pytest.raises(ConfigurationError, match=r"missing\.txt: cannot be read"):
        read_text(str(tmp_path), "missing.txt", "fix it")


def test_ctx_paths() -> None:
    ctx = Ctx(entry="fn", rel="app/poetry.lock", python_version="3.12")
    assert (ctx.path, ctx.dir_rel, ctx.beside("pyproject.toml")) == (
        "fn/app/poetry.lock", "app", "app/pyproject.toml")
    assert Ctx(entry="fn", rel="uv.lock", python_version="3.12").beside("x") == "./x"
    assert ctx.error("a", "b").problems == ["a", "b"]
