"""plan/build_image.py: a Dockerfile's build image is identified by the Dockerfile and the
context the engine receives (.dockerignore honoured); build args change only the local
index key, never the asset hash or the deps key; bad options are named at construct time."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import aws_cdk as cdk
import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.options import BundlingOptions
from slim_lambda.plan.build_image import TAG_REPO, dockerfile_build
from slim_lambda.plan.keys import deps_key, fingerprint
from slim_lambda.run.target import pin_request
from tests.requests import MakeRequest

SECRET = "s3cr3t-build-token"


@pytest.fixture
def context(tmp_path: Path) -> Path:
    d = tmp_path / "Build Image"
    d.mkdir()
    (d / "Dockerfile").write_text("FROM scratch\nCOPY lib.txt /\n")
    (d / "lib.txt").write_text("one\n")
    (d / "notes").mkdir()
    (d / "notes" / "draft.md").write_text("ignored\n")
    (d / ".dockerignore").write_text("# not sent\nnotes/\n")
    return d


def test_the_digest_is_the_dockerfile_and_the_context_the_engine_receives(
        context: Path) -> None:
    first = dockerfile_build(str(context / "Dockerfile"), {})
    assert first.tag == f"{TAG_REPO}/build-image:{first.digest[:16]}"
    assert (first.context, first.file) == (str(context), "Dockerfile")
    (context / "notes" / "draft.md").write_text("ignored, changed\n")
    assert dockerfile_build(str(context / "Dockerfile"), {}).digest == first.digest
    (context / "lib.txt").write_text("two\n")
    second = dockerfile_build(str(context / "Dockerfile"), {})
    assert second.digest != first.digest
    (context / "Dockerfile").write_text("FROM scratch\nCOPY lib.txt /lib2.txt\n")
    assert dockerfile_build(str(context / "Dockerfile"), {}).digest != second.digest


def test_build_args_change_the_index_key_only(context: Path, make_request: MakeRequest) -> None:
    plain = dockerfile_build(str(context / "Dockerfile"), {"TOKEN": SECRET})
    other = dockerfile_build(str(context / "Dockerfile"), {"TOKEN": SECRET + "2"})
    assert plain.digest == other.digest and plain.tag == other.tag
    assert plain.index_key != other.index_key
    requests = [pin_request(make_request(bundling=BundlingOptions(
        dockerfile=str(context / "Dockerfile"), build_args={"TOKEN": token}, mode="docker")),
        None, {}) for token in (SECRET, SECRET + "2")]
    assert requests[0].image == plain.tag and requests[0].image_build == plain
    assert fingerprint(requests[0]) == fingerprint(requests[1])
    assert requests[0].pinned is not None
    assert deps_key(requests[0], requests[0].pinned) == deps_key(requests[1], requests[0].pinned)
    assert requests[0].pinned.image_id == f"{plain.tag} (Dockerfile not built on this machine)"
    assert SECRET not in repr(requests[0].pinned)


def test_bad_dockerfile_options_are_named(context: Path, make_request: MakeRequest) -> None:
    with pytest.raises(ConfigurationError) as raised:
        make_request(bundling=BundlingOptions(dockerfile=str(context / "Nope"), image="x:1"))
    assert raised.value.problems == [
        "bundling.dockerfile: given with bundling.image; give one (the Dockerfile's FROM "
        "names the image it builds on)",
        f"bundling.dockerfile: cannot find {context}/Nope; pass the path of a Dockerfile "
        "(its directory is the build context)"]
    with pytest.raises(ConfigurationError, match=r"given without bundling\.dockerfile"):
        make_request(bundling=BundlingOptions(build_args={"A": "b"}))
    with pytest.raises(ConfigurationError, match="must map names to strings"):
        make_request(bundling=BundlingOptions(dockerfile=str(context / "Dockerfile"),
                                              build_args={"A": 1}))  # type: ignore[dict-item]
    registry = cdk.DockerImage.from_registry("python:3.11")
    with pytest.raises(ConfigurationError, match=r"pass bundling\.dockerfile=f'\{path\}/\{file\}'"):
        make_request(bundling=replace(BundlingOptions(), image=registry))  # type: ignore[arg-type]
