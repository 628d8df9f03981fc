"""bundling.dockerfile for real: a Dockerfile FROM the local build image adds Debian's
libgomp1 (apt through the host's network and CA bundle); a fixture wheel linked against
libgomp builds and verifies in it, and fails verify in the plain image. An unchanged
Dockerfile is reused without ``docker build``; a changed one rebuilds; a failing one names
itself with its last lines; build args never show."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from slim_lambda import BundlingOptions, SizeLimits, SlimOptions
from slim_lambda.plan.request import BuildRequest
from slim_lambda.plan.resolve import resolve_request
from slim_lambda.run.container import DockerRunner
from slim_lambda.run.container_spec import BuiltImage, ImageBuild
from slim_lambda.run.dockerfile_image import built_image
from tests.fixtures.wheelhouse import build_gomp_wheel
from tests.test_docker_build import synth

pytestmark = pytest.mark.docker

SECRET = "s3cr3t-dockerfile-token"
DOCKERFILE = """\
ARG BASE
FROM ${BASE}
ARG TOKEN
# the SAM-like image's PATH has no sbin, which dpkg needs
RUN PATH=/usr/sbin:/sbin:$PATH apt-get update -qq \\
 && PATH=/usr/sbin:/sbin:$PATH DEBIAN_FRONTEND=noninteractive \\
    apt-get install -y -qq --no-install-recommends libgomp1 >/dev/null \\
 && rm -rf /var/lib/apt/lists/*
"""


class Counting(DockerRunner):
    """The real runner, counting the image builds it is asked for."""

    builds = 0

    def build_image(self, spec: ImageBuild, log: Any) -> BuiltImage:
        self.builds += 1
        return super().build_image(spec, log)


@pytest.fixture(scope="module")
def gomp_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_gomp_wheel(tmp_path_factory.mktemp("gomp-wheels")).parent


@pytest.fixture
def gomp_entry(tmp_path: Path) -> Path:
    d = tmp_path / "fn"
    d.mkdir()
    (d / "index.py").write_text("import slimfix_gomp\n\n\ndef handler(event, context):\n"
                                "    return {'threads': slimfix_gomp.threads()}\n")
    (d / "requirements.txt").write_text("slimfix-gomp\n")
    return d


def options(context: Path, wheels: Path, build_image: str, **kw: Any) -> BundlingOptions:
    return BundlingOptions(dockerfile=str(context / "Dockerfile"), mode="docker",
                           build_args={"BASE": build_image, "TOKEN": SECRET},
                           find_links=(str(wheels),), no_index=True, **kw)


def request_for(entry: Path, bundling: BundlingOptions) -> BuildRequest:
    request, _ = resolve_request(
        where="test", entry=str(entry), runtime="python3.11", architecture="x86_64",
        index="index.py", handler="handler", bundling=bundling, slim=SlimOptions(),
        limits=SizeLimits())
    return request


def test_a_dockerfile_image_adds_the_library_a_wheel_needs_and_is_built_once(
        gomp_entry: Path, gomp_wheels: Path, build_image: str, tmp_path: Path,
        clean_env: None, capfd: pytest.CaptureFixture[str]) -> None:
    context = tmp_path / "build-image"
    context.mkdir()
    (context / "Dockerfile").write_text(DOCKERFILE)
    (context / ".dockerignore").write_text("scratch/\n")
    # the README's advice: the bundle carries the library (Lambda has /var/task/lib on
    # LD_LIBRARY_PATH), so it runs where the image's libgomp is not
    bundling = options(context, gomp_wheels, build_image, after_install=(
        'mkdir -p "$SLIM_LAMBDA_TREE/lib" && cp /usr/lib/*-linux-gnu/libgomp.so.1 '
        '"$SLIM_LAMBDA_TREE/lib/"',))

    _, asset, report = synth(gomp_entry, tmp_path / "out1", bundling=bundling)
    assert "slimfix_gomp" in report["verify"]["modules"] and not report["import_failures"]
    assert report["image"].startswith("slim-lambda-build/build-image:")
    assert (asset / "lib" / "libgomp.so.1").is_file()
    ran = subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "-v", f"{asset}:/var/task:ro",
         "-e", "LD_LIBRARY_PATH=/var/task/lib", "-e", "PYTHONPATH=/var/task", build_image,
         "python3", "-c", "import index; print(index.handler({}, None)['threads'])"],
        capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0 and int(ran.stdout.split()[-1]) >= 1, ran.stderr
    output = capfd.readouterr()
    assert "building the build image from" in output.err + output.out
    assert SECRET not in output.err + output.out
    assert SECRET not in json.dumps(report) and SECRET not in Path(
        f"{asset}.slim-report.json").read_text()

    # unchanged (an ignored file aside): the index names the image, no docker build
    (context / "scratch").mkdir()
    (context / "scratch" / "notes.txt").write_text("not sent\n")
    runner = Counting()
    request = request_for(gomp_entry, bundling)
    assert built_image(request, runner, print) == report["image_id"]
    assert runner.builds == 0

    # changed: rebuilt, another image; then reused
    (context / "Dockerfile").write_text(DOCKERFILE + "RUN echo 2 > /etc/slim-test-v2\n")
    request = request_for(gomp_entry, bundling)
    second = built_image(request, runner, print)
    assert second != report["image_id"] and runner.builds == 1
    assert built_image(request_for(gomp_entry, bundling), runner, print) == second
    assert runner.builds == 1


def test_without_the_dockerfile_the_wheel_does_not_import(
        gomp_entry: Path, gomp_wheels: Path, build_image: str, tmp_path: Path,
        clean_env: None) -> None:
    _, _, report = synth(gomp_entry, tmp_path / "out", bundling=BundlingOptions(
        image=build_image, mode="docker", find_links=(str(gomp_wheels),), no_index=True))
    assert report["import_failures"] == ["slimfix_gomp"]
    assert "libgomp.so.1: cannot open" in json.dumps(report["verify"]["failed_before"])


def test_a_failing_dockerfile_names_itself_with_its_last_lines(
        gomp_entry: Path, gomp_wheels: Path, build_image: str, tmp_path: Path,
        clean_env: None) -> None:
    context = tmp_path / "broken"
    context.mkdir()
    (context / "Dockerfile").write_text(
        "ARG BASE\nFROM ${BASE}\nARG TOKEN\n"
        "RUN echo \"fetching with $TOKEN\" && echo 'no such package' >&2 && exit 3\n")
    out = tmp_path / "out"
    with pytest.raises(Exception) as raised:  # CDK's error around our DockerError
        synth(gomp_entry, out, bundling=options(context, gomp_wheels, build_image))
    text = str(raised.value)
    assert f"the build image's Dockerfile {context}/Dockerfile failed to build: " in text
    assert "returned a non-zero code: 3" in text and "no such package" in text
    assert "fetching with ***" in text and SECRET not in text
    assert not [p for p in out.iterdir() if p.name.startswith("asset.")
                and not p.name.endswith("-building")], "no asset a later synth could reuse"
