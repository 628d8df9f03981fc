"""The remote cache against a moto S3 server on loopback, with real synths in the build image.

Machine A synthesizes and uploads; machine B (another, empty cache directory) gets the tree
from the bucket without running a deps container. A tampered, truncated, foreign or
manifest-less remote entry, a remote that is down or denies access, and a read-only
remote each end in a local build whose asset is byte-identical to A's.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import zstandard
from aws_cdk import aws_lambda as lambda_

from slim_lambda import BundlingOptions, SlimPythonFunction
from slim_lambda.cli import main as cli
from slim_lambda.plan.remote import REQUIRED_ENV, WRITE_ENV, RemoteCache
from slim_lambda.run import remote_use as remote_use_module
from slim_lambda.run import zipafter
from slim_lambda.run.cache import DepsCache
from slim_lambda.run.container import PID_LABEL
from slim_lambda.run.remote import fetch_entry, upload_entry
from slim_lambda.run.remote_store import S3Store
from slim_lambda.run.zipestimate import ZIP_ESTIMATE
from tests.deploy.emulator import Emulator, _free_port, running_emulator

pytestmark = pytest.mark.docker
BUCKET = "team-cache"


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with running_emulator(tmp_path_factory.mktemp("moto") / "moto.log",
                          runtime="python3.11") as emu:
        emu.client("s3").create_bucket(Bucket=BUCKET)
        yield emu


@pytest.fixture
def aws(s3: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """This process's AWS settings point at the emulator (boto3 reads them)."""
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in s3.env({}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(WRITE_ENV, raising=False)
    monkeypatch.delenv(REQUIRED_ENV, raising=False)
    return s3


def _created_since(since: float) -> int:
    """Build containers this process created since then (real Docker events)."""
    out = subprocess.run(
        ["docker", "events", "--since", f"{since:.3f}", "--until", f"{time.time() + 1:.3f}",
         "--filter", "type=container", "--filter", "event=create",
         "--filter", f"label={PID_LABEL}={os.getpid()}", "--format", "{{.ID}}"],
        capture_output=True, text=True, check=True).stdout
    return len(out.split())


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _synth(out: Path, entry: Path, bundling: BundlingOptions, cache: Path
           ) -> tuple[dict[str, Any], dict[str, bytes], int]:
    """Synthesize one function with ``cache`` as this machine's cache: its report, its
    asset's files and the build containers it created."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SLIM_LAMBDA_CACHE_DIR", str(cache))
        started = time.time()
        app = cdk.App(outdir=str(out))
        SlimPythonFunction(cdk.Stack(app, "S"), "F", entry=str(entry),
                           runtime=lambda_.Runtime.PYTHON_3_11, bundling=bundling)
        app.synth()
    (report_path,) = out.glob("asset.*.slim-report.json")
    asset = Path(str(report_path).removesuffix(".slim-report.json"))
    return json.loads(report_path.read_text()), _files(asset), _created_since(started)


def _bundling(build_image: str, wheels: Path, prefix: str) -> BundlingOptions:
    return BundlingOptions(mode="docker", image=build_image, find_links=(str(wheels),),
                           no_index=True, remote_cache=f"s3://{BUCKET}/{prefix}")


@pytest.fixture(scope="module")
def machine_a(s3: Emulator, entry_module: Path, wheels: Path, build_image: str,
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Machine A's synth, which built the tree and uploaded it under ``a/``."""
    root = tmp_path_factory.mktemp("machine-a")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in s3.env({}).items():
            mp.setenv(name, value)
        report, files, created = _synth(root / "out", entry_module,
                                        _bundling(build_image, wheels, "a"), root / "cache")
    key = next(e.key for e, _s, _u in DepsCache(str(root / "cache")).entries())
    return {"report": report, "files": files, "created": created, "cache": root / "cache",
            "key": key}


@pytest.fixture(scope="module")
def entry_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("fn")
    (d / "index.py").write_text(
        "import slimfix_pure\nfrom slimfix_cext import add\n\n\n"
        "def handler(event, context):\n    return {'sum': add(2, 3)}\n")
    (d / "requirements.txt").write_text("slimfix-pure\nslimfix-cext\n")
    return d


def _seed(prefix: str, machine_a: dict[str, Any]) -> RemoteCache:
    """Machine A's entry uploaded under ``prefix`` (what its synth did under ``a/``)."""
    remote = RemoteCache(BUCKET, prefix + "/")
    entry = DepsCache(str(machine_a["cache"])).entry(machine_a["key"])
    assert upload_entry(S3Store(remote), entry, print).outcome == "uploaded"
    return remote


def test_machine_b_gets_the_tree_from_the_bucket_without_a_deps_container(
        aws: Emulator, machine_a: dict[str, Any], entry_module: Path, wheels: Path,
        build_image: str, tmp_path: Path, clean_env: None) -> None:
    a = machine_a["report"]
    assert a["cache"]["remote"] == "uploaded" and machine_a["created"] >= 1
    assert any(n.startswith(f"cache: uploaded to s3://{BUCKET}/a/") for n in a["notices"])
    assert any(s["name"] == "remote cache upload" for s in a["steps"])
    report, files, created = _synth(tmp_path / "out", entry_module,
                                    _bundling(build_image, wheels, "a"), tmp_path / "cache")
    assert created == 0, "machine B ran a build container"
    assert files == machine_a["files"]
    assert report["cache"]["remote"] == "hit" and report["cache"]["hit"] is True
    (notice,) = [n for n in report["notices"] if n.startswith("cache: remote hit")]
    assert f"s3://{BUCKET}/a/" in notice and " kB in " in notice
    assert any(s["name"] == "remote cache fetch" for s in report["steps"])
    assert report["cache"]["remote_bytes"] == a["cache"]["remote_bytes"] > 0
    # sealed with the hashes checked on the way in: what `cache verify` recomputes
    assert DepsCache(str(tmp_path / "cache")).verify() == {}


def test_exact_zip_shares_are_published_beside_the_entry_and_taken_by_the_next_runner(
        aws: Emulator, machine_a: dict[str, Any], entry_module: Path, wheels: Path,
        build_image: str, tmp_path: Path, clean_env: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A's background measurement publishes the exact shares; B's report is exact at once
    and B measures nothing after its synth. Shares that are not plausible are refused."""
    assert machine_a["report"]["zipped_estimated"] is True  # a new tree: an estimate
    assert zipafter.wait(str(machine_a["cache"]), timeout=120)
    meta_a = DepsCache(str(machine_a["cache"])).entry(machine_a["key"]).meta()
    remote, s3c = RemoteCache(BUCKET, "a/"), aws.client("s3")
    published = json.loads(s3c.get_object(Bucket=BUCKET, Key=remote.shares_key(
        machine_a["key"]))["Body"].read())
    assert published["zip_engine"] == meta_a["zip_engine"] != ZIP_ESTIMATE
    measured_after: list[str] = []
    monkeypatch.setattr(zipafter, "start", lambda _root, key, _remote=None:
                        measured_after.append(key))
    report, files, _c = _synth(tmp_path / "b", entry_module,
                               _bundling(build_image, wheels, "a"), tmp_path / "cache-b")
    assert report["cache"]["remote"] == "hit" and files == machine_a["files"]
    assert report["zipped_estimated"] is False and measured_after == []
    b_zipped = report["zipped_bytes"]
    meta_b = DepsCache(str(tmp_path / "cache-b")).entry(machine_a["key"]).meta()
    assert meta_b["files"] == meta_a["files"]

    lying = _seed("lying-shares", machine_a)
    first = next(iter(published["shares"]))
    s3c.put_object(Bucket=BUCKET, Key=lying.shares_key(machine_a["key"]), Body=json.dumps(
        {**published, "shares": {**published["shares"], first: 10**12}}))
    report, files, _c = _synth(tmp_path / "c", entry_module,
                               _bundling(build_image, wheels, "lying-shares"),
                               tmp_path / "cache-c")
    assert report["cache"]["remote"] == "hit" and files == machine_a["files"]
    # (A's entry now carries its exact shares: the lie would be all that differs)
    assert report["zipped_bytes"] == b_zipped < 10**6
    assert DepsCache(str(tmp_path / "cache-c")).entry(machine_a["key"]).meta()[
        "files"] == meta_a["files"]


def test_the_s3_client_is_made_ahead_only_for_a_cache_with_no_entries(
        aws: Emulator, machine_a: dict[str, Any], entry_module: Path, wheels: Path,
        build_image: str, tmp_path: Path, clean_env: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh runner makes its client while it computes the key; a cache that may hit
    locally never loads boto3 ahead (that slowed a local hit by 0.3 s)."""
    made: list[int] = []
    monkeypatch.setattr(remote_use_module, "warm_client", lambda: made.append(1))
    bundling = _bundling(build_image, wheels, "a")
    first, _files_a, _c = _synth(tmp_path / "one", entry_module, bundling, tmp_path / "cache")
    assert first["cache"]["remote"] == "hit" and made  # at construction, and at the build
    ahead = len(made)
    second, _files_b, _c = _synth(tmp_path / "two", entry_module, bundling, tmp_path / "cache")
    assert second["cache"]["remote"] == "" and second["cache"]["hit"] is True
    assert len(made) == ahead


def _object(remote: RemoteCache, key: str, s3c: Any) -> tuple[dict[str, Any], bytes]:
    manifest = json.loads(s3c.get_object(Bucket=BUCKET, Key=remote.manifest_key(key))[
        "Body"].read())
    return manifest, s3c.get_object(Bucket=BUCKET, Key=manifest["object"])["Body"].read()


def _edit_one_file(manifest: dict[str, Any], data: bytes) -> bytes:
    """The object with one byte of one tree file changed, sizes kept; the manifest's frame
    sizes follow it (the file's sha256 in the manifest does not)."""
    files = [f for f in manifest["files"] if f["kind"] == "file"]
    out, offset, edited = [], 0, False
    for frame in manifest["frames"]:
        raw = bytearray(zstandard.ZstdDecompressor().decompress(data[offset:offset + frame[
            "bytes"]]))
        offset += frame["bytes"]
        at = 0
        for f in files[:frame["files"]]:
            if not edited and f["path"].endswith(".py") and f["size"]:
                raw[at], edited = ord("#") if raw[at] != ord("#") else ord("!"), True
            at += f["size"]
        del files[:frame["files"]]
        out.append(zstandard.ZstdCompressor().compress(bytes(raw)))
        frame["bytes"] = len(out[-1])
    assert edited
    return b"".join(out)


def _tamper(case: str, remote: RemoteCache, key: str, s3c: Any) -> None:
    manifest, data = _object(remote, key, s3c)
    if case == "edited file":
        data = _edit_one_file(manifest, data)
        manifest.update(object_bytes=len(data),
                        object_sha256=hashlib.sha256(data).hexdigest())
    elif case == "truncated object":
        data = data[: len(data) // 2]
    elif case == "another key's manifest":
        manifest["key"] = "f" * 64
    if case == "no manifest":
        s3c.delete_object(Bucket=BUCKET, Key=remote.manifest_key(key))
        return
    s3c.put_object(Bucket=BUCKET, Key=manifest["object"], Body=data)
    s3c.put_object(Bucket=BUCKET, Key=remote.manifest_key(key), Body=json.dumps(manifest))


@pytest.mark.parametrize(("case", "state", "says"), [
    ("edited file", "bad", "differs from the manifest"),
    ("truncated object", "bad", "truncated or altered"),
    ("another key's manifest", "bad", "the manifest of another key"),
    ("no manifest", "uploaded", None),
])
def test_a_tampered_remote_entry_is_rebuilt_locally_and_never_shipped(
        aws: Emulator, machine_a: dict[str, Any], entry_module: Path, wheels: Path,
        build_image: str, tmp_path: Path, clean_env: None, case: str, state: str,
        says: str | None) -> None:
    prefix = "tamper-" + case.replace(" ", "-").replace("'", "")
    remote = _seed(prefix, machine_a)
    _tamper(case, remote, machine_a["key"], aws.client("s3"))
    report, files, created = _synth(tmp_path / "out", entry_module,
                                    _bundling(build_image, wheels, prefix), tmp_path / "cache")
    assert created >= 1, "rebuilt locally"
    assert files == machine_a["files"]
    assert report["cache"]["remote"] == state
    if says is not None:
        (notice,) = [n for n in report["notices"] if "was ignored" in n]
        assert says in notice and "built locally" in notice
    assert DepsCache(str(tmp_path / "cache")).verify() == {}


def test_a_remote_that_is_down_is_one_warning_or_an_error_when_required(
        aws: Emulator, entry_module: Path, wheels: Path, build_image: str, tmp_path: Path,
        machine_a: dict[str, Any], monkeypatch: pytest.MonkeyPatch, clean_env: None) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_free_port()}")
    bundling = _bundling(build_image, wheels, "down")
    report, files, created = _synth(tmp_path / "o1", entry_module, bundling, tmp_path / "c1")
    assert created >= 1 and files == machine_a["files"]
    assert report["cache"]["remote"] == "failed"
    (warning,) = [w for w in report["warnings"] if "remote cache" in w]
    assert "built locally without the remote cache" in warning
    monkeypatch.setenv(REQUIRED_ENV, "1")
    with pytest.raises(Exception, match="The remote cache is required"):
        _synth(tmp_path / "o2", entry_module, bundling, tmp_path / "c2")


def test_a_remote_that_denies_access_is_one_warning(
        entry_module: Path, wheels: Path, build_image: str, tmp_path: Path,
        machine_a: dict[str, Any], monkeypatch: pytest.MonkeyPatch, clean_env: None) -> None:
    """moto with authentication on: the test credentials are unknown, so S3 answers 403."""
    monkeypatch.setenv("INITIAL_NO_AUTH_ACTION_COUNT", "0")
    with running_emulator(tmp_path / "moto.log", runtime="python3.11") as denying:
        for name in [k for k in os.environ if k.startswith("AWS_")]:
            monkeypatch.delenv(name)
        for name, value in denying.env({}).items():
            monkeypatch.setenv(name, value)
        report, files, created = _synth(tmp_path / "o", entry_module,
                                        _bundling(build_image, wheels, "denied"),
                                        tmp_path / "c")
    assert created >= 1 and files == machine_a["files"]
    (warning,) = [w for w in report["warnings"] if "remote cache" in w]
    assert "(403)" in warning and report["cache"]["remote"] == "failed"


def test_a_read_only_remote_is_read_but_never_written(
        aws: Emulator, entry_module: Path, wheels: Path, build_image: str, tmp_path: Path,
        machine_a: dict[str, Any], monkeypatch: pytest.MonkeyPatch, clean_env: None) -> None:
    monkeypatch.setenv(WRITE_ENV, "0")
    report, files, created = _synth(tmp_path / "o", entry_module,
                                    _bundling(build_image, wheels, "read-only"),
                                    tmp_path / "c")
    assert created >= 1 and files == machine_a["files"]
    assert report["cache"]["remote"] == "read-only"
    assert aws.client("s3").list_objects_v2(Bucket=BUCKET, Prefix="read-only/")["KeyCount"] == 0
    assert any(f"{WRITE_ENV}=0" in n for n in report["notices"])


def test_concurrent_uploaders_of_one_key_leave_one_complete_entry(
        aws: Emulator, machine_a: dict[str, Any], tmp_path: Path) -> None:
    remote = RemoteCache(BUCKET, "race/")
    entry = DepsCache(str(machine_a["cache"])).entry(machine_a["key"])
    store = S3Store(remote)
    assert store.create(remote.manifest_key("0" * 64), b"{}") is True  # first: created
    assert store.create(remote.manifest_key("0" * 64), b"{}") is False  # then: taken
    barrier, outcomes = threading.Barrier(4), []

    def upload() -> None:
        barrier.wait()
        outcomes.append(upload_entry(S3Store(remote), entry, print).outcome)

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["present", "present", "present", "uploaded"]
    listed = aws.client("s3").list_objects_v2(Bucket=BUCKET,
                                              Prefix=remote.entry_prefix(machine_a["key"]))
    names = sorted(o["Key"].rsplit("/", 1)[1] for o in listed["Contents"])
    manifest_name = remote.manifest_key(machine_a["key"]).rsplit("/", 1)[1]
    assert len(names) == 2 and names[1] == manifest_name, "the losers' objects are gone"
    cache = DepsCache(str(tmp_path / "b"))
    with cache.lock(machine_a["key"]):
        fetched, transfer = fetch_entry(store, cache, machine_a["key"], print)
    assert fetched is not None and transfer is not None and transfer.outcome == "hit"
    assert _files(Path(fetched.tree)) == _files(Path(entry.tree))


def test_an_object_without_its_manifest_is_not_an_entry(
        aws: Emulator, machine_a: dict[str, Any], tmp_path: Path) -> None:
    """An upload that has put its object but not yet its manifest is invisible."""
    remote = RemoteCache(BUCKET, "half/")
    key = machine_a["key"]
    aws.client("s3").put_object(Bucket=BUCKET, Key=remote.object_key(key, "u1"), Body=b"x")
    cache = DepsCache(str(tmp_path / "b"))
    with cache.lock(key):
        assert fetch_entry(S3Store(remote), cache, key, print) == (None, None)
    assert cache.entries() == []


def test_cache_push_info_and_pull_with_the_remote(
        aws: Emulator, machine_a: dict[str, Any], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    url, key = f"s3://{BUCKET}/cli", machine_a["key"]
    a = ["--cache-dir", str(machine_a["cache"])]
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SLIM_LAMBDA_CACHE_DIR")  # --cache-dir names each machine's
        assert cli(["cache", "push", "--remote", url, *a]) == 0
        assert f"{key[:16]} uploaded to {url}/" in capsys.readouterr().err
        assert cli(["cache", "push", "--remote", url, *a]) == 0
        assert "has this entry already" in capsys.readouterr().err
        assert cli(["cache", "info", "--remote", url, "--json"]) == 0
        (listed,) = json.loads(capsys.readouterr().out)["entries"]
        assert listed["key"] == key and listed["bytes"] > 0
        b = ["--cache-dir", str(tmp_path / "b")]
        assert cli(["cache", "pull", key[:12], "--remote", url, *b]) == 0
        assert f"{key[:16]} remote hit from {url}/" in capsys.readouterr().err
        assert cli(["cache", "pull", "--remote", url, *b]) == 0
        assert "already" in capsys.readouterr().err
        assert cli(["cache", "prune", "--remote", url, *b]) == 1
        assert "--remote works with push, pull and info" in capsys.readouterr().err
        mp.delenv("SLIM_LAMBDA_REMOTE_CACHE", raising=False)
        assert cli(["cache", "pull", *b]) == 1
        assert "give --remote s3://BUCKET/PREFIX" in capsys.readouterr().err
    pulled = DepsCache(str(tmp_path / "b")).entry(key)
    assert _files(Path(pulled.tree)) == _files(
        Path(DepsCache(str(machine_a["cache"])).entry(key).tree))


def test_a_large_entry_downloads_in_parts_and_checks_out_every_time(
        aws: Emulator, tmp_path: Path) -> None:
    """An entry of several megabytes (once fetched by a parallel ranged download whose
    parts landed in any order, and refused as truncated) checks out on every fetch."""
    source = DepsCache(str(tmp_path / "a"))
    key = "e" * 64
    staging = Path(source.staging(key))
    (staging / "tree" / "pkg").mkdir(parents=True)
    blob = os.urandom(24 << 20)  # incompressible: the object is ~24 MB, three parts
    (staging / "tree" / "pkg" / "blob.bin").write_bytes(blob)
    (staging / "tree" / "pkg" / "__init__.py").write_text("")
    (staging / "tree.slim-lambda-deps.json").write_text(json.dumps(
        {"files": {"pkg/blob.bin": [len(blob), 0], "pkg/__init__.py": [0, 0]}}))
    entry = source.commit(key, str(staging))
    remote = RemoteCache(BUCKET, "large/")
    transfer = upload_entry(S3Store(remote), entry, print)
    assert transfer.outcome == "uploaded" and transfer.bytes > 16 << 20
    for i in range(3):
        cache = DepsCache(str(tmp_path / f"b{i}"))
        with cache.lock(key):
            fetched, _transfer = fetch_entry(S3Store(remote), cache, key, print)
        assert fetched is not None
        assert (Path(fetched.tree) / "pkg" / "blob.bin").read_bytes() == blob
