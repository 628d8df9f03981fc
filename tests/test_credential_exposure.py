"""Index credentials and secret variables are seen by the installer only: never on a
command line (``ps``), never in the build container's configuration (``docker inspect``),
never in the spec on disk, and nowhere the build leaves behind (cdk.out, the cache, the
temporary directories, the logs, the report).

A watcher polls ``ps -ww`` (whole command lines), ``docker inspect`` of the build containers
and the stages' work directories while the build runs against a basic-auth index on loopback.
"""

from __future__ import annotations

import glob
import os
import stat
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from slim_lambda import BundlingOptions, SlimPythonFunction
from slim_lambda.pipeline.spec import NETRC_FILE, PRIVATE_ENV_FILE
from slim_lambda.run import uvbin
from slim_lambda.run.container import PID_LABEL
from slim_lambda.run.uvbin import host_uv
from tests.fixtures.grep import files_containing
from tests.fixtures.index_server import serve_index

pytestmark = pytest.mark.docker

ENV_SECRET = "envsecret-4242-do-not-show"
"""A ``bundling.environment`` value."""
TOKEN = "tok-0123456789-secret"
"""A passed-through variable's value, and the password of a second index login."""


class Watcher:
    """Every ~0.1 s: the host's command lines, ``docker inspect`` of every build container,
    and every file of the stages' work directories under ``tmp`` but the two that hold the
    credentials (only their modes)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.seen: list[tuple[str, str]] = []
        """(where, text) of everything seen: ``ps``, ``docker inspect``, a file's path."""
        self.containers: set[str] = set()
        self.work_files: set[str] = set()
        self.credential_modes: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _run(self, *cmd: str) -> str:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout

    def _poll(self) -> None:
        self.seen.append(("ps", self._run("ps", "-ww", "-eo", "args")))
        ids = self._run("docker", "ps", "-aq", "--no-trunc", "--filter",
                        "label=slim-lambda=build", "--filter",
                        f"label={PID_LABEL}={os.getpid()}").split()  # this build's only
        if ids:
            self.containers.update(ids)
            self.seen.append(("docker inspect", self._run("docker", "inspect", *ids)))
        for path in map(Path, glob.glob(str(self.tmp / "slim-lambda-*" / "**"),
                                        recursive=True)):
            try:
                if path.name in (NETRC_FILE, PRIVATE_ENV_FILE):  # where they belong: private
                    self.credential_modes.add(stat.S_IMODE(path.stat().st_mode))
                elif path.is_file():
                    self.seen.append((str(path), path.read_text(errors="replace")))
                self.work_files.add(path.name)
            except OSError:
                pass

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self._poll()

    @contextmanager
    def running(self) -> Iterator[Watcher]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(timeout=60)

    def hits(self, *secrets: str) -> list[str]:
        """Where each secret was seen, once per place, with what surrounds it."""
        found: dict[tuple[str, str], str] = {}
        for where, text in self.seen:
            for secret in secrets:
                if secret in text and (where, secret) not in found:
                    at = text.index(secret)
                    around = text[max(0, at - 120):at + 40]
                    found[where, secret] = f"{where}: {secret} in ...{around}..."
        return list(found.values())


@pytest.mark.parametrize("mode", ["docker", "local"])
def test_no_credential_is_visible_while_or_after_building(
        mode: str, entry: Path, wheels: Path, build_image: str, tmp_path: Path,
        clean_env: None, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("TMPDIR", str(tmp))
    cache = tmp_path / "cache"
    monkeypatch.setenv("SLIM_LAMBDA_CACHE_DIR", str(cache))
    if mode == "local":
        # uv takes well under the polling interval: a uv that waits first, so ps sees the
        # command line it was given
        slow = tmp_path / "slow"
        slow.mkdir()
        (slow / "uv").write_text(f"#!/bin/sh\nsleep 1\nexec {host_uv()} \"$@\"\n")
        (slow / "uv").chmod(0o755)
        monkeypatch.setattr(uvbin, "host_uv", lambda: str(slow / "uv"))
        # uv takes manylinux wheels only: serve the pure package alone
        (entry / "requirements.txt").write_text("slimfix-pure\n")
        (entry / "index.py").write_text(
            "import slimfix_pure\n\n\ndef handler(event, context):\n"
            "    return slimfix_pure.VERSION\n")
    monkeypatch.setenv("MY_INDEX_TOKEN", TOKEN)
    empty = tmp_path / "empty"
    empty.mkdir()
    # the passed-through index has other credentials: the main one authenticates by netrc
    # downloads that take a second: the installer outlives the watcher's polls (uv in the
    # build image is as quick as in local mode, and cannot be wrapped there)
    with serve_index(wheels, file_delay=1.0) as index, \
            serve_index(empty, user="robot", password=TOKEN) as other:
        extra = other.authed_url
        monkeypatch.setenv("PIP_EXTRA_INDEX_URL", extra)
        monkeypatch.setenv("UV_EXTRA_INDEX_URL", extra)
        outdir = tmp_path / "cdk.out"
        app = cdk.App(outdir=str(outdir))
        stack = cdk.Stack(app, "S")
        with Watcher(tmp).running() as watcher:
            SlimPythonFunction(
                stack, "F", entry=str(entry), runtime=lambda_.Runtime.PYTHON_3_11,
                bundling=BundlingOptions(
                    mode=mode, image=build_image, index_url=index.authed_url,
                    environment={"DEPLOY_SETTING": ENV_SECRET},
                    pass_environment=("PIP_*", "UV_*", "MY_INDEX_TOKEN")))
            app.synth()
        assert any(path.startswith("/files/") and ok for path, ok in index.requests), \
            "the build never downloaded from the index"
        assert any(ok for _path, ok in other.requests), "the build never asked the other index"
    out, err = capfd.readouterr()
    secrets = (index.password, TOKEN, ENV_SECRET)
    installer = "pip install" if mode == "docker" else "uv pip install"
    assert any(installer in text for where, text in watcher.seen if where == "ps"), \
        "the watcher never saw the installer"
    assert "spec.json" in watcher.work_files, "the watcher never saw a stage's spec"
    if mode == "docker":
        assert watcher.containers, "the watcher never saw a build container"
    assert not watcher.hits(*secrets), "\n".join(watcher.hits(*secrets))
    assert watcher.credential_modes <= {0o600}, watcher.credential_modes
    for root in (outdir, cache, tmp):
        assert not files_containing(root, *secrets), files_containing(root, *secrets)
    assert not [s for s in secrets for text in (out, err) if s in text]
    (report,) = outdir.glob("asset.*.slim-report.json")
    assert not [s for s in secrets if s in report.read_text()]
