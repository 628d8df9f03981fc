"""The whole pipeline on the host with the fixture wheelhouse: install → … → report."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import platform
import shutil
import struct
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from slim_lambda.options import SlimOptions
from slim_lambda.pipeline import elf
from slim_lambda.pipeline.errors import BuildError
from slim_lambda.pipeline.pipeline import run
from slim_lambda.pipeline.spec import AssembleSpec, DepsSpec, InstallSettings
from tests.pipeline.helpers import readelf_sections, run_python, snapshot, speedup_so

PURE_INFO = "slimfix_pure-1.0.0.dist-info"
CEXT_INFO = "slimfix_cext-1.0.0.dist-info"
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
ARCHITECTURE = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
HANDLER = """\
import slimfix_pure
from slimfix_cext import add


def handler(event, context):
    return {"sum": add(2, 3), "version": slimfix_pure.VERSION, "data": slimfix_pure.load_data()}
"""


def _spec(tmp: Path, wheelhouse: Path, **kw: Any) -> tuple[DepsSpec, AssembleSpec]:
    entry = tmp / "entry"
    entry.mkdir()
    (entry / "index.py").write_text(HANDLER)
    (entry / "requirements.txt").write_text("slimfix-pure\nslimfix-cext\n")
    (entry / ".env").write_text("SECRET=1\n")
    (entry / "tests").mkdir()
    (entry / "tests" / "test_index.py").write_text("def test(): pass\n")
    install = InstallSettings(requirements_file=str(entry / "requirements.txt"),
                              find_links=(str(wheelhouse),), no_index=True)
    deps = DepsSpec(runtime=RUNTIME, architecture=ARCHITECTURE, output_dir=str(tmp / "deps"),
                    work_dir=str(tmp / "work"), install=install, slim=SlimOptions(**kw),
                    handler_imports=("slimfix_pure", "slimfix_cext"))
    assemble = AssembleSpec(runtime=RUNTIME, architecture=ARCHITECTURE, source_dir=str(entry),
                            output_dir=str(tmp / "out"), work_dir=str(tmp / "work"),
                            slim=SlimOptions(bytecode="imported"))
    return deps, assemble


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path
          ) -> tuple[Path, dict[str, Any], list[str]]:
    """One host build, shared by the assertions below: (bundle, report, log lines)."""
    spec = _spec(tmp_path_factory.mktemp("pipeline"), wheelhouse, keep=("no/such/file.py",))
    log: list[str] = []
    report = run(*spec, log=log.append)
    return Path(spec[1].output_dir), report, log


def _wheel_member(wheelhouse: Path, prefix: str, name: str) -> bytes:
    (wheel,) = wheelhouse.glob(f"{prefix}-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(name)


def _sha(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(
        b"=").decode()


def test_what_slimming_removes_and_keeps(built: tuple[Path, dict[str, Any], list[str]],
                                         wheelhouse: Path) -> None:
    out, _report, _log = built
    files = set(snapshot(out))
    assert not [f for f in files if "/tests/" in f or f.startswith("tests/")]
    assert not [f for f in files if f.endswith(("conftest.py", ".pyi", ".c", ".h"))]
    assert not [f for f in files if f.startswith("bin/")]
    assert ".env" not in files
    assert {"index.py", "requirements.txt", "slimfix_pure/data.json",
            "slimfix_pure/py.typed", "slimfix_cext.libs/libslimfixhelper.so"} <= files

    so = speedup_so(out)
    assert not any(s.startswith(".debug_") for s in readelf_sections(so))
    info = elf.read_elf(str(so))
    assert info is not None and not info.has_debug_info
    lib = out / "slimfix_cext.libs" / "libslimfixhelper.so"
    assert lib.read_bytes() == _wheel_member(wheelhouse, "slimfix_cext",
                                             "slimfix_cext.libs/libslimfixhelper.so")


def test_dist_info_is_trimmed_and_record_is_true(built: tuple[Path, dict[str, Any], list[str]],
                                                 wheelhouse: Path) -> None:
    out, _report, _log = built
    assert sorted(p.name for p in (out / PURE_INFO).iterdir()) == [
        "LICENSE", "METADATA", "RECORD", "entry_points.txt", "top_level.txt"]
    original = _wheel_member(wheelhouse, "slimfix_pure", f"{PURE_INFO}/METADATA")
    assert (out / PURE_INFO / "METADATA").stat().st_size < len(original) - 2000
    for info in (PURE_INFO, CEXT_INFO):
        with open(out / info / "RECORD", newline="") as f:
            rows = [row for row in csv.reader(f) if row]
        assert [r for r in rows if r[0] == f"{info}/RECORD"] == [[f"{info}/RECORD", "", ""]]
        for rel, digest, size in rows:
            if rel == f"{info}/RECORD":
                continue
            data = (out / rel).read_bytes()  # every listed file exists ...
            assert (digest, int(size)) == (_sha(data), len(data)), rel  # ... and matches


def test_pycs_are_unchecked_hash(built: tuple[Path, dict[str, Any], list[str]]) -> None:
    out, report, _log = built
    pycs = sorted(out.rglob("*.pyc"))
    names = {p.relative_to(out).as_posix() for p in pycs}
    tag = sys.implementation.cache_tag
    assert {f"__pycache__/index.{tag}.pyc", f"slimfix_pure/__pycache__/__init__.{tag}.pyc",
            f"slimfix_pure/__pycache__/cli.{tag}.pyc",
            f"slimfix_cext/__pycache__/__init__.{tag}.pyc"} == names
    for pyc in pycs:
        assert struct.unpack("<I", pyc.read_bytes()[4:8])[0] == 0b01
    assert report["bytecode"]["modules"] == len(pycs)
    assert report["bytecode"]["bytes"] == sum(p.stat().st_size for p in pycs)
    assert report["bytecode"]["choice"] == "imported"


def test_the_bundle_runs_from_a_read_only_copy(built: tuple[Path, dict[str, Any], list[str]],
                                               tmp_path: Path) -> None:
    out, _report, _log = built
    ro = tmp_path / "task"
    shutil.copytree(out, ro, symlinks=True)
    before = snapshot(ro)
    paths = [ro, *ro.rglob("*")]
    for p in paths:
        p.chmod(p.stat().st_mode & ~0o222)
    check = (
        "import sys, json, os; sys.path.insert(0, sys.argv[1])\n"
        "import index, importlib.metadata as md\n"
        "mod = sys.modules['slimfix_pure']\n"
        "print(json.dumps({'result': index.handler({}, None),\n"
        "  'version': md.version('slimfix-pure'),\n"
        "  'plugins': [ep.name for ep in md.entry_points(group='slimfix.plugins')],\n"
        "  'cached': mod.__cached__, 'cached_exists': os.path.exists(mod.__cached__)}))\n")
    try:
        proc = run_python("-v", "-c", check, str(ro))
    finally:
        for p in paths:
            p.chmod(p.stat().st_mode | 0o200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout)
    assert found["result"] == {"sum": 5, "version": "1.0.0", "data": {"answer": 42}}
    assert found["version"] == "1.0.0" and found["plugins"] == ["basic"]
    tag = sys.implementation.cache_tag
    pyc = ro / "slimfix_pure" / "__pycache__" / f"__init__.{tag}.pyc"
    assert found["cached"] == str(pyc) and found["cached_exists"]
    for loaded in (pyc, ro / "__pycache__" / f"index.{tag}.pyc",
                   ro / "slimfix_cext" / "__pycache__" / f"__init__.{tag}.pyc"):
        assert f"code object from '{loaded}'" in proc.stderr
    assert snapshot(ro) == before


def test_report_numbers_are_consistent(built: tuple[Path, dict[str, Any], list[str]],
                                       tmp_path: Path) -> None:
    out, report, log = built
    on_disk = {rel: len(data) for rel, data in snapshot(out).items()}
    assert report["files"] == len(on_disk)
    assert report["unzipped_bytes"] == sum(on_disk.values())
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for rel in sorted(on_disk):
            zf.write(out / rel, rel)
    assert abs(report["zipped_bytes"] - archive.stat().st_size) <= 0.02 * archive.stat().st_size

    by_rule = {r["rule"]: r for r in report["removed_by_rule"]}
    assert set(by_rule) == {"tests", "stubs", "sources", "scripts", "dist-info", "strip"}
    assert by_rule["tests"]["files"] == 5 and by_rule["sources"]["files"] == 2
    assert by_rule["strip"]["files"] == 1
    assert by_rule["strip"]["bytes"] == report["strip"]["saved_bytes"] > 0
    assert report["removed_bytes"] == sum(r["bytes"] for r in report["removed_by_rule"])
    assert [r["bytes"] for r in report["removed_by_rule"]] == sorted(
        (r["bytes"] for r in report["removed_by_rule"]), reverse=True)
    assert report["installed_bytes"] > report["unzipped_bytes"] - report["bytecode"]["bytes"]

    packages = {p["name"]: p for p in report["packages"]}
    assert set(packages) == {"slimfix-pure", "slimfix-cext"}
    for name, prefix in (("slimfix-pure", "slimfix_pure"), ("slimfix-cext", "slimfix_cext")):
        assert packages[name]["version"] == "1.0.0"
        assert packages[name]["bytes"] == sum(size for rel, size in on_disk.items()
                                              if rel.startswith(prefix)), name
    tag = sys.implementation.cache_tag
    user = {"index.py", "requirements.txt", f"__pycache__/index.{tag}.pyc"}
    assert report["user_code_bytes"] == sum(on_disk[rel] for rel in user)
    assert report["other_bytes"] == 0
    assert sum(p["bytes"] for p in report["packages"]) + report["user_code_bytes"] + \
        report["other_bytes"] == report["unzipped_bytes"]

    assert report["runtime"] == RUNTIME and report["architecture"] == ARCHITECTURE
    assert report["handler_imports"] == ["slimfix_pure", "slimfix_cext"]
    assert sorted(report["verify"]["modules"]) == ["slimfix_cext", "slimfix_pure"]
    assert report["warnings"] == [
        "slim.keep pattern 'no/such/file.py' matched no file that a rule removes"]
    steps = ["install (pip)", "slim", "strip", "bytecode", "verify imports",
             "probe handler imports", "measure",
             "link dependencies", "copy sources", "bytecode (your code)", "measure"]
    assert [s["name"] for s in report["steps"]] == steps
    assert [line for line in log if line.endswith(" ...")] == [f"{step} ..." for step in steps]
    assert "  Successfully installed slimfix-cext-1.0.0 slimfix-pure-1.0.0" in log
    json.dumps(report)  # JSON-able as the host expects


def test_a_rule_that_breaks_an_import_fails_verify_naming_module_and_rule(
        tmp_path: Path, wheelhouse: Path) -> None:
    spec = _spec(tmp_path, wheelhouse, patterns=("slimfix_pure/cli.py",), repair=False)
    with pytest.raises(BuildError) as caught:
        run(*spec, log=lambda _m: None)
    message = str(caught.value)
    assert caught.value.step == "verify"
    assert "- slimfix_pure: ImportError: cannot import name 'cli'" in message
    assert "(the 'patterns' rule removed slimfix_pure/cli.py: the import needs it)" in message
    assert "slim.keep" in message
