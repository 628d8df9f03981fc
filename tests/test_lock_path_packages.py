"""Path packages of the manifests other than requirements.txt, built in Docker: a
pyproject.toml's ``[tool.uv.sources]`` path (no lock), Poetry's path dependency and
Pipfile's path entry (their locks written by poetry and pipenv themselves). Each library is
mounted read-only, built into a wheel and installed as a package; a change to it rebuilds
the function and ships the new code, proven by running the handler."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from slim_lambda import BundlingOptions
from tests.fixtures.projects import BUILD_SYSTEM
from tests.manifests.test_git_locks import _run, _tool
from tests.test_docker_build import handler_answer, synth

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def _monorepo(root: Path, deps: str = "") -> tuple[Path, Path]:
    """``functions/api`` importing ``shared`` from ``libs/shared`` (a setuptools project)."""
    fn, lib = root / "functions" / "api", root / "libs" / "shared"
    (lib / "src" / "shared").mkdir(parents=True)
    fn.mkdir(parents=True)
    (lib / "pyproject.toml").write_text('[project]\nname = "shared"\nversion = "0.1.0"\n'
                                        f"dependencies = [{deps}]\n" + BUILD_SYSTEM)
    (lib / "src" / "shared" / "__init__.py").write_text("WORD = 'hello'\n")
    (fn / "index.py").write_text("import shared\n\n\ndef handler(event, context):\n"
                                 "    return shared.WORD\n")
    return fn, lib


def _ships_and_rebuilds(fn: Path, lib: Path, bundling: BundlingOptions, image: str,
                        out: Path) -> dict[str, Any]:
    """The first build's report."""
    _t, asset, first = synth(fn, out / "1", bundling=bundling)
    assert handler_answer(image, asset) == "hello"
    assert (asset / "shared" / "__init__.py").is_file()
    assert not list(asset.glob("*.pth")) and not list(asset.glob("__editable__*"))
    assert not list(lib.rglob("*.egg-info")), "built from a copy, never in the mounted sources"

    (lib / "src" / "shared" / "__init__.py").write_text("WORD = 'changed'\n")
    _t, changed, report = synth(fn, out / "2", bundling=bundling)
    assert changed.name != asset.name and report["cache"]["hit"] is False
    assert handler_answer(image, changed) == "changed"
    return first


def test_a_uv_sources_path_without_a_lock(wheels: Path, build_image: str, tmp_path: Path,
                                          clean_env: None) -> None:
    """The library's own dependency (slimfix-pure) is resolved with it: not --no-deps."""
    fn, lib = _monorepo(tmp_path, deps='"slimfix-pure"')
    (fn / "pyproject.toml").write_text(
        '[project]\nname = "api"\nversion = "0.1.0"\ndependencies = ["shared"]\n\n'
        '[tool.uv.sources]\nshared = { path = "../../libs/shared", editable = true }\n')
    bundling = BundlingOptions(mode="docker", image=build_image, find_links=(str(wheels),))
    report = _ships_and_rebuilds(fn, lib, bundling, build_image, tmp_path / "out")
    versions = {p["name"]: p["version"] for p in report["packages"]}
    assert versions == {"shared": "0.1.0", "slimfix-pure": "1.0.0"}


def test_a_poetry_path_dependency(build_image: str, tmp_path: Path, clean_env: None) -> None:
    fn, lib = _monorepo(tmp_path)
    (fn / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "api"\nversion = "0.1.0"\ndescription = ""\nauthors = []\n'
        'package-mode = false\n\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        'shared = { path = "../../libs/shared", develop = true }\n')
    _run([_tool("poetry"), "lock"], fn, POETRY_VIRTUALENVS_CREATE="false")
    assert 'type = "directory"\nurl = "../../libs/shared"' in (fn / "poetry.lock").read_text()
    bundling = BundlingOptions(mode="docker", image=build_image)
    _ships_and_rebuilds(fn, lib, bundling, build_image, tmp_path / "out")


def test_a_pipfile_path_entry(build_image: str, tmp_path: Path, clean_env: None) -> None:
    fn, lib = _monorepo(tmp_path)
    (fn / "Pipfile").write_text('[packages]\nshared = {path = "../../libs/shared", '
                                'editable = true}\n\n[requires]\npython_version = "3.11"\n')
    _run([_tool("pipenv"), "lock"], fn, PIPENV_VENV_IN_PROJECT="1", PIPENV_YES="1",
         PIPENV_NOSPIN="1", PIPENV_IGNORE_VIRTUALENVS="1")
    for made in [fn / ".venv", *lib.rglob("*.egg-info")]:  # pipenv's, not the build's
        shutil.rmtree(made, ignore_errors=True)
    assert '"path": "../../libs/shared"' in (fn / "Pipfile.lock").read_text()
    bundling = BundlingOptions(mode="docker", image=build_image)
    _ships_and_rebuilds(fn, lib, bundling, build_image, tmp_path / "out")
