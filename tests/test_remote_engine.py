"""Builds against an engine that cannot see this host's files (tests/fixtures/remote_engine.py):
by copy they work (a function, a layer and its function, a private index), bind mounts fail
with an error naming ``file_access`` and leave nothing behind, and a copy build's
container is gone however the build ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from slim_lambda import BundlingOptions, SlimPythonFunction, SlimPythonLayerVersion
from slim_lambda.run.engine_socket import EngineSocket
from tests.fixtures.remote_engine import RemoteEngine, remote_engine
from tests.test_credential_exposure import Watcher
from tests.test_docker_build import handler_answer, local_bundling, synth
from tests.test_path_dependencies import _monorepo
from tests.test_private_index import build_from_private_index

pytestmark = pytest.mark.docker

# what a hook sees of its inputs: the entry read-only even to chmod, the credentials 0600
PROBE_HOOKS = (
    'touch "$SLIM_LAMBDA_ENTRY/planted" 2>/dev/null; chmod u+w "$SLIM_LAMBDA_ENTRY/index.py"'
    ' 2>/dev/null; test -e "$SLIM_LAMBDA_ENTRY/planted" -o -w "$SLIM_LAMBDA_ENTRY/index.py"'
    ' && echo writable > probe-entry.txt || echo read-only > probe-entry.txt',
    'stat -c %a "$SLIM_LAMBDA_WORK/netrc" > probe-netrc.txt 2>/dev/null || true',
)


@pytest.fixture(scope="session")
def remote(build_image: str) -> Iterator[RemoteEngine]:
    """The second engine, with the build image loaded; started once per session."""
    try:
        with remote_engine([build_image]) as engine:
            yield engine
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        if os.environ.get("CI"):
            pytest.fail(f"the second Docker engine must start on CI: {e}")
        pytest.skip(f"no second Docker engine: {e}")


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty dependency cache per test: the suite's shared one may already hold these
    fixture wheels' tree (same image, same key), and a cache hit runs no container at all,
    which is not what these tests are about."""
    monkeypatch.setenv("SLIM_LAMBDA_CACHE_DIR", str(tmp_path / "deps-cache"))


def answer(build_image: str, asset: Path) -> Any:
    """The handler's answer, run in the build image by the main engine, which sees it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DOCKER_HOST", raising=False)
        return handler_answer(build_image, asset)


def notices(report: dict[str, Any]) -> str:
    return "\n".join(report["notices"])


def test_bind_mounts_fail_clearly_and_leave_no_asset(
        remote: RemoteEngine, entry: Path, wheels: Path, build_image: str, tmp_path: Path,
        clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", remote.socket)
    outdir = tmp_path / "cdk.out"
    with pytest.raises(Exception) as info:
        synth(entry, outdir, bundling=local_bundling(wheels, build_image, file_access="bind"))
    text = str(info.value)
    assert "cannot see this host's files" in text, text
    assert "bundling.file_access='copy' or SLIM_LAMBDA_FILE_ACCESS=copy" in text
    # CDK stages into asset.<hash>-building and renames it only on success: nothing in it
    assert not [p for p in outdir.glob("asset.*") if not p.name.endswith("-building")]
    assert not [f for p in outdir.glob("asset.*-building") for f in p.iterdir()]
    assert remote.build_containers() == []


def test_auto_copies_when_the_first_container_does_not_see_the_work_directory(
        remote: RemoteEngine, entry: Path, wheels: Path, build_image: str, tmp_path: Path,
        clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A local socket that does not see this host's files: the first container, bound,
    finds no work directory and runs nothing, and the build copies; a handler that then
    imports more is assembled in the image from a copy of the cached tree."""
    monkeypatch.setenv("DOCKER_HOST", remote.socket)
    (entry / "index.py").write_text("import slimfix_pure\n\n\ndef handler(event, context):\n"
                                    "    return {'version': slimfix_pure.VERSION}\n")
    bundling = local_bundling(wheels, build_image, before_install=PROBE_HOOKS)
    _template, asset, report = synth(entry, tmp_path / "first", bundling=bundling)
    assert report["mode"] == "docker"
    assert "file access by copy" in notices(report)
    assert "work directory, bind-mounted into its container, was not there" in notices(report)
    steps = [s["name"] for s in report["steps"]]
    assert any(s.startswith("copy into the container") for s in steps), steps
    assert any(s.startswith("copy out of the container") for s in steps), steps
    assert (asset / "probe-entry.txt").read_text().strip() == "read-only"
    assert answer(build_image, asset) == {"version": "1.0.0"}
    assert not (entry / "planted").exists()

    (entry / "index.py").write_text(
        "import slimfix_pure\nfrom slimfix_cext import add\n\n\ndef handler(event, context):\n"
        "    return {'version': slimfix_pure.VERSION, 'sum': add(2, 3)}\n")
    _template, asset, report = synth(entry, tmp_path / "second", bundling=bundling)
    assert report["cache"]["hit"] and report["assembled_on"] == "image"
    assert "file access by copy" in notices(report)
    assert answer(build_image, asset) == {"version": "1.0.0", "sum": 5}
    assert remote.build_containers() == []


def test_a_layer_and_its_function_build_through_a_tcp_engine(
        remote: RemoteEngine, wheels: Path, build_image: str, tmp_path: Path,
        clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """tcp:// is copied without probing; the function's verify imports from the layer,
    which reached its container by copy too."""
    monkeypatch.setenv("DOCKER_HOST", remote.tcp)
    (tmp_path / "layer").mkdir()
    (tmp_path / "layer" / "requirements.txt").write_text("slimfix-pure\n")
    fn = tmp_path / "fn"
    fn.mkdir()
    (fn / "requirements.txt").write_text("slimfix-pure\nslimfix-cext\n")
    (fn / "index.py").write_text("import slimfix_pure\nfrom slimfix_cext import add\n\n\n"
                                 "def handler(event, context):\n    return add(1, 2)\n")
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "S")
    bundling = local_bundling(wheels, build_image)
    layer = SlimPythonLayerVersion(stack, "L", entry=str(tmp_path / "layer"),
                                   compatible_runtimes=[lambda_.Runtime.PYTHON_3_11],
                                   bundling=bundling)
    SlimPythonFunction(stack, "F", entry=str(fn), runtime=lambda_.Runtime.PYTHON_3_11,
                       layers=[layer], bundling=bundling)
    app.synth()
    reports = [json.loads(p.read_text()) for p in outdir.glob("asset.*.slim-report.json")]
    assert len(reports) == 2
    for report in reports:
        assert "file access by copy: the engine is at tcp://" in notices(report)
    (function,) = [r for r in reports if "slimfix-cext" in {p["name"] for p in r["packages"]}]
    assert "slimfix-pure" not in {p["name"] for p in function["packages"]}, \
        "the layer provides it"
    assert "slimfix_cext" in function["verify"]["modules"]
    assert function["import_failures"] == [], "the handler's slimfix_pure: from the layer"
    assert remote.build_containers() == []


@pytest.mark.slow
def test_path_dependencies_build_by_copy_and_the_sources_stay_untouched(
        remote: RemoteEngine, wheels: Path, build_image: str, tmp_path: Path,
        clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A project outside the entry, a wheel by path and an included requirements file, as
    in tests/test_path_dependencies.py; setuptools comes from the package index, through
    the CA bundle, which reached the container by copy too."""
    monkeypatch.setenv("DOCKER_HOST", remote.tcp)
    fn, pkg = _monorepo(tmp_path, wheels)
    bundling = BundlingOptions(mode="docker", image=build_image, find_links=(str(wheels),))
    _t, asset, report = synth(fn, tmp_path / "out", bundling=bundling)
    versions = {p["name"]: p["version"] for p in report["packages"]}
    assert versions == {"shared": "0.1.0", "slimfix-pure": "1.0.0", "slimfix-cext": "1.0.0"}
    assert "file access by copy" in notices(report)
    assert not (pkg / "build").exists() and not list(pkg.rglob("*.egg-info"))
    assert answer(build_image, asset) == {"word": "hello", "sum": 5}


def test_a_private_index_builds_by_copy_with_credentials_0600_inside(
        remote: RemoteEngine, entry: Path, wheels: Path, build_image: str, tmp_path: Path,
        clean_env: None, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DOCKER_HOST", remote.socket)
    monkeypatch.setenv("SLIM_LAMBDA_FILE_ACCESS", "copy")
    # `docker inspect` (of this engine: DOCKER_HOST) and `ps` while it builds
    with Watcher(tmp_path).running() as watcher:
        outdir = build_from_private_index(
            entry, wheels, tmp_path, monkeypatch, capfd,
            BundlingOptions(mode="docker", image=build_image, before_install=PROBE_HOOKS))
    assert watcher.containers, "the watcher never saw the build container"
    secrets = ("hunter2-private-index", "tok-0123456789-secret")
    assert not watcher.hits(*secrets), "\n".join(watcher.hits(*secrets))
    (asset,) = [p for p in outdir.glob("asset.*") if p.is_dir()]
    assert (asset / "probe-netrc.txt").read_text().strip() == "600"
    report = json.loads(next(outdir.glob("asset.*.slim-report.json")).read_text())
    assert "SLIM_LAMBDA_FILE_ACCESS='copy'" in notices(report)
    assert remote.build_containers() == []


def test_sigterm_during_a_copy_build_leaves_no_container(
        remote: RemoteEngine, entry: Path, wheels: Path, build_image: str, tmp_path: Path
        ) -> None:
    """Without auto-remove (the output is read after the exit), the container must still
    go when the synth is stopped mid-build."""
    env = dict(os.environ, DOCKER_HOST=remote.tcp, SLIM_LAMBDA_CACHE_DIR=str(tmp_path / "c"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "slim_lambda.cli", "build", str(entry), "--runtime",
         "python3.11", "--image", build_image, "--find-links", str(wheels), "--no-index",
         "--before-install", "sleep 60", "--out", str(tmp_path / "out")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while not remote.build_containers():
            assert proc.poll() is None, proc.communicate()[0]
            assert time.monotonic() < deadline, "no build container appeared"
            time.sleep(0.2)
        time.sleep(1)  # inside the hook
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=60)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode in (-signal.SIGTERM, 128 + signal.SIGTERM), output
    assert remote.build_containers() == []
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_tcp_engine_answers_the_pinning_questions_directly(
        remote: RemoteEngine, build_image: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The asset hash names the image's ID, asked of the engine at construct time: a plain
    tcp:// engine (a CI job's DinD service) answers it too, or every synth would pin the
    tag as absent and a new build image would not change the asset hash."""
    monkeypatch.setenv("DOCKER_HOST", remote.tcp)
    monkeypatch.delenv("DOCKER_TLS_VERIFY", raising=False)
    engine = EngineSocket.from_env()
    assert engine is not None and engine.ping()
    wanted = remote.docker("image", "inspect", "-f", "{{.Id}}", build_image).stdout.strip()
    assert (engine.image(build_image) or {}).get("Id") == wanted
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")  # TLS: the SDK's business
    assert EngineSocket.from_env() is None
