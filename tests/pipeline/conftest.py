"""Fixtures for the build pipeline tests: the fixture wheelhouse and a pip-installed tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.verifyfix import build_verify_wheels
from tests.fixtures.wheelhouse import build_wheelhouse


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both fixture wheels, built once per session with gcc and zipfile (no network)."""
    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture(scope="session")
def _installed_once(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Path:
    return _pip_target(tmp_path_factory.mktemp("installed") / "site", (wheelhouse,),
                       "slimfix-pure", "slimfix-cext")


def _pip_target(target: Path, find_links: tuple[Path, ...], *names: str) -> Path:
    links = [arg for path in find_links for arg in ("--find-links", str(path))]
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index", *links,
         "--target", str(target), "--no-compile", "--disable-pip-version-check", *names],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return target


@pytest.fixture(scope="session")
def verify_wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The verify fixture wheels (see :mod:`tests.fixtures.verifyfix`)."""
    return build_verify_wheels(tmp_path_factory.mktemp("verify-wheelhouse"))


@pytest.fixture(scope="session")
def _verify_installed_once(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path,
                           verify_wheelhouse: Path) -> Path:
    return _pip_target(tmp_path_factory.mktemp("verify-installed") / "site",
                       (wheelhouse, verify_wheelhouse),
                       "slimfix-extras", "slimfix-broken", "slimfix-needtests")


@pytest.fixture
def installed_tree(tmp_path: Path, _installed_once: Path) -> Path:
    """A fresh, writable copy of both fixture wheels installed with ``pip --target``.

    pip runs once per session; every test gets its own copy to modify.
    """
    tree = tmp_path / "site"
    shutil.copytree(_installed_once, tree, symlinks=True)
    return tree


@pytest.fixture
def verify_tree(tmp_path: Path, _verify_installed_once: Path) -> Path:
    """A fresh copy of the verify fixture wheels (and slimfix-pure) installed with pip."""
    tree = tmp_path / "verify-site"
    shutil.copytree(_verify_installed_once, tree, symlinks=True)
    return tree
