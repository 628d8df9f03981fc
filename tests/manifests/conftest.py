"""The lock wheelhouse every manifest test installs from."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.projects import LockWheelhouse, build_lock_wheelhouse


@pytest.fixture(scope="session")
def house(wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> LockWheelhouse:
    return build_lock_wheelhouse(tmp_path_factory.mktemp("lockhouse"), wheels)
