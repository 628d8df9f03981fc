"""Shared fixtures: the Docker engine and build image, fixture wheels, entry trees."""

from __future__ import annotations

import atexit
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from slim_lambda.run import zipafter
from slim_lambda.run.cache import default_cache_dir
from tests.deploy.cli import image_template, need
from tests.deploy.emulator import Emulator, images_problem, running_emulator

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
# one dependency cache per test session, never the developer's own
os.environ["SLIM_LAMBDA_CACHE_DIR"] = tempfile.mkdtemp(prefix="slim-lambda-test-cache-")
atexit.register(shutil.rmtree, os.environ["SLIM_LAMBDA_CACHE_DIR"], ignore_errors=True)
# and never the developer's remote cache (tests/test_remote_cache.py starts its own)
for _var in ("SLIM_LAMBDA_REMOTE_CACHE", "SLIM_LAMBDA_REMOTE_CACHE_WRITE",
             "SLIM_LAMBDA_REMOTE_CACHE_REQUIRED"):
    os.environ.pop(_var, None)

REPO = Path(__file__).resolve().parent.parent
DEPLOY_RUNTIME = "python3.11"
"""The runtime of the functions the deploy tests deploy (the emulator's runtime image)."""
TEST_IMAGE = os.environ.get("SLIM_LAMBDA_TEST_IMAGE",
                            "slim-lambda-test/build-python3.11:latest-x86_64")
TEST_IMAGE_AL2023 = os.environ.get("SLIM_LAMBDA_TEST_IMAGE_AL2023",
                                   "slim-lambda-test/build-python3.13:latest-x86_64")
TEST_IMAGE_ARM64 = os.environ.get("SLIM_LAMBDA_TEST_IMAGE_ARM64",
                                  "slim-lambda-test/build-python3.11:latest-arm64")
TEST_BASE_IMAGE = os.environ.get("SLIM_LAMBDA_TEST_BASE_IMAGE",
                                 "slim-lambda-test/lambda-base:python3.11-x86_64")


def _docker_problem(image: str = TEST_IMAGE, build: str = "scripts/build-test-image.sh"
                    ) -> str | None:
    if shutil.which("docker") is None:
        return "no docker client"
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        return "no Docker engine answers"
    if subprocess.run(["docker", "image", "inspect", image],
                      capture_output=True).returncode != 0:
        return f"build image {image} missing (run {build})"
    return None


@pytest.fixture(scope="session")
def build_image() -> str:
    """The local Lambda-like build image. On CI a missing engine or image fails, never skips."""
    problem = _docker_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"Docker tests must run on CI: {problem}")
        pytest.skip(problem)
    return TEST_IMAGE


@pytest.fixture(scope="session")
def build_image_arm64() -> str:
    """The local arm64 build image, run under qemu-user-static on other machines. On CI a
    missing engine, image or emulator fails, never skips."""
    build = "scripts/build-test-image.sh --arch arm64"
    problem = _docker_problem(TEST_IMAGE_ARM64, build)
    emulator = Path("/proc/sys/fs/binfmt_misc/qemu-aarch64")
    if problem is None:
        arch = subprocess.run(["docker", "image", "inspect", "-f", "{{.Architecture}}",
                               TEST_IMAGE_ARM64], capture_output=True, text=True).stdout.strip()
        if arch != "arm64":
            problem = f"build image {TEST_IMAGE_ARM64} is for {arch}, not arm64 (run {build})"
        elif platform.machine() not in ("aarch64", "arm64") and not (
                emulator.exists() and emulator.read_text().startswith("enabled")):
            problem = f"no arm64 emulation: {emulator} (run scripts/enable-arm64-emulation.sh)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"arm64 Docker tests must run on CI: {problem}")
        pytest.skip(problem)
    return TEST_IMAGE_ARM64


def required_image(image: str, build: str, tests: str) -> str:
    """``image``, made by ``build``; the test skips without it, except on CI, where the
    ``tests`` that need it fail instead."""
    problem = _docker_problem(image, build)
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{tests} must run on CI: {problem}")
        pytest.skip(problem)
    return image


@pytest.fixture(scope="session")
def build_image_al2023(build_image: str) -> str:
    """The python3.13 stand-in for Amazon Linux 2023 (trixie, wheels up to glibc 2.34)."""
    return required_image(TEST_IMAGE_AL2023, "scripts/build-test-image.sh --suite trixie",
                          "Amazon Linux 2023 Docker tests")


@pytest.fixture(scope="session")
def base_image(build_image: str) -> str:
    """The stand-in Lambda base image the image function's tests build on."""
    return required_image(TEST_BASE_IMAGE, "scripts/build-base-image.sh",
                          "image function tests")


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheelhouse of fixture wheels (a pure package and a C extension built by gcc)."""
    from tests.fixtures.wheelhouse import build_wheelhouse

    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture
def entry(tmp_path: Path) -> Path:
    """A function entry using both fixture packages."""
    d = tmp_path / "fn"
    d.mkdir()
    (d / "index.py").write_text(
        "import slimfix_pure\nfrom slimfix_cext import add\n\n\n"
        "def handler(event, context):\n"
        "    return {'sum': add(2, 3), 'version': slimfix_pure.VERSION,\n"
        "            'data': slimfix_pure.load_data()}\n")
    (d / "requirements.txt").write_text("slimfix-pure\nslimfix-cext\n")
    return d


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No image override or CA bundle from the caller's environment."""
    for var in ("SLIM_LAMBDA_IMAGE", "SLIM_LAMBDA_BASE_IMAGE", "SLIM_LAMBDA_CA_BUNDLE"):
        monkeypatch.delenv(var, raising=False)
    yield


@pytest.fixture(scope="session")
def seed_synth(build_image: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/seed synthesized once per session with `cdk synth` and the local build image
    (the seed and deploy tests share it)."""
    return _synth_seed(build_image, tmp_path_factory.mktemp("seed") / "cdk.out")


@pytest.fixture(scope="session")
def seed_synth_again(seed_synth: Path, build_image: str,
                     tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/seed synthesized a second time, once the first synth's background
    measurement of the new tree's exact zip shares is done: its report has them."""
    assert zipafter.wait(default_cache_dir())
    return _synth_seed(build_image, tmp_path_factory.mktemp("seed-again") / "cdk.out")


def _synth_seed(build_image: str, outdir: Path) -> Path:
    cdk = shutil.which("cdk")
    if cdk is None:
        if os.environ.get("CI"):
            pytest.fail("the CDK CLI must be on PATH on CI (scripts/dev-env.sh installs it)")
        pytest.skip("no CDK CLI on PATH")
    env = dict(os.environ, SLIM_LAMBDA_IMAGE=image_template(build_image))
    proc = subprocess.run([cdk, "synth", "--quiet", "--output", str(outdir)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "slim-lambda: SlimLambdaSeed/Seed" in proc.stderr, "the report is printed at synth"
    return outdir


@pytest.fixture(scope="module")
def emulator(build_image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """AWS emulated by moto on loopback, one per deploy test module (python3.11 functions
    run in the local runtime image)."""
    need(images_problem(DEPLOY_RUNTIME))
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with running_emulator(log, runtime=DEPLOY_RUNTIME) as emu:
        yield emu
