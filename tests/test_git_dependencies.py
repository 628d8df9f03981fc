"""git requirements, served by a real ``git daemon`` on loopback: a branch is resolved to
its commit at synth, the build installs that commit, and the cache is keyed on it (a new
commit on the branch is a new build, no new commit a cache hit); ``require_commit``
refuses moving refs; an unreachable remote is a clear error at synth."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from slim_lambda import BundlingOptions, ConfigurationError
from tests.fixtures.gitrepo import GIT, free_port, git_daemon, git_entry, git_project
from tests.fixtures.gitrepo import commit as _commit
from tests.test_docker_build import handler_answer, synth
from tests.test_errors import ours

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``git://127.0.0.1:PORT/gitlib.git``, a setuptools project, and its work tree."""
    repo = tmp_path / "served" / "gitlib.git"
    git_project(repo)
    with git_daemon(tmp_path / "served") as base:
        yield f"{base}/gitlib.git", repo


def test_a_branch_is_pinned_to_its_commit_at_synth(remote: tuple[str, Path], build_image: str,
                                                   tmp_path: Path, clean_env: None) -> None:
    url, repo = remote
    fn = git_entry(tmp_path, f"gitlib @ git+{url}@main")
    bundling = BundlingOptions(mode="docker", image=build_image)
    _t, first, report = synth(fn, tmp_path / "out1", bundling=bundling)
    assert handler_answer(build_image, first) == "hello"
    assert report["cache"]["hit"] is False

    _t, same, report = synth(fn, tmp_path / "out2", bundling=bundling)
    assert same.name == first.name and report["cache"]["hit"] is True  # the branch stayed

    _commit(repo, "moved")  # the branch moves: a new build with the new commit
    _t, moved, report = synth(fn, tmp_path / "out3", bundling=bundling)
    assert moved.name != first.name and report["cache"]["hit"] is False
    assert handler_answer(build_image, moved) == "moved"


def test_require_commit_refuses_a_branch_and_takes_a_commit(
        remote: tuple[str, Path], build_image: str, tmp_path: Path, clean_env: None) -> None:
    url, repo = remote
    fn = git_entry(tmp_path, f"gitlib @ git+{url}@main")
    with pytest.raises(Exception) as raised:
        synth(fn, tmp_path / "out1", bundling=BundlingOptions(
            mode="docker", image=build_image, require_commit=True))
    err = ours(raised.value)
    assert isinstance(err, ConfigurationError)
    assert (f"bundling.require_commit: git+{url}@main names main, which can move; pin a full "
            "commit (…@<40-hex commit>)") in str(err)
    commit = subprocess.run([*GIT, "rev-parse", "HEAD"], cwd=repo, check=True,
                            capture_output=True, text=True).stdout.strip()
    (fn / "requirements.txt").write_text(f"gitlib @ git+{url}@{commit}\n")
    _t, asset, _r = synth(fn, tmp_path / "out2", bundling=BundlingOptions(
        mode="docker", image=build_image, require_commit=True))
    assert handler_answer(build_image, asset) == "hello"


def test_an_unreachable_remote_is_an_error_at_synth(tmp_path: Path, clean_env: None) -> None:
    url = f"git://127.0.0.1:{free_port()}/nothing.git"
    fn = git_entry(tmp_path, f"gitlib @ git+{url}@main")
    with pytest.raises(Exception) as raised:
        synth(fn, tmp_path / "out", bundling=BundlingOptions(mode="docker"))
    err = ours(raised.value)
    assert isinstance(err, ConfigurationError)
    assert f"git+{url}@main: cannot ask the git remote which commit main is (" in str(err)
    assert "check the URL and your access to it, or pin a full commit" in str(err)
