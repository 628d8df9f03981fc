"""Local mode: no Docker, uv installs wheels for the runtime's platform on this host;
strip, bytecode and verify run only where this host can do them right."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import pytest

from slim_lambda.cli import main as cli
from slim_lambda.pipeline.elf import read_machine
from tests.fixtures import wheelhouse

HOST_PY = f"python{sys.version_info.major}.{sys.version_info.minor}"
X86 = platform.machine() == "x86_64"


@pytest.fixture(scope="module")
def manylinux_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture wheels, the C extension tagged manylinux_2_17 as uv requires (it is a
    plain gcc build that needs nothing newer from glibc)."""
    dest = tmp_path_factory.mktemp("manylinux")
    built = wheelhouse.build_wheelhouse(dest / "plain")
    for w in built.glob("slimfix_pure-*.whl"):
        (dest / w.name).write_bytes(w.read_bytes())
    py = f"cp{sys.version_info.major}{sys.version_info.minor}"
    tag = f"{py}-{py}-manylinux_2_17_{platform.machine()}"
    wheelhouse._write_wheel(dest, "slimfix-cext", tag, wheelhouse._cext_files())
    return dest


def _build(entry: Path, out: Path, *args: str) -> tuple[int, dict[str, object]]:
    report = out.parent / f"{out.name}.json"
    code = cli(["build", str(entry), "--mode", "local", "--out", str(out),
                "--json-report", str(report), *args])
    return code, json.loads(report.read_text()) if report.exists() else {}


@pytest.mark.skipif(not X86 or HOST_PY != "python3.11", reason="needs an x86_64 Python 3.11 host")
def test_local_build_for_the_same_platform_does_everything(
        entry: Path, manylinux_wheels: Path, tmp_path: Path, clean_env: None) -> None:
    code, report = _build(entry, tmp_path / "out", "--runtime", "python3.11", "--no-index",
                          "--find-links", str(manylinux_wheels))
    assert code == 0
    assert report["mode"] == "local" and report["installer"] == "uv"
    assert report["notices"] == []
    assert report["strip"]["stripped"] >= 1  # type: ignore[index]
    assert report["bytecode"]["choice"] == "all"  # type: ignore[index]
    assert report["verify"]["enabled"] is True  # type: ignore[index]
    tag = sys.implementation.cache_tag
    out = tmp_path / "out"
    assert (out / "slimfix_cext" / "__pycache__" / f"__init__.{tag}.pyc").is_file()
    sos = list(out.rglob("*.so"))
    assert sos and all(read_machine(str(so)) == "x86_64" for so in sos)


def test_local_build_for_another_python_skips_bytecode_and_verify(
        entry: Path, manylinux_wheels: Path, tmp_path: Path, clean_env: None) -> None:
    (entry / "requirements.txt").write_text("slimfix-pure\n")
    (entry / "index.py").write_text("import slimfix_pure\n\n\ndef handler(e, c):\n"
                                    "    return slimfix_pure.VERSION\n")
    other = "python3.12" if HOST_PY != "python3.12" else "python3.13"
    code, report = _build(entry, tmp_path / "out", "--runtime", other, "--no-index",
                          "--find-links", str(manylinux_wheels))
    assert code == 0
    notices = report["notices"]
    assert any(n.startswith("bytecode skipped: this host's Python is not")  # type: ignore[union-attr]
               for n in notices)  # type: ignore[union-attr]
    assert any(n.startswith("verify skipped") for n in notices)  # type: ignore[union-attr]
    assert not list((tmp_path / "out").rglob("*.pyc"))
    assert (tmp_path / "out" / "slimfix_pure" / "__init__.py").is_file()


@pytest.mark.slow
def test_local_arm64_build_installs_aarch64_wheels(tmp_path: Path, clean_env: None) -> None:
    """Against the real index: an arm64 bundle built on this host holds aarch64 code only,
    and the steps this host cannot do for aarch64 are skipped with a notice."""
    entry = tmp_path / "fn"
    entry.mkdir()
    (entry / "index.py").write_text("import markupsafe\n\n\ndef handler(e, c):\n"
                                    "    return str(markupsafe.escape('<b>'))\n")
    (entry / "requirements.txt").write_text("markupsafe==3.0.2\n")
    code, report = _build(entry, tmp_path / "out", "--runtime", "python3.12",
                          "--architecture", "arm64")
    assert code == 0
    assert report["architecture"] == "arm64"
    machines = {e["machine"] for e in report["elf"]}  # type: ignore[union-attr]
    assert machines == {"aarch64"}
    sos = list((tmp_path / "out").rglob("*.so"))
    assert sos and all(read_machine(str(so)) == "aarch64" for so in sos)
    assert any("strip skipped" in n for n in report["notices"])  # type: ignore[union-attr]


def test_local_mode_without_a_compatible_wheel_says_use_docker(
        entry: Path, tmp_path: Path, clean_env: None, capsys: pytest.CaptureFixture[str]
        ) -> None:
    links = tmp_path / "links"
    links.mkdir()
    src = tmp_path / "nowheel-src" / "nowheel-1.0"
    (src / "nowheel").mkdir(parents=True)
    (src / "nowheel" / "__init__.py").write_text("")
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "nowheel"\nversion = "1.0"\n')
    import tarfile
    with tarfile.open(links / "nowheel-1.0.tar.gz", "w:gz") as tar:
        tar.add(src, arcname="nowheel-1.0")
    (entry / "requirements.txt").write_text("nowheel\n")
    code, _report = _build(entry, tmp_path / "out", "--runtime", "python3.11", "--no-index",
                           "--find-links", str(links))
    err = capsys.readouterr().err
    assert code == 1
    assert "nowheel has no wheel for this runtime and architecture" in err
    assert "bundling.mode='docker'" in err
    assert not (tmp_path / "out").exists()


def test_auto_mode_falls_back_to_local_without_docker(
        entry: Path, manylinux_wheels: Path, tmp_path: Path, clean_env: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    report_path = tmp_path / "r.json"
    code = cli(["build", str(entry), "--runtime", HOST_PY, "--mode", "auto", "--out",
                str(tmp_path / "out"), "--json-report", str(report_path), "--no-index",
                "--find-links", str(manylinux_wheels)])
    assert code == 0
    report = json.loads(report_path.read_text())
    assert report["mode"] == "local"
    assert ("local mode: no Docker engine answered at unix:///nonexistent/docker.sock "
            "(bundling.mode='auto'), so uv installed wheels on this host and what it cannot "
            "do for the target was skipped; start Docker, or set SLIM_LAMBDA_MODE=docker to "
            "require it") in report["notices"]
