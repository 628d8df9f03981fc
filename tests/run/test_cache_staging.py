"""A dependency tree is built where only this user can write (no one plants a file that
then gets cached), and what a killed build left in the cache's staging area goes away."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from slim_lambda.run import build as build_module
from slim_lambda.run.cache import CacheEntry, DepsCache

KEY = "b" * 64


def _mode(path: str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def cache(tmp_path: Path) -> DepsCache:
    return DepsCache(str(tmp_path / "cache"))


def test_staging_is_private_while_building_and_readable_once_committed(
        cache: DepsCache, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, int] = {}

    def fake_build_deps(session: Any, tree: str, imports: list[str]) -> dict[str, Any]:
        seen["staging"], seen["tree"] = _mode(os.path.dirname(tree)), _mode(tree)
        Path(tree, "m.py").write_text("x = 1\n")
        return {"files": {"m.py": [6, 6]}}

    monkeypatch.setattr(build_module, "build_deps", fake_build_deps)
    session: Any = type("S", (), {"request": type("R", (), {"label": ""})(), "mode": "local",
                                  "progress": lambda self, line: None})()
    entry = build_module._build_entry(session, cache, KEY, [])
    assert seen == {"staging": 0o700, "tree": 0o700}
    assert _mode(entry.path) == 0o755 and _mode(entry.tree) == 0o755


def test_a_new_build_of_a_key_removes_its_abandoned_staging(cache: DepsCache) -> None:
    with cache.lock(KEY):
        first = cache.staging(KEY)  # a build of KEY killed midway
    with cache.lock(KEY):
        second = cache.staging(KEY)
    assert not os.path.exists(first) and os.path.isdir(second)


def test_prune_removes_staging_no_build_holds(cache: DepsCache) -> None:
    other = "c" * 64
    with cache.lock(KEY):
        abandoned = cache.staging(KEY)
    trash = os.path.join(cache.deps, f".tmp-trash-{other[:16]}-999999999")
    os.mkdir(trash)
    with cache.lock(other):
        building = cache.staging(other)
        cache.prune()
        assert os.path.isdir(building)
    assert not os.path.exists(abandoned) and not os.path.exists(trash)


def test_a_committed_entry_is_not_staging(cache: DepsCache) -> None:
    with cache.lock(KEY):
        staging = cache.staging(KEY)
        os.mkdir(os.path.join(staging, "tree"))
        CacheEntry(KEY, staging).write_meta({"files": {}})
        cache.commit(KEY, staging)
    cache.prune()
    assert cache.lookup(KEY) is not None


def test_trees_are_built_beside_uv_s_cache_where_earlier_versions_left_theirs(
        tmp_path: Path) -> None:
    """One directory holds the staging directories and uv's cache (one mount for the build
    container: uv hard-links); uv's cache of an earlier version moves there once, and a
    staging directory it left in deps/ still goes away."""
    root = tmp_path / "cache"
    (root / "uv" / "archive-v0").mkdir(parents=True)
    (root / "uv" / "archive-v0" / "kept").write_text("unpacked wheel")
    (root / "deps" / f".tmp-{KEY}-1-old").mkdir(parents=True)
    cache = DepsCache(str(root))
    assert cache.uv_cache == str(root / "build" / "uv")
    assert (root / "build" / "uv" / "archive-v0" / "kept").read_text() == "unpacked wheel"
    assert not (root / "uv").exists()
    with cache.lock(KEY):
        staging = cache.staging(KEY)
    assert os.path.dirname(staging) == os.path.dirname(cache.uv_cache) == cache.build
    assert not (root / "deps" / f".tmp-{KEY}-1-old").exists()
    (root / "uv").mkdir()  # another process of an earlier version made it again
    assert DepsCache(str(root)).uv_cache == cache.uv_cache  # the one in build/ is kept
    assert (root / "build" / "uv" / "archive-v0" / "kept").exists()
