"""Fixtures for the build pipeline tests: the fixture wheelhouse and a pip-installed tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.wheelhouse import build_wheelhouse


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both fixture wheels, built once per session with gcc and zipfile (no network)."""
    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture(scope="session")
def _installed_once(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> Path:
    target = tmp_path_factory.mktemp("installed") / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index", "--find-links", str(wheelhouse),
         "--target", str(target), "--no-compile", "--disable-pip-version-check",
         "slimfix-pure", "slimfix-cext"],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return target


@pytest.fixture
def installed_tree(tmp_path: Path, _installed_once: Path) -> Path:
    """A fresh, writable copy of both fixture wheels installed with ``pip --target``.

    pip runs once per session; every test gets its own copy to modify.
    """
    tree = tmp_path / "site"
    shutil.copytree(_installed_once, tree, symlinks=True)
    return tree
