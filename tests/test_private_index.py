"""A credentialed private index: the build installs from it, and the credentials never
appear in cdk.out (template, asset, hash, report), in the logs or in an error."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from slim_lambda import BundlingOptions, SlimPythonFunction
from tests.fixtures.grep import files_containing
from tests.fixtures.index_server import serve_index

pytestmark = pytest.mark.docker


@pytest.mark.parametrize("mode", ["docker", "local"])
def test_credentialed_index_installs_and_leaks_nothing(
        mode: str, entry: Path, wheels: Path, build_image: str, tmp_path: Path,
        clean_env: None, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    build_from_private_index(entry, wheels, tmp_path, monkeypatch, capfd,
                             BundlingOptions(mode=mode, image=build_image))


def build_from_private_index(entry: Path, wheels: Path, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch,
                             capfd: pytest.CaptureFixture[str], bundling: BundlingOptions
                             ) -> Path:
    """Build ``entry`` from a credentialed index (a second login passed through the
    environment) with ``bundling`` and check that no credential leaked; returns cdk.out."""
    mode = bundling.mode
    local_wheels = tmp_path / "wheels"
    local_wheels.mkdir()
    for w in wheels.iterdir():
        (local_wheels / w.name).write_bytes(w.read_bytes())
    if mode == "local":  # uv takes manylinux wheels only: serve the pure package alone
        (entry / "requirements.txt").write_text("slimfix-pure\n")
        (entry / "index.py").write_text(
            "import slimfix_pure\n\n\ndef handler(event, context):\n"
            "    return slimfix_pure.VERSION\n")
    token = "tok-0123456789-secret"
    monkeypatch.setenv("MY_INDEX_TOKEN", token)
    with serve_index(local_wheels, more_users={"robot": token}) as index:
        # a second credential reaches the build through the passed-through environment
        extra = index.url.replace("http://", f"http://robot:{token}@")
        monkeypatch.setenv("PIP_EXTRA_INDEX_URL", extra)
        monkeypatch.setenv("UV_EXTRA_INDEX_URL", extra)
        outdir = tmp_path / "cdk.out"
        app = cdk.App(outdir=str(outdir))
        stack = cdk.Stack(app, "S")
        SlimPythonFunction(stack, "F", entry=str(entry), runtime=lambda_.Runtime.PYTHON_3_11,
                           bundling=replace(
                               bundling, index_url=index.authed_url,
                               pass_environment=("PIP_*", "UV_*", "MY_INDEX_TOKEN")))
        app.synth()
        assert any(ok for _path, ok in index.requests), "the build never used the index"
        assert any(path.startswith("/files/") and ok for path, ok in index.requests)
    out, err = capfd.readouterr()
    secrets = (index.password, token)
    assert not files_containing(outdir, *secrets), files_containing(outdir, *secrets)
    for text in (out, err):
        for secret in secrets:
            assert secret not in text
    # the report names the index without its credentials
    (report,) = outdir.glob("asset.*.slim-report.json")
    assert index.user not in report.read_text() or "***" in report.read_text()
    return outdir


def test_wrong_credentials_fail_without_echoing_them(entry: Path, wheels: Path,
                                                     build_image: str, tmp_path: Path,
                                                     clean_env: None) -> None:
    with serve_index(wheels) as index:
        wrong = index.url.replace("http://", "http://ci-bot:not-the-password-42@")
        app = cdk.App(outdir=str(tmp_path / "cdk.out"))
        stack = cdk.Stack(app, "S")
        with pytest.raises(Exception) as info:
            SlimPythonFunction(stack, "F", entry=str(entry),
                               runtime=lambda_.Runtime.PYTHON_3_11,
                               bundling=BundlingOptions(mode="docker", image=build_image,
                                                        index_url=wrong))
    text = str(info.value)
    assert "install:" in text
    assert "not-the-password-42" not in text
    assert not files_containing(tmp_path / "cdk.out", "not-the-password-42")
    # and no container was left behind (the engine removes it a moment after its exit)
    deadline = time.monotonic() + 30
    while left := subprocess.run(["docker", "ps", "-aq", "--filter", "label=slim-lambda=build"],
                                 capture_output=True, text=True).stdout.split():
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert left == [] or os.environ.get("SLIM_LAMBDA_TEST_SHARED_DOCKER")
