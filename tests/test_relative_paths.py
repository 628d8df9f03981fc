"""Relative paths as a stranger writes them: ``cdk.App(outdir="cdk.out")`` in an app run
from its own directory, with relative entries. Every host path that reaches Docker is
absolute (Docker refuses ``cdk.out/asset.…/python`` as a mount source)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

APP = """
import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from slim_lambda import BundlingOptions, SlimPythonFunction, SlimPythonLayerVersion

app = cdk.App(outdir="cdk.out")
stack = cdk.Stack(app, "S")
bundling = BundlingOptions(image={image!r}, find_links=({wheels!r},), no_index=True)
layer = SlimPythonLayerVersion(stack, "L", entry="layer",
                               compatible_runtimes=[lambda_.Runtime.PYTHON_3_11],
                               bundling=bundling)
SlimPythonFunction(stack, "F", entry="fn", runtime=lambda_.Runtime.PYTHON_3_11,
                   layers=[layer], bundling=bundling)
app.synth()
"""


@pytest.mark.docker
def test_relative_outdir_with_a_layer(entry: Path, wheels: Path, build_image: str,
                                      tmp_path: Path) -> None:
    assert entry == tmp_path / "fn"
    (tmp_path / "layer").mkdir()
    (tmp_path / "layer" / "requirements.txt").write_text("slimfix-pure==1.0.0\n")
    (tmp_path / "app.py").write_text(APP.format(image=build_image, wheels=str(wheels)))
    env = dict(os.environ, SLIM_LAMBDA_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "app.py"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path / "cdk.out"
    reports = {r["label"]: r for r in (json.loads(p.read_text())
                                       for p in out.glob("*.slim-report.json"))}
    assert set(reports) == {"S/L", "S/F"}
    function = reports["S/F"]
    assert [d["name"] for d in function["deduplicated"]] == ["slimfix-pure"]
    assert function["import_failures"] == []
