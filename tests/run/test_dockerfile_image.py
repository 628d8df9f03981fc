"""run/dockerfile_image.py and run/image_index.py without Docker: the index pins a built
image's ID into the asset hash; a failing build names the Dockerfile and hides build args;
``auto`` never silently builds locally past a Dockerfile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from slim_lambda.errors import DockerError
from slim_lambda.options import BundlingOptions
from slim_lambda.run.container_spec import BuiltImage
from slim_lambda.run.dockerfile_image import NOT_BUILT, build_failure, pinned_image
from slim_lambda.run.image_index import index_file, lookup, record
from slim_lambda.run.target import pin_target
from tests.requests import MakeRequest

SECRET = "s3cr3t-build-token"
IMAGE_ID = "sha256:" + "ab" * 32


class Engine:
    """An engine socket that answers, and has the images named."""

    remote = False  # a local socket, as EngineSocket.remote says

    def __init__(self, *images: str) -> None:
        self.images = images

    def ping(self) -> bool:
        return bool(self.images)

    def image(self, name: str) -> dict[str, Any] | None:
        return {"Id": name, "Architecture": "amd64"} if name in self.images else None


@pytest.fixture
def dockerfile(tmp_path: Path) -> Path:
    d = tmp_path / "image"
    d.mkdir()
    (d / "Dockerfile").write_text("FROM scratch\n")
    return d / "Dockerfile"


def test_the_index_pins_the_built_image_while_the_engine_has_it(
        dockerfile: Path, tmp_path: Path, make_request: MakeRequest) -> None:
    request = make_request(bundling=BundlingOptions(
        dockerfile=str(dockerfile), cache_dir=str(tmp_path / "cache"), mode="docker"))
    build = request.image_build
    assert build is not None
    assert pinned_image(request, Engine(IMAGE_ID)) == build.tag + NOT_BUILT  # type: ignore[arg-type]
    record(build.index_key, IMAGE_ID, build.path, str(tmp_path / "cache"))
    assert lookup(build.index_key, str(tmp_path / "cache")) == IMAGE_ID
    assert pinned_image(request, Engine(IMAGE_ID)) == IMAGE_ID  # type: ignore[arg-type]
    assert pinned_image(request, Engine("sha256:other")) == build.tag + NOT_BUILT  # type: ignore[arg-type]
    assert pin_target(request, Engine(IMAGE_ID), {}).image_id == IMAGE_ID  # type: ignore[arg-type]
    Path(index_file(build.index_key, str(tmp_path / "cache"))).write_text("{")
    assert lookup(build.index_key, str(tmp_path / "cache")) is None


def test_a_failing_build_names_the_dockerfile_shows_the_last_lines_hides_build_args(
        dockerfile: Path, make_request: MakeRequest) -> None:
    request = make_request(bundling=BundlingOptions(
        dockerfile=str(dockerfile), build_args={"TOKEN": SECRET, "V": "1"}))
    assert request.image_build is not None
    lines = (*(f"line {n}" for n in range(40)), f"curl -H 'token: {SECRET}' failed")
    text = build_failure(request.image_build, BuiltImage(
        None, f"The command '/bin/sh -c fetch {SECRET}' returned a non-zero code: 22", lines))
    assert text.startswith(f"the build image's Dockerfile {dockerfile} failed to build: "
                           "The command '/bin/sh -c fetch ***' returned a non-zero code: 22\n")
    assert SECRET not in text and "curl -H 'token: ***' failed" in text
    assert "line 16" in text and "line 15" not in text
    assert text.endswith("Fix the Dockerfile (bundling.dockerfile) and synth again.")


def test_auto_with_a_dockerfile_and_no_engine_is_an_error(
        dockerfile: Path, make_request: MakeRequest) -> None:
    request = make_request(bundling=BundlingOptions(dockerfile=str(dockerfile)))
    with pytest.raises(DockerError, match=f"bundling.dockerfile {dockerfile} needs a Docker "
                                          "engine to build its image, and none answers"):
        pin_target(request, Engine(), {})  # type: ignore[arg-type]
    assert pin_target(request, Engine(), {"SLIM_LAMBDA_MODE": "local"}).mode == "local"  # type: ignore[arg-type]
