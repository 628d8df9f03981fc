"""The build image's pip picks the wheels Lambda's build image would, and says what it
skipped (uv, the default installer, picks the same: tests/test_docker_uv.py).

The test image caps manylinux wheels at Amazon Linux 2's glibc (2.26) for python3.11
(scripts/build-test-image.sh, a PEP 600 ``_manylinux`` module); pip prefers an older
release's wheel to building the newest from source. Fixture releases from a local
wheelhouse, no network.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

from slim_lambda import SlimPythonFunction
from tests.fixtures.releases import write_sdist, write_wheel
from tests.test_docker_build import local_bundling, run_in_image, synth

pytestmark = pytest.mark.docker


@pytest.fixture
def releases(tmp_path: Path) -> Path:
    """relfix-sdist: 1.0 a manylinux2014 wheel, 2.0 only an sdist (whose build fails);
    relfix-glibc: 1.0 a manylinux2014 wheel, 2.0 only a manylinux_2_28 wheel."""
    d = tmp_path / "releases"
    d.mkdir()
    for name in ("relfix-sdist", "relfix-glibc"):
        write_wheel(d, name, "1.0", "py3-none-manylinux_2_17_x86_64")
    write_sdist(d, "relfix-sdist", "2.0")
    write_wheel(d, "relfix-glibc", "2.0", "py3-none-manylinux_2_28_x86_64")
    return d


def test_an_older_wheel_is_chosen_over_the_newest_without_one(
        releases: Path, build_image: str, tmp_path: Path, clean_env: None) -> None:
    entry = tmp_path / "fn"
    entry.mkdir()
    (entry / "index.py").write_text(
        "import relfix_glibc, relfix_sdist\n\n\n"
        "def handler(event, context):\n"
        "    return [relfix_sdist.VERSION, relfix_glibc.VERSION]\n")
    (entry / "requirements.txt").write_text("relfix-sdist\nrelfix-glibc\n")
    # pip's log names what it skipped (uv's output does not: tests/test_docker_uv.py)
    _template, asset, report = synth(entry, tmp_path / "cdk.out", bundling=local_bundling(
        releases, build_image, installer="pip"))

    assert "VERSION = '1.0'" in (asset / "relfix_sdist/__init__.py").read_text()
    assert "VERSION = '1.0'" in (asset / "relfix_glibc/__init__.py").read_text()
    why = "2.0 has no wheel for Amazon Linux 2 / glibc 2.26 (x86_64)"
    assert [n for n in report["notices"] if why in n] == [
        f"relfix-glibc 1.0 installed, not the newest release: {why} (pin it to build it "
        "from source)",
        f"relfix-sdist 1.0 installed, not the newest release: {why} (pin it to build it "
        "from source)"]

    metas = [json.loads(p.read_text()) for p in
             Path(os.environ["SLIM_LAMBDA_CACHE_DIR"]).rglob("*slim-lambda-deps.json")]
    (meta,) = [m for m in metas if "relfix_sdist/__init__.py" in m["files"]
               and m["installer"] == "pip"]
    assert meta["skipped_newest"] == [
        {"name": name, "version": "1.0", "skipped": "2.0", "reason": why}
        for name in ("relfix-glibc", "relfix-sdist")]


def test_amazon_linux_2023_takes_glibc_2_34_wheels_and_no_newer(
        build_image_al2023: str, tmp_path: Path, clean_env: None) -> None:
    wheels = tmp_path / "releases"
    wheels.mkdir()
    for version, glibc in (("1.0", "2_17"), ("2.0", "2_34"), ("3.0", "2_35")):
        write_wheel(wheels, "relfix-glibc", version, f"py3-none-manylinux_{glibc}_x86_64")
    entry = tmp_path / "fn"
    entry.mkdir()
    (entry / "index.py").write_text("import relfix_glibc\n\n\ndef handler(event, context):\n"
                                    "    return relfix_glibc.VERSION\n")
    (entry / "requirements.txt").write_text("relfix-glibc\n")
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    SlimPythonFunction(cdk.Stack(app, "S"), "F", entry=str(entry),
                       runtime=lambda_.Runtime.PYTHON_3_13,
                       bundling=local_bundling(wheels, build_image_al2023, installer="pip"))
    app.synth()
    (asset,) = [p for p in (tmp_path / "cdk.out").iterdir()
                if p.name.startswith("asset.") and p.is_dir()]
    assert "VERSION = '2.0'" in (asset / "relfix_glibc/__init__.py").read_text()
    report = json.loads(Path(f"{asset}.slim-report.json").read_text())
    assert ("relfix-glibc 2.0 installed, not the newest release: 3.0 has no wheel for Amazon "
            "Linux 2023 / glibc 2.34 (x86_64) (pin it to build it from source)"
            in report["notices"])
    # the whole Docker pipeline ran for python3.13: its bytecode, and the handler answers
    assert (asset / "relfix_glibc/__pycache__/__init__.cpython-313.pyc").is_file()
    assert not list(asset.rglob("*.cpython-311.pyc"))
    ran = run_in_image(build_image_al2023, asset,
                       "import index; print(index.handler({}, None))")
    assert ran.returncode == 0 and ran.stdout.strip() == "2.0", ran.stderr
