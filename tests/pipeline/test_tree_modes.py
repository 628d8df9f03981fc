"""tree.normalize_permissions: what Lambda's user must read is readable, and a file that is
a hard link to a sealed one (uv links from its cache) keeps the seal's mode."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from slim_lambda.pipeline.tree import normalize_permissions


@pytest.mark.parametrize(("before", "after"), [
    (0o600, 0o644), (0o640, 0o644), (0o700, 0o755), (0o744, 0o755), (0o666, 0o644),
    (0o644, 0o644), (0o755, 0o755),
    (0o444, 0o444), (0o555, 0o555),   # sealed: read only, readable by all
    (0o400, 0o644), (0o500, 0o755),   # read only, but not for Lambda's user
])
def test_modes(tmp_path: Path, before: int, after: int) -> None:
    f = tmp_path / "tree" / "pkg" / "mod.py"
    f.parent.mkdir(parents=True)
    f.write_text("x = 1\n")
    f.chmod(before)
    normalize_permissions(str(tmp_path / "tree"))
    assert stat.S_IMODE(f.stat().st_mode) == after


def test_a_hard_link_to_a_sealed_file_is_not_made_writable(tmp_path: Path) -> None:
    sealed = tmp_path / "entry" / "mod.py"
    sealed.parent.mkdir()
    sealed.write_text("x = 1\n")
    sealed.chmod(0o444)
    tree = tmp_path / "tree"
    tree.mkdir()
    os.link(sealed, tree / "mod.py")
    changed = sealed.stat().st_ctime_ns
    normalize_permissions(str(tree))
    assert stat.S_IMODE(sealed.stat().st_mode) == 0o444
    assert sealed.stat().st_ctime_ns == changed  # not even chmodded to the same mode
