"""``bundling.provided``: what the Lambda runtime ships is not bundled. Real boto3 from the
index, the build image's /var/runtime as the runtime's copy (the stand-in has one, as the
SAM build image has the Lambda base image's), and the handler run the way Lambda runs it,
with /var/runtime last on sys.path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slim_lambda import BundlingOptions
from tests.test_docker_build import run_in_image, synth

SDK = {"boto3", "botocore", "s3transfer", "jmespath"}
HANDLER = ("import boto3\nimport yaml\n\n\ndef handler(event, context):\n"
           "    return {'boto3': boto3.__version__, 'from': boto3.__file__,\n"
           "            'yaml': yaml.safe_load('a: 1')}\n")


def _entry(tmp_path: Path, requirements: str) -> Path:
    entry = tmp_path / "fn"
    entry.mkdir()
    (entry / "index.py").write_text(HANDLER)
    (entry / "requirements.txt").write_text(requirements)
    return entry


def _as_lambda(image: str, asset: Path) -> dict[str, object]:
    ran = run_in_image(image, asset, "import sys, json; sys.path.append('/var/runtime'); "
                       "import index; print(json.dumps(index.handler({}, None)))")
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout.strip().splitlines()[-1])


@pytest.mark.docker
def test_the_runtime_preset_leaves_out_the_sdk_and_says_what_it_saved(
        build_image: str, tmp_path: Path, clean_env: None) -> None:
    entry = _entry(tmp_path, "boto3\npyyaml==6.0.2\n")
    _t, asset, report = synth(entry, tmp_path / "out", bundling=BundlingOptions(
        mode="docker", image=build_image, provided=("runtime",)))

    tops = {p.name.split("-")[0].split(".")[0] for p in asset.iterdir()}
    assert not tops & SDK and "yaml" in tops
    provided = {p["name"]: p for p in report["provided"]}
    assert set(provided) >= SDK
    assert {p["runtime_version"] for n, p in provided.items() if n in ("boto3", "botocore")} \
        == {"1.34.145"}  # what the stand-in's /var/runtime holds
    saved = sum(p["bytes"] for p in report["provided"])
    assert saved > 10_000_000  # botocore alone is tens of MB
    assert {"rule": "provided", "files": sum(p["files"] for p in report["provided"]),
            "bytes": saved} in report["removed_by_rule"]
    # the newest boto3 was resolved; Lambda imports the runtime's: a warning says so
    assert any(w.startswith(f"provided: boto3 {provided['boto3']['version']} was resolved, "
                            "but the runtime ships 1.34.145") for w in report["warnings"])
    # verify and the probe imported boto3 from the runtime's copy: nothing failed
    assert report["import_failures"] == [] and report["verify"]["failed_before"] == []
    assert _as_lambda(build_image, asset) == {
        "boto3": "1.34.145", "from": "/var/runtime/boto3/__init__.py", "yaml": {"a": 1}}


@pytest.mark.docker
def test_a_named_package_goes_and_an_unknown_name_only_warns(
        build_image: str, tmp_path: Path, clean_env: None) -> None:
    entry = _entry(tmp_path, "boto3==1.34.145\npyyaml==6.0.2\n")
    _t, asset, report = synth(entry, tmp_path / "out", bundling=BundlingOptions(
        mode="docker", image=build_image, provided=("boto3", "not-installed")))
    assert sorted(p["name"] for p in report["provided"]) == [
        "boto3", "botocore", "jmespath", "python-dateutil", "s3transfer", "six", "urllib3"]
    assert ("provided: not-installed is not installed, so there is nothing to leave out for "
            "it; remove it from bundling.provided") in report["warnings"]
    # boto3 is pinned to the runtime's; pip took the newest botocore boto3 allows
    shipped = [w.split(" was resolved")[0] for w in report["warnings"] if "runtime ships" in w]
    assert "provided: boto3 1.34.145" not in shipped
    assert any(w.startswith("provided: botocore 1.34.") for w in shipped)
    assert _as_lambda(build_image, asset)["boto3"] == "1.34.145"


@pytest.mark.docker
@pytest.mark.slow
def test_the_seed_workload_with_boto3_added_leaves_the_sdk_to_the_runtime(
        build_image: str, tmp_path: Path, clean_env: None) -> None:
    seed = Path(__file__).resolve().parent.parent / "examples" / "seed" / "function"
    entry = tmp_path / "fn"
    entry.mkdir()
    (entry / "index.py").write_text((seed / "index.py").read_text()
                                    + "\n\nimport boto3  # noqa: E402\n")
    (entry / "requirements.txt").write_text((seed / "requirements.txt").read_text() + "boto3\n")
    _t, asset, report = synth(entry, tmp_path / "out", bundling=BundlingOptions(
        mode="docker", image=build_image, provided=("runtime",)))
    names = {p["name"] for p in report["packages"]}
    assert {"numpy", "scipy", "scikit-learn"} <= names and not names & SDK
    saved = sum(p["bytes"] for p in report["provided"])
    assert saved > 10_000_000
    assert report["import_failures"] == []
    ran = run_in_image(build_image, asset, "import sys, json; sys.path.append('/var/runtime'); "
                       "import index, boto3; print(json.dumps(index.handler({}, None)), "
                       "boto3.__file__)")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().endswith("/var/runtime/boto3/__init__.py")
