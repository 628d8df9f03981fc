"""The deps stage's verify step: what fails the build, what only warns, what is repaired.

Runs the whole deps stage on the host with the verify fixture wheels
(:mod:`tests.fixtures.verifyfix`): an optional dependency that is not installed and a
module broken from the start are warnings; a module the ``tests`` rule broke gets exactly
the files it needs back, counted in the sizes and listed in RECORD again.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import platform
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from slim_lambda.options import SlimOptions
from slim_lambda.pipeline.bytecode import pyc_path
from slim_lambda.pipeline.deps import run_deps
from slim_lambda.pipeline.errors import BuildError
from slim_lambda.pipeline.spec import DepsSpec, InstallSettings
from tests.fixtures.verifyfix import LAZY_NEEDED, NEEDED, NEEDTESTS, UNNEEDED
from tests.fixtures.wheelhouse import PURE_FILES
from tests.pipeline.helpers import snapshot

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
ARCHITECTURE = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
ALL = ("slimfix-extras", "slimfix-broken", "slimfix-needtests")
NEEDTESTS_INFO = "slimfix_needtests-1.0.0.dist-info"


def _deps(tmp: Path, links: tuple[Path, ...], names: tuple[str, ...], **slim: Any) -> DepsSpec:
    tmp.mkdir(parents=True, exist_ok=True)
    requirements = tmp / "requirements.txt"
    requirements.write_text("".join(f"{n}\n" for n in names))
    install = InstallSettings(requirements_file=str(requirements),
                              find_links=tuple(str(p) for p in links), no_index=True)
    return DepsSpec(runtime=RUNTIME, architecture=ARCHITECTURE, output_dir=str(tmp / "deps"),
                    work_dir=str(tmp / "work"), install=install, slim=SlimOptions(**slim))


@pytest.fixture(scope="module")
def repaired(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path,
             verify_wheelhouse: Path) -> tuple[Path, dict[str, Any]]:
    """One deps build of all three fixture distributions, repair on (the default)."""
    spec = _deps(tmp_path_factory.mktemp("verify-step"), (wheelhouse, verify_wheelhouse), ALL)
    meta = run_deps(spec, log=lambda _m: None)
    assert not (Path(spec.work_dir) / "slim-held").exists()  # removed files are gone now
    return Path(spec.output_dir), meta


def _warning(meta: dict[str, Any], *parts: str) -> str:
    found = [w for w in meta["warnings"] if all(p in w for p in parts)]
    assert len(found) == 1, (parts, meta["warnings"])
    return found[0]


def test_an_optional_dependency_that_is_not_installed_is_a_warning(
        repaired: tuple[Path, dict[str, Any]]) -> None:
    _out, meta = repaired
    text = _warning(meta, "slimfix_extras_fast")
    assert text.startswith("verify: slimfix_extras_fast does not import, and did not "
                           "before slimming either")
    assert "No module named 'slimfix_turbo'" in text
    assert "slimfix-turbo is not installed" in text
    assert "slimfix-extras[fast]" in text  # the extra that would install it


def test_modules_broken_from_the_start_are_warnings(
        repaired: tuple[Path, dict[str, Any]]) -> None:
    _out, meta = repaired
    assert "ImportError: slimfix_broken needs a GPU driver" in _warning(meta, "slimfix_broken ")
    assert "SyntaxError" in _warning(meta, "slimfix_broken_syntax")
    before = meta["verify"]["failed_before"]
    assert [f["module"] for f in before] == [
        "slimfix_broken", "slimfix_broken_syntax", "slimfix_extras_fast"]
    assert "slimfix_turbo" in before[2]["error"]


def test_a_module_the_tests_rule_broke_is_repaired_with_exactly_the_files_it_needs(
        repaired: tuple[Path, dict[str, Any]]) -> None:
    out, meta = repaired
    assert meta["verify"]["repaired"] == [
        {"path": rel, "rule": "tests", "needed_by": "slimfix_needtests"} for rel in NEEDED]
    for rel in NEEDED:
        assert (out / rel).read_bytes() == NEEDTESTS[rel].encode()
    for rel in UNNEEDED:
        assert not (out / rel).exists()
    assert not (out / "slimfix_needtests/tests/data").exists()
    text = _warning(meta, "verify: kept")
    assert "'tests' rule" in text and "slimfix_needtests" in text
    assert all(rel in text for rel in NEEDED)


def test_kept_files_are_counted_in_sizes_bytecode_and_record(
        repaired: tuple[Path, dict[str, Any]]) -> None:
    out, meta = repaired
    on_disk = {rel: len(data) for rel, data in snapshot(out).items()}
    assert {rel: size for rel, (size, _share) in meta["files"].items()} == on_disk
    tests_rule = meta["removed_by_rule"]["tests"]
    pure_tests = ("slimfix_pure/conftest.py", "slimfix_pure/tests/__init__.py",
                  "slimfix_pure/tests/test_core.py")
    assert tests_rule == {
        "files": len(pure_tests) + len(UNNEEDED),
        "bytes": sum(len(PURE_FILES[r]) for r in pure_tests)
        + sum(len(NEEDTESTS[r]) for r in UNNEEDED)}
    for rel in NEEDED:
        assert meta["pycs"][rel] == pyc_path(rel) and (out / pyc_path(rel)).is_file()
    with open(out / NEEDTESTS_INFO / "RECORD", newline="") as f:
        rows = {row[0]: row[1:] for row in csv.reader(f) if row}
    for rel in NEEDED:
        data = (out / rel).read_bytes()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert rows[rel] == [f"sha256={digest}", str(len(data))]
    assert not set(UNNEEDED) & set(rows)
    assert all((out / rel).exists() for rel in rows)


def test_without_repair_a_broken_import_fails_naming_the_rule(
        tmp_path: Path, wheelhouse: Path, verify_wheelhouse: Path) -> None:
    spec = _deps(tmp_path, (wheelhouse, verify_wheelhouse), ALL, repair=False)
    with pytest.raises(BuildError) as caught:
        run_deps(spec, log=lambda _m: None)
    error = caught.value
    assert error.step == "verify"
    # the package and its public subpackage ``testing``, which is what needs tests/
    assert "2 module(s) no longer import after slimming" in str(error)
    assert "- slimfix_needtests: ModuleNotFoundError: No module named " \
           "'slimfix_needtests.tests'" in error.details
    assert "the 'tests' rule removed" in error.details and NEEDED[1] in error.details
    assert UNNEEDED[0] not in error.details
    assert "slimfix_extras_fast" not in error.details  # a warning, not a regression
    assert "slim.repair" in error.details


def test_a_public_subpackage_a_rule_broke_is_repaired_though_the_package_imports(
        tmp_path: Path, verify_wheelhouse: Path) -> None:
    """numpy 2.2: ``import numpy`` works without ``tests/``, ``import numpy.testing`` (which
    scipy.optimize needs) does not. Verify imports public subpackages too."""
    spec = _deps(tmp_path, (verify_wheelhouse,), ("slimfix-lazytests",))
    meta = run_deps(spec, log=lambda _m: None)
    assert meta["verify"]["repaired"] == [
        {"path": rel, "rule": "tests", "needed_by": "slimfix_lazytests.testing"}
        for rel in LAZY_NEEDED]
    assert not (Path(spec.output_dir) / "slimfix_lazytests/tests/test_lazy.py").exists()
    assert "slimfix_lazytests.testing" in meta["verify"]["modules"]
    assert not any("_private" in m for m in meta["verify"]["modules"])


def test_a_handler_import_probed_beside_a_verify_that_repairs_is_probed_again(
        tmp_path: Path, wheelhouse: Path, verify_wheelhouse: Path) -> None:
    """The probe runs beside verify, on the tree before verify puts the needed files back:
    its answer is stale, so it is taken again on the finished tree."""
    spec = _deps(tmp_path, (wheelhouse, verify_wheelhouse), ("slimfix-needtests",))
    spec = replace(spec, handler_imports=("slimfix_needtests",))
    meta = run_deps(spec, log=lambda _m: None)
    assert [k["path"] for k in meta["verify"]["repaired"]] == list(NEEDED)
    probe = meta["probes"]["slimfix_needtests"]
    assert probe["ok"] == ["slimfix_needtests"] and probe["failed"] == []
    assert set(NEEDED) <= set(probe["files"])
    names = [s["name"] for s in meta["steps"]]
    assert names.index("verify imports") < names.index("probe handler imports")
    assert not any("beside" in s for s in meta["steps"])  # the answer kept ran after verify
