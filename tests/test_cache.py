"""The dependency cache: a handler change reuses the finished dependencies, any key part
rebuilds, concurrent builds are safe, and the cache is bounded and manageable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from slim_lambda import BundlingOptions, SlimOptions, SlimPythonFunction
from slim_lambda.cli import main as cli
from slim_lambda.run.cache import DepsCache

pytestmark = pytest.mark.docker
PY311 = lambda_.Runtime.PYTHON_3_11


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("SLIM_LAMBDA_CACHE_DIR", str(d))
    return d


def _synth(outdir: Path, entries: dict[str, Path], bundling: BundlingOptions,
           slim: SlimOptions | None = None) -> dict[str, dict[str, Any]]:
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "S")
    for name, entry in entries.items():
        SlimPythonFunction(stack, name, entry=str(entry), runtime=PY311, bundling=bundling,
                           slim=slim)
    app.synth()
    reports = {}
    for path in outdir.glob("asset.*.slim-report.json"):
        report = json.loads(path.read_text())
        report["_asset"] = str(path).removesuffix(".slim-report.json")
        reports[report["label"].split("/")[-1]] = report
    return reports


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_handler_change_reuses_dependencies_and_option_change_rebuilds(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path, cache_dir: Path,
        clean_env: None) -> None:
    bundling = BundlingOptions(mode="docker", image=build_image, find_links=(str(wheels),),
                               no_index=True)
    first = _synth(tmp_path / "o1", {"F": entry}, bundling)["F"]
    assert first["cache"]["hit"] is False

    # rm -rf cdk.out: nothing is rebuilt, the asset is identical
    again = _synth(tmp_path / "o2", {"F": entry}, bundling)["F"]
    assert again["cache"]["hit"] is True
    assert _files(Path(again["_asset"])) == _files(Path(first["_asset"]))

    # a one-line handler change: dependencies from the cache, only the sources differ
    (entry / "index.py").write_text((entry / "index.py").read_text() + "# changed\n")
    changed = _synth(tmp_path / "o3", {"F": entry}, bundling)["F"]
    assert changed["cache"]["hit"] is True
    before, after = _files(Path(first["_asset"])), _files(Path(changed["_asset"]))
    differ = {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)}
    assert differ == {"index.py", f"__pycache__/index.{sys.implementation.cache_tag}.pyc"}
    assert Path(changed["_asset"]).name != Path(first["_asset"]).name

    # a slim option is part of the key: rebuilt
    slimmer = _synth(tmp_path / "o4", {"F": entry}, bundling,
                     SlimOptions(patterns=("slimfix_pure/data.json",)))["F"]
    assert slimmer["cache"]["hit"] is False
    assert "slimfix_pure/data.json" not in _files(Path(slimmer["_asset"]))
    assert len(DepsCache(str(cache_dir)).entries()) == 2


def test_many_functions_with_the_same_requirements_build_once(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path, cache_dir: Path,
        clean_env: None) -> None:
    entries = {}
    for i in range(4):
        d = tmp_path / f"fn{i}"
        d.mkdir()
        (d / "index.py").write_text((entry / "index.py").read_text() + f"N = {i}\n")
        (d / "requirements.txt").write_text((entry / "requirements.txt").read_text())
        entries[f"F{i}"] = d
    bundling = BundlingOptions(mode="docker", image=build_image, find_links=(str(wheels),),
                               no_index=True)
    reports = _synth(tmp_path / "cdk.out", entries, bundling)
    assert len(reports) == 4
    assert sorted(r["cache"]["hit"] for r in reports.values()) == [False, True, True, True]
    assert len({r["cache"]["key"] for r in reports.values()}) == 1


def test_two_builds_at_once_share_one_entry(entry: Path, wheels: Path, build_image: str,
                                           tmp_path: Path, cache_dir: Path,
                                           clean_env: None) -> None:
    """Two processes race for the same key: one builds, the other waits and reuses; no
    temporary directory survives."""
    cmd = [sys.executable, "-m", "slim_lambda.cli", "build", str(entry), "--runtime",
           "python3.11", "--mode", "docker", "--image", build_image, "--no-index",
           "--find-links", str(wheels)]
    procs = [subprocess.Popen([*cmd, "--out", str(tmp_path / f"out{i}"), "--json-report",
                               str(tmp_path / f"r{i}.json")], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for i in range(2)]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    hits = sorted(json.loads((tmp_path / f"r{i}.json").read_text())["cache"]["hit"]
                  for i in range(2))
    assert hits == [False, True]
    assert _files(tmp_path / "out0") == _files(tmp_path / "out1")
    deps = cache_dir / "deps"
    assert [p.name for p in deps.iterdir() if p.name.startswith(".tmp-")] == []
    assert len([p for p in deps.iterdir() if not p.name.startswith(".")]) == 1


def test_cache_cli_info_prune_clear_and_lru(entry: Path, wheels: Path, build_image: str,
                                           tmp_path: Path, cache_dir: Path, clean_env: None,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    def build(requirements: str, name: str) -> None:
        (entry / "requirements.txt").write_text(requirements)
        assert cli(["build", str(entry), "--runtime", "python3.11", "--mode", "docker",
                    "--image", build_image, "--no-index", "--find-links", str(wheels),
                    "--out", str(tmp_path / name)]) == 0

    build("slimfix-pure\n", "a")
    time.sleep(1.1)
    build("slimfix-pure\nslimfix-cext\n", "b")
    capsys.readouterr()
    assert cli(["cache", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["path"] == str(cache_dir)
    assert len(info["entries"]) == 2
    older, newer = info["entries"]  # least recently used first
    assert older["bytes"] > 0 and newer["runtime"] == "python3.11"

    # a stale half-written entry (an interrupted build) is never used, and prune removes it
    stale = cache_dir / "deps" / ".tmp-deadbeef-interrupted"
    (stale / "tree").mkdir(parents=True)
    old = time.time() - 7 * 3600
    os.utime(stale, (old, old))

    assert cli(["cache", "prune", "--max-bytes", str(newer["bytes"])]) == 0
    assert not stale.exists()
    left = DepsCache(str(cache_dir)).entries()
    assert [e.key for e, _size, _used in left] == [newer["key"]]

    assert cli(["cache", "clear"]) == 0
    assert DepsCache(str(cache_dir)).entries() == []
    assert "cleared" in capsys.readouterr().out
