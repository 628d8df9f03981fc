"""plan/repository.py: what the build reads outside the entry must stay in the repository
unless allowed (no Docker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda import BundlingOptions, ConfigurationError
from slim_lambda.plan.repository import outside_repository, repository_root
from tests.requests import MakeRequest


def test_the_repository_is_the_nearest_git_above(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    fn = tmp_path / "repo" / "functions" / "api"
    fn.mkdir(parents=True)
    assert repository_root(str(fn)) == str(tmp_path / "repo")
    assert outside_repository(str(fn), [("x", str(tmp_path / "repo" / "libs"))]) == []
    assert outside_repository(str(fn), [("x", str(tmp_path / "elsewhere"))]) == [
        f"x: {tmp_path / 'elsewhere'} is outside the repository ({tmp_path / 'repo'}); move "
        "it into the repository, or set bundling.allow_outside_repository=True if the build "
        "is meant to read it"]


def test_without_a_repository_nothing_is_refused(tmp_path: Path) -> None:
    if repository_root(str(tmp_path)) is not None:
        pytest.skip(f"{tmp_path} is inside a git repository here")
    assert outside_repository(str(tmp_path), [("x", "/etc")]) == []


def test_a_path_dependency_outside_the_repository_is_refused_unless_allowed(
        entry: Path, tmp_path: Path, make_request: MakeRequest) -> None:
    (entry / ".git").mkdir()
    outside = tmp_path / "outside-lib"
    outside.mkdir()
    (outside / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (entry / "requirements.txt").write_text(f"-e {outside}\n")
    with pytest.raises(ConfigurationError, match=r"requirements\.txt \(tree\): .*outside-lib "
                       r"is outside the repository"):
        make_request()
    assert make_request(bundling=BundlingOptions(allow_outside_repository=True))
