"""git packages in lock files, each lock written by its own tool against a repository on
loopback (uv: ``file://``, as uv refuses ``git://``; Poetry and pipenv: ``git daemon``):
the plan installs the locked commit, never the branch the lock followed, outside the
hashed requirements; a lock without a commit is an error naming the file, the package
and the fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.manifests import resolve_manifest
from slim_lambda.run.uvbin import host_uv
from tests.fixtures.gitrepo import commit, git_daemon, git_project

pytestmark = pytest.mark.slow  # the tools resolve for real (pipenv fetches setuptools)


@dataclass(frozen=True)
class Remote:
    repo: Path
    daemon_url: str
    """``git://127.0.0.1:PORT/gitlib.git``"""
    commit: str
    """What ``main`` named when the lock was written."""


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Remote]:
    served = tmp_path_factory.mktemp("served")
    repo = served / "gitlib.git"
    first = git_project(repo)
    with git_daemon(served) as base:
        yield Remote(repo, f"{base}/gitlib.git", first)


def _tool(name: str) -> str:
    found = shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[dev]'")
    return found


def _run(cmd: list[str], cwd: Path, **env: str) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **env})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def uv_locked(entry: Path, url: str) -> Path:
    entry.mkdir(parents=True, exist_ok=True)
    (entry / "pyproject.toml").write_text(
        '[project]\nname = "fn"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["gitlib"]\n\n[tool.uv.sources]\n'
        f'gitlib = {{ git = "{url}", branch = "main" }}\n')
    _run([host_uv(), "lock", "--offline"], entry, UV_CACHE_DIR=str(entry / ".uv-cache"))
    return entry


def poetry_locked(entry: Path, url: str) -> Path:
    entry.mkdir(parents=True, exist_ok=True)
    (entry / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "fn"\nversion = "0.1.0"\ndescription = ""\nauthors = []\n'
        'package-mode = false\n\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        f'gitlib = {{ git = "{url}", branch = "main" }}\n')
    _run([_tool("poetry"), "lock"], entry, POETRY_VIRTUALENVS_CREATE="false")
    return entry


def pipenv_locked(entry: Path, url: str) -> Path:
    entry.mkdir(parents=True, exist_ok=True)
    (entry / "Pipfile").write_text(
        f'[packages]\ngitlib = {{git = "{url}", ref = "main"}}\n\n'
        '[requires]\npython_version = "3.11"\n')
    _run([_tool("pipenv"), "lock"], entry, PIPENV_VENV_IN_PROJECT="1", PIPENV_YES="1",
         PIPENV_NOSPIN="1", PIPENV_IGNORE_VIRTUALENVS="1")
    return entry


def test_uv_lock_git_source(remote: Remote, tmp_path: Path) -> None:
    url = f"file://{remote.repo}"
    entry = uv_locked(tmp_path / "fn", url)
    assert f'?branch=main#{remote.commit}"' in (entry / "uv.lock").read_text()  # as uv wrote it
    plan = resolve_manifest(str(entry), manifest="uv.lock")
    assert plan.git == (f"gitlib @ git+{url}@{remote.commit}",)
    assert "gitlib" not in plan.requirements
    assert f"uv.lock: gitlib is installed from git at its locked commit {remote.commit[:12]}" \
        in plan.notes


def test_poetry_lock_git_source(remote: Remote, tmp_path: Path) -> None:
    entry = poetry_locked(tmp_path / "fn", remote.daemon_url)
    assert f'resolved_reference = "{remote.commit}"' in (entry / "poetry.lock").read_text()
    plan = resolve_manifest(str(entry), manifest="poetry.lock")
    assert plan.git == (f"gitlib @ git+{remote.daemon_url}@{remote.commit}",)
    assert "gitlib" not in plan.requirements


def test_pipfile_lock_git_entry(remote: Remote, tmp_path: Path) -> None:
    entry = pipenv_locked(tmp_path / "fn", remote.daemon_url)
    locked = json.loads((entry / "Pipfile.lock").read_text())["default"]["gitlib"]
    assert locked["ref"] == remote.commit  # pipenv locks the commit, not "main"
    plan = resolve_manifest(str(entry), manifest="Pipfile.lock")
    assert plan.git == (f"gitlib @ git+{remote.daemon_url}@{remote.commit}",)
    assert "gitlib" not in plan.requirements


def test_a_new_commit_relocked_is_a_new_plan(remote: Remote, tmp_path: Path) -> None:
    url = f"file://{remote.repo}"
    before = resolve_manifest(str(uv_locked(tmp_path / "a", url)), manifest="uv.lock")
    moved = commit(remote.repo, "moved")
    try:
        after = resolve_manifest(str(uv_locked(tmp_path / "b", url)), manifest="uv.lock")
    finally:
        subprocess.run(["git", "reset", "-q", "--hard", remote.commit], cwd=remote.repo,
                       check=True)
    assert after.git == (f"gitlib @ git+{url}@{moved}",) != before.git


def test_a_lock_without_a_commit_names_file_package_and_fix(remote: Remote, tmp_path: Path
                                                            ) -> None:
    entry = poetry_locked(tmp_path / "fn", remote.daemon_url)
    lock = entry / "poetry.lock"
    lock.write_text(lock.read_text().replace(f'resolved_reference = "{remote.commit}"\n', ""))
    with pytest.raises(ConfigurationError) as raised:
        resolve_manifest(str(entry), manifest="poetry.lock")
    assert raised.value.problems == [
        f"{lock}: gitlib comes from git ({remote.daemon_url}) without a locked commit, and a "
        "branch or tag can move: run `poetry lock`"]

    uv_entry = uv_locked(tmp_path / "uv", f"file://{remote.repo}")
    uv_lock = uv_entry / "uv.lock"
    uv_lock.write_text(uv_lock.read_text().replace(f"#{remote.commit}", ""))
    with pytest.raises(ConfigurationError) as raised:
        resolve_manifest(str(uv_entry), manifest="uv.lock")
    assert raised.value.problems == [
        f"{uv_lock}: gitlib comes from git (file://{remote.repo}?branch=main) without a locked "
        "commit, and a branch or tag can move: run `uv lock`"]
