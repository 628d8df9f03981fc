"""Packing an entry, and unpacking an untrusted one only as its manifest says. No Docker."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slim_lambda.run import remote_pack
from slim_lambda.run.integrity import seal_tree
from slim_lambda.run.remote_manifest import (
    META_NAME,
    Frame,
    Manifest,
    Record,
    link_problem,
    member_problem,
    read_manifest,
)
from slim_lambda.run.remote_pack import pack_entry, unpack_entry
from slim_lambda.run.remote_store import Meter

KEY = "a" * 64
PREFIX = f"cache/{KEY}/"


def _entry(root: Path, files: dict[str, bytes]) -> Path:
    """A committed-looking entry: ``tree/`` with ``files``, a meta, sealed hashes."""
    tree = root / "tree"
    tree.mkdir(parents=True)
    for rel, data in files.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_bytes(data)
    meta = {"files": {rel: [len(data), 0] for rel, data in files.items()}}
    (root / META_NAME).write_text(json.dumps(meta))
    seal_tree(str(tree), str(root))
    return root


def _pack(entry: Path) -> tuple[bytes, Manifest]:
    sealed = json.loads((entry / "hashes.json").read_text())
    out = io.BytesIO()
    records, frames, size, sha = pack_entry(str(entry), out, sealed)
    manifest = Manifest(KEY, PREFIX + "u1.zst", size, sha, {r.path: r for r in records},
                        tuple(frames))
    # what a reader gets back is what the manifest's JSON says
    return out.getvalue(), read_manifest(json.loads(json.dumps(manifest.to_json())), KEY,
                                         PREFIX)


def _tree(root: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            st_ = path.lstat()
            found[rel] = (os.readlink(path) if path.is_symlink() else "dir" if path.is_dir()
                          else (path.read_bytes(), bool(st_.st_mode & stat.S_IXUSR)))
    return found


def test_an_entry_round_trips_with_dirs_links_and_modes(tmp_path: Path) -> None:
    entry = _entry(tmp_path / "a", {"pkg/__init__.py": b"x = 1\n", "pkg/lib.so": b"\x7fELF",
                                    "bin/tool": b"#!/bin/sh\n"})
    (entry / "tree" / "empty").mkdir()
    os.chmod(entry / "tree" / "bin" / "tool", 0o555)
    os.symlink("../pkg/lib.so", entry / "tree" / "bin" / "lib.so")
    data, manifest = _pack(entry)
    assert data[:4] == b"\x28\xb5\x2f\xfd"  # a zstd frame
    assert manifest.records["tree/bin/tool"].mode == 0o755
    assert manifest.records["tree/empty"].kind == "dir"
    staging = tmp_path / "b"
    staging.mkdir()
    unpack_entry(io.BytesIO(data), str(staging), manifest)
    assert _tree(staging) == {r: v for r, v in _tree(entry).items() if r != "hashes.json"}
    assert (staging / META_NAME).read_bytes() == (entry / META_NAME).read_bytes()


def test_frames_cut_after_whole_files_and_unpack_in_parallel_in_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote_pack, "FRAME_BYTES", 1000)
    files = {f"pkg/m{i:03}.py": os.urandom(i * 13) for i in range(120)}
    entry = _entry(tmp_path / "a", files)
    data, manifest = _pack(entry)
    assert len(manifest.frames) > 20
    assert all(f.raw_bytes - f.files[-1].size < 1000 for f in manifest.frames)  # whole files
    assert sum(f.bytes for f in manifest.frames) == len(data) == manifest.object_bytes
    unpack_entry(io.BytesIO(data), str(tmp_path / "b"), manifest)
    assert _tree(tmp_path / "b") == {r: v for r, v in _tree(entry).items() if r != "hashes.json"}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.from_regex(r"[a-z]{1,6}(/[a-z_.]{1,6}){0,2}", fullmatch=True)
                       .filter(lambda p: not any(s in (".", "..") for s in p.split("/"))),
                       st.binary(max_size=2000), min_size=1, max_size=8))
def test_any_tree_round_trips(tmp_path_factory: pytest.TempPathFactory,
                              files: dict[str, bytes]) -> None:
    paths = sorted(files)
    if any(q.startswith(p + "/") for p in paths for q in paths):
        return  # a file cannot also be a directory
    root = tmp_path_factory.mktemp("rt")
    entry = _entry(root / "a", files)
    data, manifest = _pack(entry)
    unpack_entry(io.BytesIO(data), str(root / "b"), manifest)
    assert _tree(root / "b") == {r: v for r, v in _tree(entry).items() if r != "hashes.json"}


def test_packing_refuses_a_file_edited_since_it_was_sealed(tmp_path: Path) -> None:
    entry = _entry(tmp_path / "a", {"m.py": b"good\n"})
    os.chmod(entry / "tree" / "m.py", 0o644)
    (entry / "tree" / "m.py").write_bytes(b"evil\n")
    with pytest.raises(ValueError, match=r"m\.py differs from what was built"):
        _pack(entry)


def _unpack_problem(tmp_path: Path, data: bytes, manifest: Manifest) -> str:
    staging = tmp_path / "staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    with pytest.raises(ValueError) as e:
        unpack_entry(io.BytesIO(data), str(staging), manifest)
    return str(e.value)


def test_a_file_that_differs_from_the_manifest_is_refused(tmp_path: Path) -> None:
    data, manifest = _pack(_entry(tmp_path / "a", {"m.py": b"good\n"}))
    doc = manifest.to_json()
    for item in doc["files"]:
        if item["path"] == "tree/m.py":
            item["sha256"] = "0" * 64
    problem = _unpack_problem(tmp_path, data, read_manifest(doc, KEY, PREFIX))
    assert "tree/m.py differs from the manifest" in problem
    assert not (tmp_path / "staging" / "tree" / "m.py").exists()


def _with(manifest: Manifest, **over: Any) -> Manifest:
    return Manifest(**{**manifest.__dict__, **over})


def test_frames_that_do_not_hold_what_the_manifest_lists_are_refused(tmp_path: Path) -> None:
    data, manifest = _pack(_entry(tmp_path / "a", {"m.py": b"1\n", "n.py": b"22\n"}))
    (frame,) = manifest.frames
    shorter = Record("tree/n.py", "file", size=2, sha256="0" * 64)
    fewer = tuple(shorter if r.path == "tree/n.py" else r for r in frame.files)
    assert "does not say it holds" in _unpack_problem(
        tmp_path, data, _with(manifest, frames=(Frame(frame.bytes, fewer),)))
    junk = b"\0" * len(data)
    assert "does not decompress" in _unpack_problem(tmp_path, junk, manifest)


def test_frames_in_another_order_are_refused(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote_pack, "FRAME_BYTES", 10)
    data, manifest = _pack(_entry(tmp_path / "a", {"m.py": b"one = 1\n" * 3,
                                                   "n.py": b"two = 2\n" * 3}))
    *_meta, m, n = manifest.frames
    assert m.bytes == n.bytes and m.raw_bytes == n.raw_bytes
    swapped = data[:-2 * m.bytes] + data[-m.bytes:] + data[-2 * m.bytes:-m.bytes]
    # both frames hold another file's bytes: the writer that checks first names its file
    problem = _unpack_problem(tmp_path, swapped, manifest)
    assert "tree/m.py differs from the manifest" in problem \
        or "tree/n.py differs from the manifest" in problem, problem


def test_nothing_is_written_through_a_link_the_manifest_lists(tmp_path: Path) -> None:
    """A file under a path the manifest also lists as a link: the directory is made
    first, the link then fails, nothing lands outside the staging directory."""
    data, manifest = _pack(_entry(tmp_path / "a", {"l/x.py": b"x = 1\n"}))
    records = {**manifest.records, "tree/l": Record("tree/l", "link", target="../..")}
    before = set(os.listdir(tmp_path))
    assert "does not unpack" in _unpack_problem(tmp_path, data,
                                                _with(manifest, records=records))
    assert set(os.listdir(tmp_path)) - before == {"staging"}
    assert not (tmp_path / "staging" / "tree" / "l").is_symlink()


def test_a_file_that_is_also_a_directory_is_refused(tmp_path: Path) -> None:
    data, manifest = _pack(_entry(tmp_path / "a", {"a.py": b"1\n"}))
    records = {**manifest.records, "tree/a.py/x": Record("tree/a.py/x", "dir")}
    assert "does not unpack" in _unpack_problem(tmp_path, data,
                                                _with(manifest, records=records))


def test_a_truncated_object_is_refused(tmp_path: Path) -> None:
    data, manifest = _pack(_entry(tmp_path / "a", {"m.py": os.urandom(300_000)}))
    assert "truncated" in _unpack_problem(tmp_path, data[: len(data) // 2], manifest)


@pytest.mark.parametrize(("path", "problem"), [
    ("tree/a.py", None), (META_NAME, None), ("tree", None), ("tree/a/../b", "'..'"),
    ("/tree/a", "absolute"), ("hashes.json", "neither"), ("tree//a", "empty"),
])
def test_member_paths(path: str, problem: str | None) -> None:
    found = member_problem(path)
    assert (found is None) if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(("path", "target", "ok"), [
    ("tree/bin/lib.so", "../pkg/lib.so", True), ("tree/a", "b/c", True),
    ("tree/a", "../x", False), ("tree/bin/x", "../../x", False),
    ("tree/a", "/etc/passwd", False), ("tree/a", "", False),
])
def test_link_targets_stay_in_the_tree(path: str, target: str, ok: bool) -> None:
    assert (link_problem(path, target) is None) == ok


def _doc(**over: Any) -> dict[str, Any]:
    doc = {"format": 2, "key": KEY, "object": PREFIX + "u1.zst", "object_bytes": 10,
           "object_sha256": "f" * 64, "compression": "zstd",
           "files": [{"path": META_NAME, "kind": "file", "size": 2, "sha256": "0" * 64,
                      "mode": 0o644}], "frames": [{"bytes": 10, "files": 1}]}
    return doc | over


def test_a_well_formed_manifest_is_read() -> None:
    manifest = read_manifest(_doc(), KEY, PREFIX)
    assert [f.files for f in manifest.frames] == [(manifest.records[META_NAME],)]


@pytest.mark.parametrize(("doc", "says"), [
    (_doc(key="b" * 64), "the manifest of another key"),
    (_doc(format=1), "not a format 2 manifest"),
    (_doc(object=f"cache/{'b' * 64}/u1.zst"), "is not under"),
    (_doc(object=PREFIX + "sub/u1.zst"), "is not under"),
    (_doc(object_bytes=-1), "object size or sha256"),
    (_doc(files=[]), f"it has no {META_NAME}"),
    (_doc(files=[{"path": "../x", "kind": "file", "size": 1, "sha256": "0" * 64,
                  "mode": 0o644}]), "'..'"),
    (_doc(files=[{"path": "tree/x", "kind": "file", "size": 1, "sha256": "0" * 64,
                  "mode": 0o4755}]), "mode is invalid"),
    (_doc(files=[{"path": "tree/x", "kind": "link", "target": "../../x"}]), "out of the tree"),
    (_doc(files=[{"path": "tree/x", "kind": "device"}]), "not a file, a directory or a link"),
    ("not a dict", "not a format 2 manifest"),
    (_doc(frames=None), "it lists no frames"),
    (_doc(frames=[{"bytes": 10, "files": 2}]), "within the files listed"),
    (_doc(frames=[{"bytes": 10, "files": 0}]), "not a positive size"),
    (_doc(frames=[{"bytes": 4, "files": 1}, {"bytes": 6, "files": 1}]), "within the files"),
    (_doc(frames=[{"bytes": 9, "files": 1}]), "do not add up"),
    (_doc(frames=[{"bytes": 2000, "files": 1}], object_bytes=2000), "cannot hold only"),
])
def test_manifests_that_are_not_for_this_key_or_not_safe_are_refused(doc: Any, says: str
                                                                      ) -> None:
    with pytest.raises(ValueError) as e:
        read_manifest(doc, KEY, PREFIX)
    assert says in str(e.value)


def test_the_meter_says_bytes_and_speed_at_most_once_a_second() -> None:
    now = [0.0]
    said: list[str] = []
    meter = Meter("downloading k", 50_000_000, said.append, clock=lambda: now[0])
    meter(1_000_000)
    now[0] = 0.5
    meter(1_000_000)
    assert said == []
    now[0] = 2.0
    meter(8_000_000)
    assert said == ["downloading k: 10.0 of 50.0 MB, 5.0 MB/s"]
    assert meter.bytes == 10_000_000 and meter.seconds == 2.0
