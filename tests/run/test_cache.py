"""Cache integrity without Docker: a broken entry is never used, and is rebuilt with a
one-line notice; an entry in use is never pruned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slim_lambda.run.cache import CacheEntry, DepsCache, has_entries

KEY = "a" * 64


def _commit(cache: DepsCache, files: dict[str, bytes], key: str = KEY) -> CacheEntry:
    staging = cache.staging(key)
    staged = CacheEntry(key, staging)
    tree = Path(staged.tree)
    for rel, data in files.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_bytes(data)
    staged.write_meta({"files": {rel: [len(data), len(data)] for rel, data in files.items()}})
    return cache.commit(key, staging)


@pytest.fixture
def cache(tmp_path: Path) -> DepsCache:
    return DepsCache(str(tmp_path / "cache"))


def test_an_intact_entry_is_found(cache: DepsCache) -> None:
    entry = _commit(cache, {"pkg/__init__.py": b"x = 1\n", "pkg/lib.so": b"\x7fELF" * 10})
    assert cache.lookup(KEY) == entry


@pytest.mark.parametrize(("damage", "why"), [
    (lambda e: Path(e.meta_path).unlink(), "meta file is missing"),
    (lambda e: Path(e.meta_path).write_text('{"files": {"pkg/'), "meta file is unreadable"),
    (lambda e: Path(e.meta_path).write_text('{"nofiles": 1}'), "meta file is unreadable"),
    (lambda e: Path(e.tree, "pkg/lib.so").write_bytes(b"\x7fELF"), "pkg/lib.so has 4 bytes"),
    (lambda e: Path(e.tree, "pkg/__init__.py").unlink(), "pkg/__init__.py is missing"),
])
def test_a_broken_entry_is_never_used_and_is_discarded_with_a_notice(
        cache: DepsCache, damage: object, why: str) -> None:
    entry = _commit(cache, {"pkg/__init__.py": b"x = 1\n", "pkg/lib.so": b"\x7fELF" * 10})
    damage(entry)  # type: ignore[operator]
    assert cache.lookup(KEY) is None
    assert Path(entry.path).is_dir()  # a reader never removes
    notices: list[str] = []
    with cache.lock(KEY):
        assert cache.lookup(KEY, discard=notices.append) is None
    assert not Path(entry.path).exists()
    (notice,) = notices
    assert why in notice and KEY[:16] in notice and "rebuilding" in notice
    rebuilt = _commit(cache, {"pkg/__init__.py": b"x = 2\n"})
    assert cache.lookup(KEY) == rebuilt
    assert json.loads(Path(rebuilt.meta_path).read_text())["files"]["pkg/__init__.py"][0] == 6


def test_an_entry_held_by_a_reader_is_not_pruned(cache: DepsCache) -> None:
    _commit(cache, {"big.bin": b"0" * 4096})
    with cache.lock(KEY, exclusive=False):
        assert cache.lookup(KEY) is not None
        assert cache.prune(max_bytes=0) == []
    assert cache.prune(max_bytes=0) == [KEY]


def test_committed_files_are_read_only_and_hashed(cache: DepsCache) -> None:
    entry = _commit(cache, {"pkg/__init__.py": b"x = 1\n", "pkg/run": b"#!/bin/sh\n"})
    tree = Path(entry.tree)
    (tree / "pkg" / "run").chmod(0o555)
    assert (tree / "pkg" / "__init__.py").stat().st_mode & 0o222 == 0
    assert cache.verify() == {}
    assert cache.lookup(KEY) == entry


def test_verify_finds_a_same_size_edit_and_removes_the_entry(cache: DepsCache) -> None:
    entry = _commit(cache, {"pkg/__init__.py": b"x = 1\n", "pkg/data.bin": b"abcd"})
    path = Path(entry.tree, "pkg/data.bin")
    path.chmod(0o644)
    path.write_bytes(b"abce")  # same size: the lookup's size check cannot see it
    assert cache.lookup(KEY) == entry
    broken = cache.verify()
    assert broken == {KEY: ["pkg/data.bin differs from what was built"]}
    assert cache.lookup(KEY) is None and not Path(entry.path).exists()


def test_an_entry_without_recorded_hashes_is_broken_for_verify(cache: DepsCache) -> None:
    entry = _commit(cache, {"a.py": b"1"})
    Path(entry.path, "hashes.json").unlink()
    assert list(cache.verify()) == [KEY]


def test_a_cache_has_entries_once_one_is_there(tmp_path: Path) -> None:
    """What decides whether a build makes its S3 client ahead (a fresh runner's cache)."""
    assert not has_entries(str(tmp_path / "missing"))
    cache = DepsCache(str(tmp_path / "c"))
    assert not has_entries(cache.root)
    (Path(cache.deps) / ("k" * 64)).mkdir()
    assert has_entries(cache.root)
