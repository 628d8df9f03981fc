"""zipsize.py: node's deflate lengths, one process for many jobs, every failure a None; and
a build's zipped size: a new tree's estimate, then whichever engine measured it after."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from slim_lambda.pipeline.sizes import END_RECORD, PYTHON_ZLIB, zip_share
from slim_lambda.run import zipafter
from slim_lambda.run.zipestimate import ZIP_ESTIMATE
from slim_lambda.run.zipsize import NodeDeflater, deflated_sizes, engine

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None and not os.environ.get("CI"),
                                reason="no node on PATH")
ONE_SHOT = ("const fs = require('fs'), zlib = require('zlib');"
            "const out = {}; for (const p of process.argv.slice(1)) "
            "out[p] = zlib.deflateRawSync(fs.readFileSync(p), { level: 6 }).length;"
            "process.stdout.write(JSON.stringify(out));")


def _tree(root: Path) -> list[str]:
    files = {
        "empty.txt": b"",
        "text.py": b"def f(x):\n    return x * 2\n" * 400,
        "pkg/noise.bin": os.urandom(300_000),
        "pkg/zeros.bin": bytes(2_000_000),
        "pkg/ünïcode name.txt": "ein Käse\n".encode() * 100,
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return sorted(files)


@needs_node
def test_lengths_are_node_deflate_raw_at_level_6(tmp_path: Path) -> None:
    rels = _tree(tmp_path)
    assert NODE is not None
    proc = subprocess.run([NODE, "-e", ONE_SHOT, *rels], cwd=tmp_path, capture_output=True,
                          text=True, check=True)
    expected = json.loads(proc.stdout)
    with NodeDeflater() as d:
        found = d.engine()
        assert found is not None and found.startswith("node v") and " zlib " in found
        assert d.sizes(str(tmp_path), rels) == expected
        # the same process answers again, also for a subset and for nothing
        assert d.sizes(str(tmp_path), rels[:2]) == {r: expected[r] for r in rels[:2]}
        assert d.sizes(str(tmp_path), []) == {}
    assert deflated_sizes(str(tmp_path), rels) == expected
    assert engine() == found


@needs_node
def test_a_missing_file_fails_that_job_only(tmp_path: Path) -> None:
    rels = _tree(tmp_path)
    with NodeDeflater() as d:
        assert d.sizes(str(tmp_path), [*rels, "not/there.txt"]) is None
        assert d.sizes(str(tmp_path), rels) is not None


def test_no_node_or_a_broken_one_answers_none(tmp_path: Path) -> None:
    rels = _tree(tmp_path)
    with NodeDeflater(node=str(tmp_path / "no-such-node")) as d:
        assert d.engine() is None and d.sizes(str(tmp_path), rels) is None
    broken = tmp_path / "node"
    broken.write_text("#!/bin/sh\necho 'not json'\nexit 3\n")
    broken.chmod(0o755)
    with NodeDeflater(node=str(broken)) as d:
        assert d.engine() is None and d.sizes(str(tmp_path), rels) is None
    silent = tmp_path / "silent-node"
    silent.write_text("#!/bin/sh\nexit 0\n")
    silent.chmod(0o755)
    with NodeDeflater(node=str(silent)) as d:
        assert d.engine() is None


def _build(entry: Path, wheels: Path, image: str, out: Path, env: dict[str, str],
           *options: str) -> dict[str, object]:
    report = out.with_suffix(".json")
    proc = subprocess.run(
        [sys.executable, "-m", "slim_lambda.cli", "build", str(entry), "--runtime",
         "python3.11", "--mode", "docker", "--image", image, "--no-index", "--find-links",
         str(wheels), "--out", str(out), "--json-report", str(report), *options],
        env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data: dict[str, object] = json.loads(report.read_text())
    return data


def _measured_whole(root: Path) -> int:
    """The zip of the whole output tree, every file deflated now by node."""
    rels = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    sizes = deflated_sizes(str(root), rels)
    assert sizes is not None
    return END_RECORD + sum(zip_share(rel, sizes[rel]) for rel in rels)


def _meta(cache: Path) -> dict[str, object]:
    meta: dict[str, object] = json.loads(next((cache / "deps").glob(
        "*/tree.slim-lambda-deps.json")).read_text())
    return meta


@pytest.mark.docker
@needs_node
def test_cached_shares_follow_the_engine(entry: Path, wheels: Path, build_image: str,
                                         tmp_path: Path) -> None:
    """Without a working node a new tree's estimate is measured after the build with
    Python's zlib; the next build with node reports those and has node measure the tree
    once, and from then on the cached shares plus the function's own files equal the
    whole asset measured afresh."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "node").write_text("#!/bin/sh\nexit 1\n")
    (fake_bin / "node").chmod(0o755)
    cache = tmp_path / "cache"
    env = dict(os.environ, SLIM_LAMBDA_CACHE_DIR=str(cache))
    no_node = dict(env, PATH=f"{fake_bin}{os.pathsep}{env['PATH']}")

    first = _build(entry, wheels, build_image, tmp_path / "a", no_node)
    assert first["cache"]["hit"] is False  # type: ignore[index]
    assert str(first["zipped_measured_with"]).startswith(ZIP_ESTIMATE)
    estimate = int(first["zipped_bytes"])  # type: ignore[call-overload]
    exact = _measured_whole(tmp_path / "a")
    assert abs(estimate - exact) <= 0.03 * exact
    assert zipafter.wait(str(cache))
    assert _meta(cache)["zip_engine"] == PYTHON_ZLIB

    second = _build(entry, wheels, build_image, tmp_path / "b", env)
    assert second["cache"]["hit"] is True  # type: ignore[index]
    assert str(second["zipped_measured_with"]).startswith("python zlib (an estimate")
    assert zipafter.wait(str(cache))

    (entry / "index.py").write_text((entry / "index.py").read_text() + "CHANGED = 1\n")
    third = _build(entry, wheels, build_image, tmp_path / "c", env)
    assert third["cache"]["hit"] is True  # type: ignore[index]
    assert str(third["zipped_measured_with"]).startswith("node v")
    assert third["zipped_bytes"] == _measured_whole(tmp_path / "c")
    assert _meta(cache)["zip_engine"] == third["zipped_measured_with"]


@pytest.mark.docker
@needs_node
def test_a_first_build_estimates_and_after_it_node_measures_the_tree(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = dict(os.environ, SLIM_LAMBDA_CACHE_DIR=str(cache))
    first = _build(entry, wheels, build_image, tmp_path / "a", env)
    assert first["cache"]["hit"] is False  # type: ignore[index]
    assert "zip sizes (estimate)" in [s["name"] for s in first["steps"]]  # type: ignore[attr-defined]
    assert str(first["zipped_measured_with"]).startswith(ZIP_ESTIMATE)
    assert first["zipped_estimated"] is True and first["notices"] == []
    exact = _measured_whole(tmp_path / "a")
    assert abs(int(first["zipped_bytes"]) - exact) <= 0.03 * exact  # type: ignore[call-overload]

    assert zipafter.wait(str(cache))
    meta = _meta(cache)
    assert str(meta["zip_engine"]).startswith("node v")
    assert all(share > 0 for _size, share in meta["files"].values())  # type: ignore[attr-defined]
    assert "zip sizes (node, after the synth)" in [s["name"] for s in meta["steps"]]  # type: ignore[attr-defined]

    second = _build(entry, wheels, build_image, tmp_path / "b", env)
    assert second["cache"]["hit"] is True  # type: ignore[index]
    assert second["zipped_measured_with"] == meta["zip_engine"]
    assert second["zipped_bytes"] == _measured_whole(tmp_path / "b")
    assert second["zipped_estimated"] is False


@pytest.mark.docker
@needs_node
def test_fail_on_zipped_measures_a_new_tree_exactly_at_once(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = dict(os.environ, SLIM_LAMBDA_CACHE_DIR=str(cache))
    report = _build(entry, wheels, build_image, tmp_path / "a", env, "--fail-on-zipped")
    assert str(report["zipped_measured_with"]).startswith("node v")
    assert report["zipped_bytes"] == _measured_whole(tmp_path / "a")
    assert report["zipped_estimated"] is False
    assert not list((cache / "locks").glob("*.zip"))  # nothing left for later
