"""``[tool.uv.sources]`` in a pyproject.toml without a lock: path sources become path
packages resolved with the rest; the kinds only a lock records are errors that say to run
``uv lock``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import resolve_manifest


def _project(root: Path, sources: str, deps: str = '"shared>=0.1", "slimfix-pure"') -> Path:
    fn = root / "functions" / "api"
    fn.mkdir(parents=True)
    (fn / "pyproject.toml").write_text(
        f'[project]\nname = "api"\nversion = "0.1.0"\ndependencies = [{deps}]\n\n'
        f"[tool.uv.sources]\n{sources}\n")
    lib = root / "libs" / "shared"
    lib.mkdir(parents=True)
    (lib / "pyproject.toml").write_text('[project]\nname = "shared"\nversion = "0.1.0"\n')
    return fn


@pytest.mark.parametrize("source", ['{ path = "../../libs/shared" }',
                                    '{ path = "../../libs/shared", editable = true }'])
def test_a_path_source_is_a_path_package_not_a_requirement(tmp_path: Path, source: str
                                                            ) -> None:
    fn = _project(tmp_path, f"shared = {source}")
    plan = resolve_manifest(str(fn), manifest="pyproject.toml")
    assert plan.paths == ("../../libs/shared",)
    assert plan.requirements == "slimfix-pure\n"  # pip never looks "shared" up in an index
    assert not plan.no_deps  # resolved together with the rest: its dependencies too
    assert ("pyproject.toml: ../../libs/shared is a path source ([tool.uv.sources]), built "
            "and installed as a package") in plan.notes


def test_a_source_for_a_name_not_depended_on_changes_nothing(tmp_path: Path) -> None:
    fn = _project(tmp_path, 'shared = { path = "../../libs/shared" }', deps='"slimfix-pure"')
    plan = resolve_manifest(str(fn), manifest="pyproject.toml")
    assert plan.paths == () and plan.requirements == "slimfix-pure\n"


def test_sources_a_lock_records_are_errors_naming_file_entry_and_fix(tmp_path: Path) -> None:
    fn = _project(tmp_path, 'shared = { workspace = true }\n'
                  'slimfix-pure = { git = "https://git.example/pure.git", tag = "v1" }',)
    with pytest.raises(ConfigurationError) as raised:
        resolve_manifest(str(fn), manifest="pyproject.toml")
    fix = ("run `uv lock` beside pyproject.toml (or in the workspace's root) and keep uv.lock, "
           "which records it")
    assert raised.value.problems == [
        f"{fn}/pyproject.toml: [tool.uv.sources] shared is a workspace = true source; {fix}",
        f"{fn}/pyproject.toml: [tool.uv.sources] slimfix-pure is a git source; {fix}"]


def test_a_path_that_is_not_a_directory_is_an_error(tmp_path: Path) -> None:
    fn = _project(tmp_path, 'shared = { path = "../../libs/missing" }')
    with pytest.raises(ConfigurationError) as raised:
        resolve_manifest(str(fn), manifest="pyproject.toml")
    assert raised.value.problems == [
        f"{fn}/pyproject.toml: [tool.uv.sources] shared = {{ path = '../../libs/missing' }}: "
        f"{tmp_path}/libs/missing is not a directory; point it at the library's directory "
        "(the one with its pyproject.toml)"]


def test_local_mode_says_a_path_source_needs_docker(tmp_path: Path) -> None:
    """Local mode installs wheels only (uv --only-binary): the library cannot be built."""
    fn = _project(tmp_path, 'shared = { path = "../../libs/shared" }', deps='"shared"')
    (fn / "index.py").write_text("import shared\n\n\ndef handler(event, context):\n    pass\n")
    proc = subprocess.run(
        [sys.executable, "-m", "slim_lambda.cli", "build", str(fn), "--runtime", "python3.11",
         "--out", str(tmp_path / "out"), "--mode", "local"], capture_output=True, text=True,
        timeout=300, env={**os.environ, "SLIM_LAMBDA_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode == 1
    assert ("uv could not install the requirements: shared must be built from its sources (a "
            "path or git package, or a release without a wheel), and local mode never builds: "
            "use bundling.mode='docker' (CLI --mode docker), or lock it with uv") in proc.stderr
    assert not (tmp_path / "out").exists()
