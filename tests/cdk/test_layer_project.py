"""Shared code in a layer, as PythonFunction users do it (its integration test
``integ.function.project``): the layer entry holds ``shared.py`` beside a
``requirements.txt``, the function imports ``shared``, and the function pins urllib3 1.26.7
where the layer pins 1.26.17. Real packages from the index, the Docker build image, and
the handler run with the function at /var/task and the layer at /opt, both read-only.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from slim_lambda import BundlingOptions, SlimPythonFunction, SlimPythonLayerVersion
from slim_lambda.pipeline.errors import BuildError
from tests.cdk.test_layer import _reports
from tests.test_errors import ours

PY311 = lambda_.Runtime.PYTHON_3_11
LAYER_REQUIREMENTS = ("certifi==2023.7.22\nchardet==3.0.4\nidna==2.10\nurllib3==1.26.17\n")
FUNCTION_REQUIREMENTS = ("certifi==2023.7.22\nchardet==3.0.4\nidna==2.10\nurllib3==1.26.7\n"
                         "requests==2.31.0\n")
HANDLER = '''import requests
import urllib3

import shared


def handler(event, context):
    return {"statusCode": 200, "body": shared.get_url(), "requests": requests.__version__,
            "urllib3": urllib3.__version__, "urllib3_from": urllib3.__file__}
'''


def _project(root: Path) -> tuple[Path, Path]:
    layer, function = root / "shared", root / "lambda"
    layer.mkdir()
    function.mkdir()
    (layer / "requirements.txt").write_text(LAYER_REQUIREMENTS)
    (layer / "shared.py").write_text("def get_url() -> str:\n"
                                     "    return 'https://example.invalid/logo.png'\n")
    (layer / ".env").write_text("TOKEN=never-shipped\n")
    (function / "requirements.txt").write_text(FUNCTION_REQUIREMENTS)
    (function / "index.py").write_text(HANDLER)
    return layer, function


def _stack(tmp_path: Path, image: str, strict: bool) -> tuple[cdk.App, Path]:
    layer_entry, function_entry = _project(tmp_path)
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    stack = cdk.Stack(app, "S")
    bundling = BundlingOptions(mode="docker", image=image)
    layer = SlimPythonLayerVersion(stack, "Shared", entry=str(layer_entry),
                                   compatible_runtimes=[PY311], bundling=bundling)
    SlimPythonFunction(stack, "F", entry=str(function_entry), runtime=PY311, layers=[layer],
                       bundling=bundling, strict_layer_versions=strict)
    return app, tmp_path / "cdk.out"


@pytest.mark.docker
def test_shared_code_in_a_layer_and_the_functions_own_pin(build_image: str, tmp_path: Path,
                                                          clean_env: None) -> None:
    app, out = _stack(tmp_path, build_image, strict=False)
    app.synth()
    reports = _reports(out)
    layer, function = reports["S/Shared"], reports["S/F"]
    dirs = {r["label"]: Path(str(p).removesuffix(".slim-report.json"))
            for p in out.glob("asset.*.slim-report.json")
            for r in [json.loads(p.read_text())]}
    layer_dir, function_dir = dirs["S/Shared"], dirs["S/F"]

    # the layer ships its own code under python/, compiled like a function's; no .env
    assert (layer_dir / "python/shared.py").is_file()
    assert list((layer_dir / "python/__pycache__").glob("shared.cpython-311.pyc"))
    assert not (layer_dir / "python/.env").exists()
    # the same versions are shared; the function's own urllib3 shadows the layer's
    assert sorted(d["name"] for d in function["deduplicated"]) == ["certifi", "chardet",
                                                                    "idna"]
    assert function["layer_overrides"] == [
        {"name": "urllib3", "bundled": "1.26.7", "layer": "1.26.17"}]
    assert ("urllib3 1.26.7 is bundled with the function and shadows 1.26.17 from layer "
            "S/Shared: on Lambda /var/task comes before /opt/python, so the function "
            "imports 1.26.7; pin the same version in both to share the layer's copy"
            in function["warnings"])
    assert {p["name"] for p in function["packages"]} == {"charset-normalizer", "requests",
                                                         "urllib3"}
    assert function["import_failures"] == []
    assert [p["version"] for p in layer["packages"] if p["name"] == "urllib3"] == ["1.26.17"]

    # as Lambda runs it: /var/task then /opt/python on sys.path, both read-only
    ran = subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "--read-only", "-u", "993:993",
         "-v", f"{function_dir}:/var/task:ro", "-v", f"{layer_dir}:/opt:ro", "-w", "/var/task",
         "-e", "PYTHONPATH=/var/task:/opt/python", build_image, "python3", "-c",
         "import json, index; print(json.dumps(index.handler({}, None)))"],
        capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    answer = json.loads(ran.stdout.strip().splitlines()[-1])
    assert answer["statusCode"] == 200
    assert answer["body"] == "https://example.invalid/logo.png"
    assert answer["requests"] == "2.31.0" and answer["urllib3"] == "1.26.7"
    assert answer["urllib3_from"].startswith("/var/task/")


@pytest.mark.docker
def test_strict_layer_versions_refuses_the_shadowed_pin(build_image: str, tmp_path: Path,
                                                        clean_env: None) -> None:
    with pytest.raises(Exception) as raised:
        _stack(tmp_path, build_image, strict=True)
    err = ours(raised.value)
    assert isinstance(err, BuildError)
    assert str(err).startswith(
        "layers: urllib3 1.26.7 is bundled with the function and shadows 1.26.17 from layer "
        "S/Shared: on Lambda /var/task comes before /opt/python, so the function imports "
        "1.26.7\nPin the same version in the function and the layer")
    # nothing half-built for the function: its asset directory was never published
    # nothing half-built for the function: only the layer's asset was published (CDK keeps
    # a failed bundle as asset.<hash>-building, which no later synth reuses)
    out = tmp_path / "cdk.out"
    published = [p for p in out.glob("asset.*") if p.is_dir() and "-building" not in p.name]
    assert [(p / "python" / "shared.py").is_file() for p in published] == [True]
    assert "S/F" not in _reports(out) and "S/Shared" in _reports(out)
