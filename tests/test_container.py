"""container.py: the engine's local socket answers the read-only questions exactly as the
Docker SDK does, anything unclear falls back to the SDK, and a cached build never loads
the SDK or the installer's code."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from slim_lambda.errors import DockerError
from slim_lambda.run import zipafter
from slim_lambda.run.container import DockerRunner
from slim_lambda.run.container_spec import ContainerRun, RunResult, UnseenMount, Volume
from slim_lambda.run.engine_socket import EngineSocket

pytestmark = pytest.mark.docker


def test_engine_socket_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    engine = EngineSocket.from_env()
    assert engine is not None and engine.path == "/var/run/docker.sock"
    monkeypatch.setenv("DOCKER_HOST", "unix:///run/user/1000/docker.sock")
    engine = EngineSocket.from_env()
    assert engine is not None and engine.path == "/run/user/1000/docker.sock"
    monkeypatch.setenv("DOCKER_HOST", "tcp://docker:2375")  # a DinD service, no TLS
    engine = EngineSocket.from_env()
    assert engine is not None and engine.remote
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    for remote in ("tcp://127.0.0.1:2376", "ssh://builder@host", "npipe:////./pipe/docker"):
        monkeypatch.setenv("DOCKER_HOST", remote)
        assert EngineSocket.from_env() is None


def test_engine_socket_answers_as_the_sdk_does(build_image: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    engine = EngineSocket.from_env()
    assert engine is not None and engine.ping()
    sdk_image = docker.from_env().images.get(build_image)
    attrs = engine.image(build_image)
    assert attrs is not None
    assert attrs["Id"] == sdk_image.id
    assert attrs["Architecture"] == sdk_image.attrs["Architecture"] == "amd64"
    assert engine.image("slim-lambda-test/no-such-image:never") is None
    assert DockerRunner().ensure_image(build_image, "linux/amd64", print) == sdk_image.id


def test_wrong_architecture_is_refused_on_the_socket_path(build_image: str) -> None:
    with pytest.raises(DockerError, match=r"is for amd64, but the function needs linux/arm64"):
        DockerRunner().ensure_image(build_image, "linux/arm64", print)


def test_no_socket_falls_back_to_the_sdk(build_image: str, tmp_path: Path) -> None:
    missing = EngineSocket(str(tmp_path / "nothing.sock"), timeout=1)
    assert missing.get("/_ping") is None and missing.ping() is False
    assert missing.image(build_image) is None
    runner = DockerRunner(engine=missing)  # the SDK still reaches the real engine
    assert runner.available()
    assert runner.ensure_image(build_image, "linux/amd64", print) == \
        docker.from_env().images.get(build_image).id


@pytest.fixture
def garbage_socket(tmp_path: Path) -> Iterator[str]:
    """A unix socket that answers every request with something that is not HTTP."""
    path = str(tmp_path / "garbage.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.recv(4096)
                conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path
    stop.set()
    thread.join(timeout=5)
    server.close()


def test_an_answer_that_is_not_http_is_no_answer(garbage_socket: str) -> None:
    engine = EngineSocket(garbage_socket, timeout=2)
    assert engine.get("/_ping") is None
    assert engine.ping() is False
    assert engine.image("anything") is None


def test_no_engine_at_all_is_a_clear_error(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'nothing.sock'}")
    runner = DockerRunner()
    assert runner.available() is False
    with pytest.raises(DockerError, match=r"cannot reach the Docker engine at unix://.*nothing"):
        runner.ensure_image("slim-lambda-test/anything:x", "linux/amd64", print)


LOADED = ("docker", "requests", "slim_lambda.pipeline.deps", "slim_lambda.pipeline.install",
          "slim_lambda.pipeline.strip", "slim_lambda.pipeline.verify")


def test_a_cached_build_loads_neither_the_sdk_nor_the_installer(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLIM_LAMBDA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    args = ["build", str(entry), "--runtime", "python3.11", "--mode", "docker", "--image",
            build_image, "--no-index", "--find-links", str(wheels)]
    script = ("import json, sys\nfrom slim_lambda.cli import main\n"
              "code = main(json.loads(sys.argv[1]))\n"
              f"print(json.dumps([code, [m for m in {LOADED!r} if m in sys.modules]]))\n")

    def run(out: str) -> tuple[int, list[str], dict[str, object]]:
        proc = subprocess.run(
            [sys.executable, "-c", script, json.dumps(
                [*args, "--out", str(tmp_path / out), "--json-report",
                 str(tmp_path / f"{out}.json")])],
            capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]
        code, loaded = json.loads(proc.stdout.strip().splitlines()[-1])
        return code, loaded, json.loads((tmp_path / f"{out}.json").read_text())

    code, loaded, report = run("first")
    assert code == 0 and report["cache"]["hit"] is False
    assert "docker" in loaded  # the dependencies were built in a container
    assert zipafter.wait(str(tmp_path / "cache"))  # the new tree's exact zip shares
    code, loaded, report = run("second")
    assert code == 0 and report["cache"]["hit"] is True
    assert report["assembled_on"] == "host"
    assert loaded == []
    assert report["zipped_measured_with"].startswith("node ")


def _mine(runner: DockerRunner) -> set[str]:
    """The build containers this process made, as the engine lists them (sparse: one that
    is removed meanwhile is not looked up)."""
    mine = {"label": [f"slim-lambda.pid={os.getpid()}"]}
    return {c.id for c in runner.client.containers.list(all=True, filters=mine, sparse=True)}


def _run_script(runner: DockerRunner, image: str, work: Path, script: str) -> RunResult:
    """``python3 -c script`` in a container of ``image`` as this user, ``work`` at /w."""
    return runner.run(ContainerRun(
        image=image, platform="linux/amd64", command=("python3", "-c", script),
        volumes=(Volume(str(work), "/w", False),), user=runner.container_user(),
        network="none"), log=lambda line: None)


def test_a_build_container_is_confined_and_writes_a_private_work_dir_as_this_user(
        build_image: str, tmp_path: Path) -> None:
    """The limits Docker enforces: at most 4096 processes, no capabilities, no new
    privileges; and as this user (root on a rootless engine) it writes a 0700 directory."""
    work = tmp_path / "work"
    work.mkdir(mode=0o700)
    runner = DockerRunner()
    script = ("import os\n"
              "caps = [l for l in open('/proc/self/status')\n"
              "        if l.startswith(('CapEff', 'NoNewPrivs'))]\n"
              "pids = next((open(p).read().strip() for p in ('/sys/fs/cgroup/pids.max',"
              " '/sys/fs/cgroup/pids/pids.max') if os.path.exists(p)), '?')\n"
              "open('/w/out', 'w').write(''.join(caps) + 'pids ' + pids + '\\n')\n")
    result = _run_script(runner, build_image, work, script)
    assert result.exit_code == 0, result.logs
    out = (work / "out").read_text()
    assert "CapEff:\t0000000000000000" in out and "NoNewPrivs:\t1" in out
    assert "pids 4096" in out
    assert (work / "out").stat().st_uid == os.getuid()


def test_a_container_that_does_not_see_the_file_it_expects_runs_nothing(
        build_image: str, tmp_path: Path) -> None:
    """A bound file it must see (the work directory's spec) that is not there: the engine
    does not see this host's files. Nothing runs and the run says so; an engine without
    the path at all says so at create."""
    work = tmp_path / "work"
    work.mkdir(mode=0o700)
    (work / "spec.json").write_text("{}")
    runner = DockerRunner()
    touch = ("python3", "-c", "open('/w/ran', 'w').write('ran')")
    seen = ContainerRun(image=build_image, platform="linux/amd64", network="none",
                        user=runner.container_user(), command=touch,
                        volumes=(Volume(str(work), "/w", False),), expects="/w/spec.json")
    assert runner.run(seen, log=lambda line: None).exit_code == 0
    assert (work / "ran").read_text() == "ran"
    (work / "ran").unlink()
    blind = dataclasses.replace(seen, expects="/w/not-there.json")
    with pytest.raises(UnseenMount, match=r"/w/not-there\.json"):
        runner.run(blind, log=lambda line: None)
    assert not (work / "ran").exists()
    gone = dataclasses.replace(seen, volumes=(Volume(str(tmp_path / "nowhere"), "/w", False),))
    with pytest.raises(UnseenMount):
        runner.run(gone, log=lambda line: None)


def test_a_run_ends_at_the_exit_with_its_code_and_the_engine_removes_the_container(
        build_image: str, tmp_path: Path) -> None:
    """The exit code comes from the engine's die event, before the cleanup that syncs what
    the container wrote; everything it wrote through its mounts is there, and the container
    is gone soon after, removed by the engine."""
    import time
    work = tmp_path / "work"
    work.mkdir(mode=0o700)
    runner = DockerRunner()
    before = _mine(runner)
    script = ("import os, sys\n"
              "for i in range(50):\n"
              "    open(f'/w/f{i}', 'wb').write(bytes(1 << 20))\n"
              "print('wrote 50 MiB', flush=True)\n"
              "sys.exit(3)\n")
    result = _run_script(runner, build_image, work, script)
    assert result.exit_code == 3 and "wrote 50 MiB" in result.logs
    assert sorted(p.stat().st_size for p in work.iterdir()) == [1 << 20] * 50
    for _ in range(300):
        left = _mine(runner) - before
        if not left:
            break
        time.sleep(0.1)
    assert not left
