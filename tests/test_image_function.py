"""SlimPythonImageFunction for real: synth with the Docker engine, `docker build` the image
asset CDK lists FROM the stand-in Lambda base image (scripts/build-base-image.sh), run it
read-only as an unprivileged user with no network, and check the handler's answer; and the
base images it refuses, each with the error the README's troubleshooting table names."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from slim_lambda import (
    UNZIPPED_LIMIT_BYTES,
    BundlingOptions,
    ConfigurationError,
    SizeLimitError,
    SlimPythonFunction,
    SlimPythonImageFunction,
)
from slim_lambda.report.layout import mb
from tests.conftest import (
    REPO,
    TEST_BASE_IMAGE,
    TEST_IMAGE_ARM64,
    required_image,
)
from tests.test_docker_build import local_bundling
from tests.test_errors import ours

pytestmark = pytest.mark.docker

PY311 = lambda_.Runtime.PYTHON_3_11


@pytest.fixture
def tags() -> Iterator[list[str]]:
    """Image tags a test builds, removed afterwards."""
    made: list[str] = []
    yield made
    for tag in made:
        subprocess.run(["docker", "image", "rm", "-f", tag], capture_output=True, check=False)


def synth(entry: Path, outdir: Path, **kw: Any) -> dict[str, Any]:
    """One image function synthesized into ``outdir``: its template, assets manifest, image
    asset directory (as the manifest names it) and report."""
    app = cdk.App(outdir=str(outdir))
    SlimPythonImageFunction(cdk.Stack(app, "S"), "F", entry=str(entry), runtime=PY311, **kw)
    app.synth()
    assets = json.loads((outdir / "S.assets.json").read_text())
    ((image_hash, image),) = assets["dockerImages"].items()
    (report,) = outdir.glob("asset.*.slim-report.json")
    return {"template": json.loads((outdir / "S.template.json").read_text()),
            "image_hash": image_hash, "image": image,
            "directory": outdir / image["source"]["directory"],
            "report": json.loads(report.read_text())}


def docker_build(directory: Path, tags: list[str]) -> str:
    tag = f"slim-lambda-test/image-fn:{uuid.uuid4().hex[:12]}"
    tags.append(tag)
    proc = subprocess.run(["docker", "build", "-q", "--network", "none", "-t", tag,
                           str(directory)], capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return tag


def docker_run(tag: str, *command: str, event: object = None, entrypoint: str = ""
               ) -> subprocess.CompletedProcess[str]:
    """The image as Lambda runs it: read-only, as uid 993, no network, /tmp writable."""
    options = ["-e", f"LAMBDA_EVENT={json.dumps(event)}"] if event is not None else []
    options += ["--entrypoint", entrypoint] if entrypoint else []
    return subprocess.run(["docker", "run", "--rm", "--read-only", "--tmpfs", "/tmp",
                           "-u", "993:993", "--network", "none", *options, tag, *command],
                          capture_output=True, text=True, timeout=600)


def invoke(tag: str, event: object) -> Any:
    proc = docker_run(tag, event=event)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def check_template(built: dict[str, Any]) -> None:
    (function,) = [r for r in built["template"]["Resources"].values()
                   if r["Type"] == "AWS::Lambda::Function"]
    assert function["Properties"]["PackageType"] == "Image"
    assert built["image_hash"] in json.dumps(function["Properties"]["Code"]["ImageUri"])
    assert built["image"]["source"]["platform"] == "linux/amd64"
    assert (built["directory"] / "Dockerfile").read_text().splitlines()[2] == \
        f"FROM {TEST_BASE_IMAGE}"


def test_small_function_builds_and_runs_as_an_image(entry: Path, wheels: Path,
                                                    build_image: str, base_image: str,
                                                    tmp_path: Path, tags: list[str]) -> None:
    built = synth(entry, tmp_path / "cdk.out", base_image=base_image,
                  bundling=local_bundling(wheels, build_image, mode="docker"))
    check_template(built)
    report = built["report"]
    assert report["kind"] == "image" and report["base_image"] == base_image
    assert report["image_layers"] == [{"instruction": "COPY task/ ${LAMBDA_TASK_ROOT}/",
                                       "files": report["files"],
                                       "bytes": report["unzipped_bytes"]}]
    assert report["zipped_bytes"] is None and report["bytecode"]["choice"] == "all"
    assert report["limits"]["unzipped_bytes"] == 10 * 1024**3

    tag = docker_build(built["directory"], tags)
    assert invoke(tag, {"n": 1}) == {"sum": 5, "version": "1.0.0", "data": {"answer": 42}}
    listing = docker_run(tag, "-c", "import os; print(sorted(os.listdir('/var/task')))",
                         entrypoint="python3")
    files = listing.stdout.strip()
    assert "'index.py'" in files and "'slimfix_pure'" in files
    assert "Dockerfile" not in files and "'task'" not in files


def test_a_base_image_without_python_is_refused(entry: Path, wheels: Path, build_image: str,
                                                base_image: str, tmp_path: Path) -> None:
    busybox = required_image("busybox:latest", "scripts/build-runtime-images.sh",
                             "image function tests")
    with pytest.raises(Exception) as info:
        synth(entry, tmp_path / "cdk.out", base_image=busybox,
              bundling=local_bundling(wheels, build_image, mode="docker"))
    err = ours(info.value)
    assert isinstance(err, ConfigurationError)
    assert err.problems == [
        "base_image: busybox:latest has no python3.11 (it has no python3 at all), so Lambda "
        "could not run the handler in it; use a Lambda base image for python3.11 (leave "
        "base_image unset for the default, or point it at a mirror of that image)"]
    assert str(err).startswith("SlimPythonImageFunction S/F: 1 problem(s)")


def test_a_base_image_of_another_python_is_refused(entry: Path, wheels: Path,
                                                   build_image: str, build_image_al2023: str,
                                                   tmp_path: Path) -> None:
    with pytest.raises(Exception) as info:
        synth(entry, tmp_path / "cdk.out", base_image=build_image_al2023,
              bundling=local_bundling(wheels, build_image, mode="docker"))
    (problem,) = ours(info.value).problems  # type: ignore[attr-defined]
    assert problem.startswith(f"base_image: {build_image_al2023} has no python3.11 "
                              "(`python3.11 -c ...` failed in it (exit status 1))")


def test_a_base_image_of_another_architecture_is_refused_at_construct_time(
        entry: Path, build_image: str, tmp_path: Path) -> None:
    arm64 = required_image(TEST_IMAGE_ARM64, "scripts/build-test-image.sh --arch arm64",
                           "image function tests")
    app = cdk.App(outdir=str(tmp_path / "cdk.out"), context={"aws:cdk:bundling-stacks": []})
    with pytest.raises(ConfigurationError) as info:
        SlimPythonImageFunction(cdk.Stack(app, "S"), "F", entry=str(entry), runtime=PY311,
                                base_image=arm64)
    assert info.value.problems == [
        f"base_image: {arm64} is for arm64, but the function's architecture is "
        "x86_64 (linux/amd64); use the base image for x86_64 (keep {arch} in the template), "
        "or pass architecture= to match the image"]


@pytest.mark.slow
def test_large_stack_is_an_image_and_runs(build_image: str, base_image: str, tmp_path: Path,
                                          tags: list[str]) -> None:
    """pandas + pyarrow + scikit-learn from the package index: over 250 MiB slimmed, so no
    zip; as an image it builds, and the handler runs."""
    entry = REPO / "examples" / "image" / "function"
    bundling = BundlingOptions(mode="docker", image=build_image)
    built = synth(entry, tmp_path / "image.out", base_image=base_image, bundling=bundling)
    check_template(built)
    report = built["report"]
    assert report["unzipped_bytes"] > UNZIPPED_LIMIT_BYTES and report["limits"]["ok"]
    assert {"pandas", "pyarrow", "scikit-learn", "numpy", "scipy"} <= {
        p["name"] for p in report["packages"]}
    assert report["bytecode"]["choice"] == "all"
    assert {"pandas", "pyarrow", "sklearn"} <= set(report["verify"]["modules"])

    # the same bundle as a zip: refused, naming the image function and its exact size
    with pytest.raises(Exception) as info:
        app = cdk.App(outdir=str(tmp_path / "zip.out"))
        SlimPythonFunction(cdk.Stack(app, "S"), "F", entry=str(entry), runtime=PY311,
                           bundling=bundling)
    err = ours(info.value)
    assert isinstance(err, SizeLimitError)
    assert (f"SlimPythonImageFunction takes the same options, and this bundle would be an "
            f"image layer of {mb(report['unzipped_bytes'])}") in " ".join(str(err).split())

    tag = docker_build(built["directory"], tags)
    answer = invoke(tag, {"rows": 100})
    assert answer["rows"] == 100 and answer["parquet_bytes"] > 0
    assert answer["coef"] == pytest.approx(3.0) and answer["intercept"] == pytest.approx(2.0)
