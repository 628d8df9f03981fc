"""uv in the build image: this host's uv binary mounted read-only, the runtime's glibc cap
given explicitly (uv ignores the image's PEP 600 ``_manylinux`` module: without
``--python-platform`` it would take manylinux_2_28 wheels the python3.11 image rejects),
and pip taking over when uv finds no wheel. Fixture releases, no network."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import pytest

from slim_lambda import BundlingOptions
from slim_lambda.plan.installer import uv_version
from slim_lambda.run.uvbin import FETCHED_DIR
from tests.fixtures.releases import write_sdist, write_wheel
from tests.test_arm64 import arm64_build, e_machine
from tests.test_docker_build import local_bundling, run_in_image, synth

pytestmark = pytest.mark.docker


@pytest.fixture
def releases(tmp_path: Path) -> Path:
    """relfix-glibc: 1.0 a manylinux2014 wheel, 2.0 only a manylinux_2_28 wheel;
    relfix-sdist: 1.0 a wheel, 2.0 only an sdist (whose build fails)."""
    d = tmp_path / "releases"
    d.mkdir()
    for name in ("relfix-glibc", "relfix-sdist"):
        write_wheel(d, name, "1.0", "py3-none-manylinux_2_17_x86_64")
    write_wheel(d, "relfix-glibc", "2.0", "py3-none-manylinux_2_28_x86_64")
    write_sdist(d, "relfix-sdist", "2.0")
    return d


def _entry(tmp_path: Path, requirements: str) -> Path:
    entry = tmp_path / "fn"
    entry.mkdir()
    (entry / "index.py").write_text("import relfix_glibc\n\n\ndef handler(event, context):\n"
                                    "    return relfix_glibc.VERSION\n")
    (entry / "requirements.txt").write_text(requirements)
    return entry


@pytest.mark.parametrize("installer", ["auto", "uv"])
def test_uv_takes_no_wheel_above_the_runtimes_glibc(
        installer: str, releases: Path, build_image: str, tmp_path: Path,
        clean_env: None) -> None:
    entry = _entry(tmp_path, "relfix-glibc\nrelfix-sdist\n")
    _template, asset, report = synth(entry, tmp_path / "cdk.out", bundling=local_bundling(
        releases, build_image, installer=installer))
    assert report["installer"] == "uv"
    assert report["steps"][0]["name"] == "install (uv)"
    assert "VERSION = '1.0'" in (asset / "relfix_glibc/__init__.py").read_text()
    assert "VERSION = '1.0'" in (asset / "relfix_sdist/__init__.py").read_text()
    # uv, asked once more without the cap, names the release the cap skipped (an
    # sdist-only release it cannot see: pip's log names that one)
    assert report["notices"] == [
        "relfix-glibc 1.0 installed, not the newest release: 2.0 has no wheel for Amazon "
        "Linux 2 / glibc 2.26 (x86_64) (pin it to build it from source)"]
    # the image itself refuses the 2.0 wheel: its pip sees no compatible tag
    tags = run_in_image(build_image, asset, "from pip._vendor.packaging import tags; "
                        "print(any('manylinux_2_28' in str(t) for t in tags.sys_tags()))")
    assert tags.stdout.strip() == "False", tags.stderr


def test_pip_takes_over_when_uv_finds_no_wheel(releases: Path, build_image: str,
                                               tmp_path: Path, clean_env: None) -> None:
    """A pinned release with only an sdist: uv (wheels only) cannot install it, so pip
    does, building it from source (this fixture's build fails: pip's error shows it ran)."""
    entry = _entry(tmp_path, "relfix-glibc\nrelfix-sdist==2.0\n")
    with pytest.raises(RuntimeError) as auto:  # through jsii
        synth(entry, tmp_path / "a.out", bundling=local_bundling(releases, build_image))
    assert "pip could not install the requirements: relfix_sdist-2.0.tar.gz has no wheel " \
        "for this runtime and architecture, and preparing it from source failed" in str(
            auto.value)
    with pytest.raises(RuntimeError) as only_uv:
        synth(entry, tmp_path / "b.out", bundling=local_bundling(releases, build_image,
                                                                 installer="uv"))
    assert "uv could not install the requirements: relfix-sdist has no wheel" in str(
        only_uv.value)


def test_pip_on_request(releases: Path, build_image: str, tmp_path: Path,
                        clean_env: None) -> None:
    entry = _entry(tmp_path, "relfix-glibc\n")
    _template, asset, report = synth(entry, tmp_path / "cdk.out", bundling=local_bundling(
        releases, build_image, installer="pip"))
    assert report["installer"] == "pip"
    assert "VERSION = '1.0'" in (asset / "relfix_glibc/__init__.py").read_text()


def test_the_arm64_image_runs_the_fetched_aarch64_uv(build_image_arm64: str, tmp_path: Path,
                                                     clean_env: None) -> None:
    """On an x86_64 machine the aarch64 uv comes from the same version's wheel, fetched once
    into the download cache and checked; it runs in the arm64 image (under qemu) and takes
    no wheel above Amazon Linux 2's glibc there either."""
    releases = tmp_path / "releases"
    releases.mkdir()
    write_wheel(releases, "relfix-glibc", "1.0", "py3-none-manylinux_2_17_aarch64")
    write_wheel(releases, "relfix-glibc", "2.0", "py3-none-manylinux_2_28_aarch64")
    entry = _entry(tmp_path, "relfix-glibc\n")
    out = tmp_path / "out"
    report = arm64_build(entry, out, BundlingOptions(
        mode="docker", image=build_image_arm64, find_links=(str(releases),), no_index=True,
        installer="uv"))
    assert report["installer"] == "uv" and report["architecture"] == "arm64"
    assert "VERSION = '1.0'" in (out / "relfix_glibc/__init__.py").read_text()
    version = uv_version()
    binary = Path(os.environ["SLIM_LAMBDA_CACHE_DIR"]) / "pip" / FETCHED_DIR / \
        f"{version}-aarch64" / "uv"
    if platform.machine() != "aarch64":
        assert e_machine(binary) == "aarch64"
