"""zipshares and zipafter: which tree gets its exact zip shares when, and the background
measurement that gives a new tree its exact shares after the synth."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from slim_lambda.pipeline.sizes import PYTHON_ZLIB, entry_sizes, zip_share
from slim_lambda.run import zipafter
from slim_lambda.run.cache import CacheEntry, DepsCache
from slim_lambda.run.zipestimate import ZIP_ESTIMATE
from slim_lambda.run.zipshares import estimate_into, measure_zip_shares, zip_shares
from slim_lambda.run.zipsize import NodeDeflater

needs_node = pytest.mark.skipif(shutil.which("node") is None and not os.environ.get("CI"),
                                reason="no node on PATH")
KEY = "k" * 64


def _entry(root: Path, engine: str | None = None) -> tuple[DepsCache, CacheEntry]:
    """A committed-looking entry: a small tree and its meta, shares not measured."""
    cache = DepsCache(str(root))
    entry = cache.entry(KEY)
    tree = Path(entry.tree)
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg" / "__init__.py").write_text("import json\n" * 400)
    (tree / "pkg" / "core.py").write_text("def f():\n    return 1\n" * 300)
    (tree / "pkg" / "data.bin").write_bytes(os.urandom(50_000))
    files = {rel: [size, 0] for rel, (size, _s) in entry_sizes(entry.tree, zipped=False).items()}
    entry.write_meta({"files": files, "zip_engine": engine, "steps": []})
    return cache, entry


def _node_shares(entry: CacheEntry) -> dict[str, int]:
    rels = sorted(entry.meta()["files"])
    with NodeDeflater() as deflater:
        sizes = deflater.sizes(entry.tree, rels)
    assert sizes is not None
    return {rel: zip_share(rel, sizes[rel]) for rel in rels}


def _shares(meta: dict[str, Any]) -> dict[str, int]:
    return {rel: v[1] for rel, v in meta["files"].items()}


def test_a_new_trees_estimate_fills_every_share_and_names_itself(tmp_path: Path) -> None:
    _cache, entry = _entry(tmp_path)
    meta = entry.meta()
    estimate_into(meta, entry.tree)
    assert meta["zip_engine"] == ZIP_ESTIMATE and all(s > 0 for s in _shares(meta).values())
    assert [s["name"] for s in meta["steps"]] == ["zip sizes (estimate)"]


@needs_node
def test_an_estimated_tree_waits_for_later_unless_the_figure_decides_now(
        tmp_path: Path) -> None:
    cache, entry = _entry(tmp_path / "c")
    meta = entry.meta()
    estimate_into(meta, entry.tree)
    entry.write_meta(meta)
    with NodeDeflater() as deflater:
        later_meta, later = zip_shares(entry, meta, deflater, lambda: cache.lock(KEY),
                                       exact_now=False)
        assert later and later_meta["zip_engine"] == ZIP_ESTIMATE
        now_meta, later = zip_shares(entry, meta, deflater, lambda: cache.lock(KEY),
                                     exact_now=True)
        assert not later and now_meta["zip_engine"] == deflater.engine()
        assert _shares(now_meta) == _node_shares(entry) == _shares(entry.meta())
        assert now_meta["steps"][-1]["name"] == "zip sizes (node, now)"
        # measured: nothing is left for later, and nothing is measured again
        assert zip_shares(entry, entry.meta(), deflater, lambda: cache.lock(KEY),
                          exact_now=False) == (entry.meta(), False)


@needs_node
def test_a_tree_without_shares_is_estimated_at_once_and_measured_later(
        tmp_path: Path) -> None:
    cache, entry = _entry(tmp_path / "c", engine=None)
    with NodeDeflater() as deflater:
        meta, later = zip_shares(entry, entry.meta(), deflater, lambda: cache.lock(KEY),
                                 exact_now=False)
    assert later and meta["zip_engine"] == ZIP_ESTIMATE == entry.meta()["zip_engine"]


def test_without_node_the_exact_shares_are_pythons(tmp_path: Path) -> None:
    cache, entry = _entry(tmp_path / "c", engine=ZIP_ESTIMATE)
    with NodeDeflater(node=str(tmp_path / "no-node")) as deflater:
        meta = measure_zip_shares(entry, deflater, lambda: cache.lock(KEY), when="now")
    assert meta["zip_engine"] == PYTHON_ZLIB
    assert _shares(meta) == {rel: v[1] for rel, v in entry_sizes(entry.tree).items()}


@needs_node
def test_a_meta_replaced_while_measuring_is_left_alone(tmp_path: Path) -> None:
    """The tree is deflated without the entry's lock: when the files the meta lists changed
    meanwhile, the measured shares belong to no meta and are not written."""
    cache, entry = _entry(tmp_path / "c", engine=ZIP_ESTIMATE)

    class Replacing(NodeDeflater):
        def sizes(self, root: str, rels: list[str]) -> dict[str, int] | None:
            meta = entry.meta()
            meta["files"]["pkg/new.py"] = [1, 1]
            entry.write_meta(meta)
            return super().sizes(root, rels)

    with Replacing() as deflater:
        meta = measure_zip_shares(entry, deflater, lambda: cache.lock(KEY), when="now")
    assert meta["zip_engine"] == ZIP_ESTIMATE and "pkg/new.py" in meta["files"]
    assert meta == entry.meta()


@needs_node
def test_the_background_measurement_writes_the_exact_shares(tmp_path: Path) -> None:
    _cache, entry = _entry(tmp_path / "c", engine=ZIP_ESTIMATE)
    assert zipafter.start(str(tmp_path / "c"), KEY)
    assert zipafter.wait(str(tmp_path / "c"), timeout=120)
    meta = entry.meta()
    assert meta["zip_engine"].startswith("node v")
    assert _shares(meta) == _node_shares(entry)
    assert [s["name"] for s in meta["steps"]] == ["zip sizes (node, after the synth)"]


def test_one_measurement_per_key_and_wait_waits_for_it(tmp_path: Path) -> None:
    """While the key's measurement lock is held (a measurement running), no second one
    starts and :func:`wait` does not return."""
    _cache, entry = _entry(tmp_path / "c", engine=ZIP_ESTIMATE)
    lock = tmp_path / "c" / "locks" / f"{KEY}.zip"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert not zipafter.start(str(tmp_path / "c"), KEY)
        assert not zipafter.wait(str(tmp_path / "c"), timeout=0.3)
    finally:
        os.close(fd)
    assert zipafter.wait(str(tmp_path / "c"), timeout=1)
    assert entry.meta()["zip_engine"] == ZIP_ESTIMATE  # nothing measured it


def test_an_entry_pruned_before_it_is_measured_is_not_recreated(tmp_path: Path) -> None:
    cache_root = tmp_path / "c"
    _cache, entry = _entry(cache_root, engine=ZIP_ESTIMATE)
    shutil.rmtree(entry.path)
    shutil.rmtree(cache_root / "pip")
    assert zipafter.start(str(cache_root), KEY)
    assert zipafter.wait(str(cache_root), timeout=60)
    assert not Path(entry.path).exists() and not (cache_root / "pip").exists()


@needs_node
def test_the_measurement_waits_for_the_process_that_built_the_tree_to_exit(
        tmp_path: Path) -> None:
    """The CDK app still validates and writes its assembly after the build: the deflate
    starts only once the builder has gone (here a child process standing in for the app)."""
    cache_root = tmp_path / "c"
    _cache, entry = _entry(cache_root, engine=ZIP_ESTIMATE)
    builder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from slim_lambda.run import zipafter; "
         f"print(zipafter.start({str(cache_root)!r}, {KEY!r}), flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert builder.stdout is not None and builder.stdin is not None
    try:
        assert builder.stdout.readline().strip() == "True"
        assert not zipafter.wait(str(cache_root), timeout=2.0)  # held, not measuring
        assert entry.meta()["zip_engine"] == ZIP_ESTIMATE
    finally:
        builder.stdin.close()
        builder.wait(timeout=30)
    assert zipafter.wait(str(cache_root), timeout=60)
    assert entry.meta()["zip_engine"].startswith("node v")
