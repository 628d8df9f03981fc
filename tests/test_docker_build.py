"""Real builds in the local Lambda-like build image, through the Docker SDK.

Fixture wheels come from a local wheelhouse (no network); the construct is
synthesized for real and the asset it leaves in cdk.out is inspected.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_lambda as lambda_

from slim_lambda import (
    BundlingOptions,
    DockerError,
    SizeLimits,
    SlimOptions,
    SlimPythonFunction,
)
from slim_lambda.cli import main as cli

pytestmark = pytest.mark.docker


def synth(entry: Path, outdir: Path, **kw: Any) -> tuple[assertions.Template, Path, dict[str, Any]]:
    """Synthesize one function; return its template, asset directory and report."""
    app = cdk.App(outdir=str(outdir))
    s = cdk.Stack(app, "S")
    SlimPythonFunction(s, "F", entry=str(entry), runtime=lambda_.Runtime.PYTHON_3_11, **kw)
    template = assertions.Template.from_stack(s)
    app.synth()
    (asset,) = [p for p in outdir.iterdir() if p.name.startswith("asset.") and p.is_dir()]
    report = json.loads(Path(f"{asset}.slim-report.json").read_text())
    return template, asset, report


def local_bundling(wheels: Path, image: str, **kw: Any) -> BundlingOptions:
    return BundlingOptions(image=image, find_links=(str(wheels),), no_index=True, **kw)


def run_in_image(image: str, bundle: Path, code: str,
                 extra_mounts: tuple[tuple[Path, str], ...] = ()
                 ) -> subprocess.CompletedProcess[str]:
    """Run Python in the build image with the bundle mounted read-only at /var/task."""
    mounts = [a for src, dst in extra_mounts for a in ("-v", f"{src}:{dst}:ro")]
    return subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "-u", f"{os.getuid()}:{os.getgid()}",
         "-v", f"{bundle}:/var/task:ro", *mounts, "-w", "/tmp", "-e", "PYTHONPATH=/var/task",
         image, "python3", "-c", code], capture_output=True, text=True, timeout=300)


def handler_answer(image: str, asset: Path) -> Any:
    """What ``index.handler({}, None)`` returns in the build image, the asset read-only."""
    ran = run_in_image(image, asset,
                       "import index, json; print(json.dumps(index.handler({}, None)))")
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout.strip().splitlines()[-1])


def test_synth_builds_a_slim_verified_asset(entry: Path, wheels: Path, build_image: str,
                                            tmp_path: Path, clean_env: None) -> None:
    template, asset, report = synth(entry, tmp_path / "cdk.out",
                                    bundling=local_bundling(wheels, build_image))
    template.has_resource_properties("AWS::Lambda::Function", {"Handler": "index.handler"})

    files = {str(p.relative_to(asset)) for p in asset.rglob("*") if p.is_file()}
    assert "index.py" in files and "requirements.txt" in files
    assert not [f for f in files if "/tests/" in f or f.endswith((".pyi", ".c", ".h"))]
    assert not [f for f in files if f.endswith("conftest.py")]
    assert not [f for f in files if f.startswith("bin/")]
    assert "slimfix_pure/data.json" in files
    # the report lives beside the asset, never inside the deployment package
    assert not [f for f in files if "slim-report" in f]

    # debug info is gone from our extension; the vendored library is left alone
    (ext,) = asset.glob("slimfix_cext/_speedup*.so")
    sections = subprocess.run(["readelf", "-S", str(ext)], capture_output=True, text=True).stdout
    assert ".debug_info" not in sections and ".symtab" not in sections
    (vendored,) = asset.glob("slimfix_cext.libs/*.so")
    assert ".debug_info" in subprocess.run(["readelf", "-S", str(vendored)],
                                           capture_output=True, text=True).stdout

    # owned by the invoking user, Lambda-safe permissions
    for p in asset.rglob("*"):
        st = p.lstat()
        assert st.st_uid == os.getuid(), p
        assert st.st_mode & 0o444 == 0o444, p

    # the handler runs from a read-only copy, with metadata and hash-based pycs intact
    run = run_in_image(build_image, asset, (
        "import importlib.metadata as md, importlib.util, json, sys\n"
        "import index\n"
        "print(json.dumps({'result': index.handler({}, None),\n"
        "  'version': md.version('slimfix-pure'),\n"
        "  'plugins': sorted(e.name for e in md.entry_points(group='slimfix.plugins')),\n"
        "  'pyc': [m.__cached__ for m in (sys.modules['slimfix_pure'],)]}))\n"))
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["result"]["sum"] == 5
    assert out["version"] == "1.0.0" and out["plugins"] == ["basic"]
    pyc = asset / Path(out["pyc"][0]).relative_to("/var/task")
    flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
    assert flags == 0b01, "unchecked-hash pyc"

    # the report's numbers
    assert report["unzipped_bytes"] == sum(p.stat().st_size for p in asset.rglob("*")
                                           if p.is_file())
    assert 0 < report["zipped_bytes"] < report["unzipped_bytes"]
    names = {p["name"]: p for p in report["packages"]}
    assert set(names) == {"slimfix-pure", "slimfix-cext"}
    assert all(p["bytes"] > 0 and p["version"] == "1.0.0" for p in names.values())
    rules = {r["rule"]: r for r in report["removed_by_rule"]}
    assert {"tests", "stubs", "sources", "strip", "dist-info"} <= set(rules)
    assert report["removed_bytes"] == sum(r["bytes"] for r in report["removed_by_rule"])
    assert report["limits"] == {"unzipped_bytes": 262_144_000, "zipped_bytes": 52_428_800,
                                "ok": True}
    assert report["python"].startswith("3.11.")
    assert set(report["verify"]["modules"]) >= {"slimfix_pure", "slimfix_cext"}


def test_over_the_unzipped_limit_fails_synth_with_the_table(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path, clean_env: None) -> None:
    outdir = tmp_path / "cdk.out"
    with pytest.raises(Exception) as info:
        synth(entry, outdir, bundling=local_bundling(wheels, build_image),
              size_limits=SizeLimits(unzipped_bytes=10_000))
    text = str(info.value)
    assert "unzipped size" in text and "over the limit of 10,000 bytes" in text
    assert "slimfix-cext 1.0.0" in text and "Next steps" in text
    # no asset directory a later synth could mistake for a good one
    assert not [p for p in outdir.iterdir() if p.name.startswith("asset.") and
                not p.name.endswith("-building")]


def test_a_slim_option_change_rebuilds(entry: Path, wheels: Path, build_image: str,
                                       tmp_path: Path, clean_env: None) -> None:
    outdir = tmp_path / "cdk.out"
    _t, first, _r = synth(entry, outdir, bundling=local_bundling(wheels, build_image))
    shutil.rmtree(outdir)
    _t, second, report = synth(entry, outdir, bundling=local_bundling(wheels, build_image),
                               slim=SlimOptions(disable_rules=("tests",)))
    assert first.name != second.name
    assert (second / "slimfix_pure" / "tests").is_dir()
    assert "tests" not in {r["rule"] for r in report["removed_by_rule"]}


def test_global_image_override_from_the_environment(
        entry: Path, wheels: Path, build_image: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    repo, tag = build_image.rsplit(":", 1)
    template = repo.replace("python3.11", "{runtime}") + ":" + tag.replace("x86_64", "{arch}")
    monkeypatch.setenv("SLIM_LAMBDA_IMAGE", template)
    _t, _asset, report = synth(entry, tmp_path / "cdk.out",
                               bundling=BundlingOptions(find_links=(str(wheels),), no_index=True))
    assert report["image"] == build_image


def test_missing_image_is_a_clear_error(entry: Path, wheels: Path, build_image: str,
                                        tmp_path: Path, clean_env: None) -> None:
    with pytest.raises(Exception, match=r"build image slim-lambda-test/no-such-image:1 is not "
                       r"on this machine and could not be pulled"):
        synth(entry, tmp_path / "cdk.out",
              bundling=local_bundling(wheels, "slim-lambda-test/no-such-image:1"))


def test_unreachable_docker_engine(entry: Path, tmp_path: Path, clean_env: None,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from slim_lambda.plan.resolve import resolve_request
    from slim_lambda.run.build import build

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    request, _ = resolve_request(
        where="t", entry=str(entry), runtime="python3.11", architecture="x86_64",
        index="index.py", handler="handler", bundling=BundlingOptions(mode="docker"),
        slim=SlimOptions(), limits=SizeLimits())
    with pytest.raises(DockerError, match=r"cannot reach the Docker engine at "
                       r"unix:///nonexistent/docker\.sock"):
        build(request, str(tmp_path / "out"))


def test_verify_names_the_module_and_the_rule(entry: Path, wheels: Path, build_image: str,
                                              tmp_path: Path, clean_env: None) -> None:
    with pytest.raises(Exception) as info:
        synth(entry, tmp_path / "cdk.out", bundling=local_bundling(wheels, build_image),
              slim=SlimOptions(patterns=("slimfix_cext/_speedup*",), repair=False))
    text = str(info.value)
    assert "verify:" in text and "slimfix_cext" in text
    assert "'patterns' rule" in text


def test_cli_build_and_report(entry: Path, wheels: Path, build_image: str, tmp_path: Path,
                              clean_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    out, report_file = tmp_path / "bundle", tmp_path / "report.json"
    args = ["build", str(entry), "--runtime", "python3.11", "--image", build_image,
            "--find-links", str(wheels), "--no-index", "--out", str(out)]
    assert cli([*args, "--json-report", str(report_file)]) == 0
    report = json.loads(report_file.read_text())
    assert {"unzipped_bytes", "zipped_bytes", "removed_bytes", "packages", "limits"} <= set(report)
    assert (out / "index.py").is_file()

    assert cli(["report", str(out), "--json"]) == 0
    analysed = json.loads(capsys.readouterr().out)
    assert analysed["unzipped_bytes"] == report["unzipped_bytes"]

    # over the limit: exit 1, and no output directory at all
    small = tmp_path / "small"
    assert cli([*args[:-1], str(small), "--unzipped-limit", "1000"]) == 1
    assert not small.exists() and not Path(f"{small}.partial").exists()
    assert "over the limit of 1,000 bytes" in capsys.readouterr().err
