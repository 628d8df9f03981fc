"""arm64 in Docker mode, on any machine: the linux/arm64 build image (under qemu-user-static
on x86_64) installs aarch64 wheels, strips, compiles and verifies them there, and a bundle
with an ELF file for another machine fails the build, naming the file and its machine."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sysconfig
import zipfile
from pathlib import Path
from typing import Any

import pytest

from slim_lambda import BuildError, BundlingOptions, SizeLimits, SlimOptions
from slim_lambda.cli import main as cli
from slim_lambda.plan.resolve import resolve_request
from slim_lambda.run.build import build

pytestmark = pytest.mark.docker

EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
E_MACHINE = {62: "x86_64", 183: "aarch64"}


def e_machine(path: Path) -> str:
    """The machine in an ELF header, read here rather than by the library under test."""
    head = path.read_bytes()[:20]
    assert head[:4] == b"\x7fELF", f"{path} is not ELF"
    (machine,) = struct.unpack("<H" if head[5] == 1 else ">H", head[18:20])
    return E_MACHINE.get(machine, str(machine))


def arm64_build(entry: Path, out: Path, bundling: BundlingOptions) -> dict[str, Any]:
    request, _handler = resolve_request(
        where="test", entry=str(entry), runtime="python3.11", architecture="arm64",
        index="index.py", handler="handler", bundling=bundling, slim=SlimOptions(),
        limits=SizeLimits())
    return build(request, str(out), log=lambda _line: None)


def fixture_speedup(wheels: Path) -> bytes:
    """The fixture C extension, compiled by this host's gcc (x86_64 here)."""
    (wheel,) = wheels.glob("slimfix_cext-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(f"slimfix_cext/_speedup{EXT_SUFFIX}")


def test_arm64_docker_build_of_a_real_c_extension(build_image_arm64: str, tmp_path: Path,
                                                  clean_env: None) -> None:
    """PyYAML from the real index: pip in the arm64 image picks the aarch64 wheel, and the
    bundle holds aarch64 code only, listed in the report, and runs there."""
    entry = tmp_path / "fn"
    entry.mkdir()
    (entry / "requirements.txt").write_text("pyyaml==6.0.2\n")
    (entry / "index.py").write_text(
        "import platform\n\nimport yaml\n\n\n"
        "def handler(event, context):\n"
        "    text = yaml.dump({'machine': platform.machine()}, Dumper=yaml.CSafeDumper)\n"
        "    return {'libyaml': yaml.__with_libyaml__, 'yaml': text.strip()}\n")
    out = tmp_path / "out"
    report = arm64_build(entry, out, BundlingOptions(mode="docker", image=build_image_arm64))

    assert report["architecture"] == "arm64" and report["mode"] == "docker"
    sos = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.so"))
    assert any(so.startswith("yaml/_yaml.") and "aarch64" in so for so in sos), sos
    assert {so: e_machine(out / so) for so in sos} == dict.fromkeys(sos, "aarch64")
    # the report states the machine of every shared object in the bundle
    assert {e["path"]: e["machine"] for e in report["elf"]} == dict.fromkeys(sos, "aarch64")
    assert set(report["strip"]["machines"]) == {"aarch64"}
    assert report["verify"]["enabled"] is True
    assert {"yaml", "_yaml"} <= set(report["verify"]["modules"])
    assert report["bytecode"]["choice"] == "all" and report["bytecode"]["modules"] > 0

    run = subprocess.run(
        ["docker", "run", "--rm", "--platform", "linux/arm64", "--network", "none",
         "--read-only", "-v", f"{out}:/var/task:ro", "-w", "/var/task",
         "-e", "PYTHONPATH=/var/task", "-e", "PYTHONDONTWRITEBYTECODE=1", build_image_arm64,
         "python3", "-c", "import json, index; print(json.dumps(index.handler({}, None)))"],
        capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"libyaml": True, "yaml": "machine: aarch64"}


def test_arm64_build_with_an_x86_64_binary_in_your_sources_fails(
        build_image_arm64: str, wheels: Path, tmp_path: Path, clean_env: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    """An x86_64 extension shipped beside the handler would fail only at invoke time on
    Graviton; the build fails instead and names the file and its machine."""
    entry = tmp_path / "fn"
    (entry / "native").mkdir(parents=True)
    (entry / "requirements.txt").write_text("slimfix-pure\n")
    (entry / "index.py").write_text("def handler(event, context):\n    return 1\n")
    so = f"native/_speedup{EXT_SUFFIX}"
    (entry / so).write_bytes(fixture_speedup(wheels))
    assert e_machine(entry / so) == "x86_64"
    bundling = BundlingOptions(mode="docker", image=build_image_arm64,
                               find_links=(str(wheels),), no_index=True)
    expected = (
        "architecture: 1 of your own file(s) are ELF binaries for another architecture than "
        f"arm64 (aarch64): {so} (x86_64)\nBuild for the architecture these files were made "
        "for, or replace them with aarch64 builds (a wheel for the right platform, or "
        "exclude the file).")

    with pytest.raises(BuildError) as info:
        arm64_build(entry, tmp_path / "out", bundling)
    assert str(info.value) == expected

    out = tmp_path / "cli-out"
    code = cli(["build", str(entry), "--runtime", "python3.11", "--architecture", "arm64",
                "--mode", "docker", "--image", build_image_arm64, "--find-links", str(wheels),
                "--no-index", "--out", str(out), "--json-report", str(tmp_path / "r.json")])
    assert code == 1
    assert f"slim-lambda: error: {expected}" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "r.json").exists()


def test_arm64_build_of_a_mislabelled_x86_64_wheel_fails(
        build_image_arm64: str, wheels: Path, tmp_path: Path, clean_env: None) -> None:
    """A wheel tagged linux_aarch64 that carries x86_64 code (a cross-build gone wrong):
    pip installs it, and the build fails before anything imports it."""
    links = tmp_path / "links"
    links.mkdir()
    (wheel,) = wheels.glob("slimfix_cext-*.whl")
    tag = wheel.name.rsplit("-", 1)[1]
    shutil.copy(wheel, links / wheel.name.replace(tag, "linux_aarch64.whl"))
    entry = tmp_path / "fn"
    entry.mkdir()
    (entry / "requirements.txt").write_text("slimfix-cext\n")
    (entry / "index.py").write_text("def handler(event, context):\n    return 1\n")
    bundling = BundlingOptions(mode="docker", image=build_image_arm64,
                               find_links=(str(links),), no_index=True)

    with pytest.raises(BuildError) as info:
        arm64_build(entry, tmp_path / "out", bundling)
    text = str(info.value)
    assert text.startswith("architecture: 2 dependency file(s) are ELF binaries for another "
                           "architecture than arm64 (aarch64): "), text
    assert f"slimfix_cext/_speedup{EXT_SUFFIX} (x86_64)" in text
    assert "slimfix_cext.libs/libslimfixhelper.so (x86_64)" in text
