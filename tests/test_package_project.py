"""A function that is itself a package (pyproject.toml with a build backend, handler in
src/): its locked dependencies install exactly, the project installs as a package, and
Lambda's handler string is the package's module path."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_lambda as lambda_

from slim_lambda import BundlingOptions, SlimPythonFunction
from tests.fixtures.projects import build_lock_wheelhouse, uv_project
from tests.test_docker_build import run_in_image

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_src_layout_package_with_uv_lock(wheels: Path, build_image: str, tmp_path: Path,
                                         clean_env: None) -> None:
    house = build_lock_wheelhouse(tmp_path / "house", wheels)
    entry = uv_project(tmp_path / "fn", house, package=True)
    outdir = tmp_path / "cdk.out"
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "S")
    # setuptools (the project's build backend) comes from the package index
    SlimPythonFunction(stack, "F", entry=str(entry), runtime=lambda_.Runtime.PYTHON_3_11,
                       index="fn/handler.py",
                       bundling=BundlingOptions(mode="docker", image=build_image,
                                                find_links=(str(house.path),)))
    template = assertions.Template.from_stack(stack)
    app.synth()
    template.has_resource_properties("AWS::Lambda::Function", {"Handler": "fn.handler.handler"})
    (report_path,) = outdir.glob("asset.*.slim-report.json")
    report = json.loads(report_path.read_text())
    assert report["manifest"]["kind"] == "uv.lock" and report["manifest"]["project"] == "."
    versions = {p["name"]: p["version"] for p in report["packages"]}
    assert versions == {"fn": "0.1.0", "slimfix-top": "1.0.0", "slimfix-pure": "1.0.0"}
    asset = Path(str(report_path).removesuffix(".slim-report.json"))
    assert (asset / "fn" / "handler.py").is_file()
    assert not (asset / "src").exists(), "the project is installed, not copied as loose files"
    run = run_in_image(build_image, asset, "import json, fn.handler as h\n"
                                           "print(json.dumps(h.handler({}, None)))")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == {"top": "1.0.0"}
