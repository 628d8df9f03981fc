"""Same input, same output: the same sources, options and image give the same asset hash
and byte-identical asset contents (paths, bytes, modes) from a second checkout path and a
second run, with the dependency cache cleared in between — so deploys do not churn.

CDK zips the asset with fixed timestamps and sorted entries, so the directory's paths,
bytes and modes are all a deploy sees.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from slim_lambda import BundlingOptions, SlimPythonFunction
from slim_lambda.run import zipafter

# what a report may legitimately differ in between two runs: timings, where things live
VOLATILE = {"steps", "seconds", "cache", "import_seconds", "assembled_on", "link",
            "zipped_measured_with"}


def _tree(root: Path) -> dict[str, tuple[str, int, str]]:
    """relative path → (kind, mode, sha256 of the bytes or the link target)."""
    found = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        mode = stat.S_IMODE(p.lstat().st_mode)
        if p.is_symlink():
            found[rel] = ("link", mode, str(p.readlink()))
        elif p.is_dir():
            found[rel] = ("dir", mode, "")
        else:
            found[rel] = ("file", mode, hashlib.sha256(p.read_bytes()).hexdigest())
    return found


def _checkout(src: Path, dest: Path) -> Path:
    """A copy of the function's sources at another path, with fresh file times."""
    shutil.copytree(src, dest, copy_function=shutil.copy)  # modes as git keeps them
    return dest


def _synth(entry: Path, outdir: Path, bundling: BundlingOptions
           ) -> tuple[Path, dict[str, Any], str]:
    app = cdk.App(outdir=str(outdir))
    SlimPythonFunction(cdk.Stack(app, "S"), "F", entry=str(entry),
                       runtime=lambda_.Runtime.PYTHON_3_11, bundling=bundling)
    app.synth()
    (asset,) = [p for p in outdir.iterdir() if p.is_dir() and p.name.startswith("asset.")]
    report = json.loads(Path(f"{asset}.slim-report.json").read_text())
    template = json.loads((outdir / "S.template.json").read_text())
    (code,) = [r["Properties"]["Code"] for r in template["Resources"].values()
               if r["Type"] == "AWS::Lambda::Function"]
    return asset, report, str(code["S3Key"])


def _stable(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k not in VOLATILE}


@pytest.mark.parametrize("mode", [
    pytest.param("docker", marks=pytest.mark.docker),
    "local",
])
def test_two_checkouts_and_two_runs_give_the_same_asset(
        mode: str, entry: Path, wheels: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    if mode == "docker":
        image = request.getfixturevalue("build_image")
        links = wheels
    else:  # uv takes manylinux wheels only: the pure package
        image = None
        links = tmp_path / "links"
        links.mkdir()
        for w in wheels.glob("slimfix_pure-*.whl"):
            shutil.copy(w, links)
        (entry / "requirements.txt").write_text("slimfix-pure\n")
        (entry / "index.py").write_text("import slimfix_pure\n\n\ndef handler(event, context):\n"
                                        "    return slimfix_pure.VERSION\n")
    (entry / "lib").mkdir()
    for name in ("zeta.py", "alpha.py", "mid.py"):  # created out of order
        (entry / "lib" / name).write_text(f"NAME = {name!r}\n")
    (entry / "tool.sh").write_text("#!/bin/sh\n")
    (entry / "tool.sh").chmod(0o750)
    bundling = BundlingOptions(mode=mode, image=image, find_links=(str(links),), no_index=True)

    runs = []
    for i, checkout in enumerate(("checkout-a", "elsewhere/checkout-b", "checkout-a")):
        monkeypatch.setenv("SLIM_LAMBDA_CACHE_DIR", str(tmp_path / f"cache-{i}"))
        src = tmp_path / checkout
        if not src.exists():
            _checkout(entry, src)
        asset, report, key = _synth(src, tmp_path / f"cdk.out-{i}", bundling)
        assert report["cache"]["hit"] is False, "every run builds from scratch"
        assert key == asset.name.removeprefix("asset.") + ".zip", "the template names it"
        runs.append((asset.name, _tree(asset), _stable(report)))
        assert zipafter.wait(str(tmp_path / f"cache-{i}"))  # it writes the exact shares
        shutil.rmtree(tmp_path / f"cache-{i}")

    (name_a, tree_a, report_a), (name_b, tree_b, report_b), (name_c, tree_c, report_c) = runs
    assert name_a == name_b == name_c, "the asset hash does not depend on the path or the run"
    assert tree_a == tree_b == tree_c, "byte-identical contents, modes included"
    assert report_a == report_b == report_c
    assert any(rel.endswith(".pyc") for rel in tree_a) or mode == "local"
    assert tree_a["tool.sh"][1] == 0o755 and tree_a["lib/alpha.py"][1] == 0o644
