"""repair.py: telling a rule's breakage from an import that never worked, and the files
a broken import needs back."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.options import SlimOptions
from slim_lambda.pipeline.fsguard import Root
from slim_lambda.pipeline.repair import Kept, diagnose, involved
from slim_lambda.pipeline.slim import apply_removals, plan_removals
from slim_lambda.pipeline.verify import Failure, verify_imports
from tests.fixtures.verifyfix import NEEDED, UNNEEDED
from tests.pipeline.helpers import snapshot

FAILING = ["slimfix_broken", "slimfix_broken_syntax", "slimfix_extras_fast", "slimfix_needtests",
           "slimfix_needtests.testing"]


def test_the_trial_covers_the_packages_the_error_names() -> None:
    candidates = ["a/tests/x.py", "a/conftest.py", "b/tests/__init__.py", "c.py",
                  "d/tests/y.py", "e.cpython-311-x86_64-linux-gnu.so", "e.libs/libe.so",
                  "a-1.0.dist-info/WHEEL"]
    assert involved("a.sub", "ImportError: boom", "/r", candidates) == [
        "a/conftest.py", "a/tests/x.py"]
    assert involved("x", "No module named 'b.tests'", "/r", candidates) == [
        "b/tests/__init__.py"]
    assert involved("x", "cannot import name 'thing' from 'e' (/r/e/__init__.py)", "/r",
                    candidates) == ["e.cpython-311-x86_64-linux-gnu.so", "e.libs/libe.so"]
    error = 'File "/r/c.py", line 1\nFileNotFoundError: \'/r/d/tests/y.py\''
    assert involved("x", error, "/r", candidates) == ["c.py", "d/tests/y.py"]
    assert involved("x", "No module named 'elsewhere'", "/r", candidates) == []


def _slimmed(tree: Path, tmp_path: Path) -> tuple[Root, dict[str, str], list[Failure]]:
    """The default rules applied to ``tree``, removed files held in ``tmp_path/held``."""
    held = tmp_path / "held"
    held.mkdir()
    plan = plan_removals(str(tree), SlimOptions())
    apply_removals(str(tree), plan, hold_in=Root(str(held)))
    removed = {r.rel: r.rule for r in plan.removals}
    result = verify_imports(str(tree), [*FAILING, "slimfix_extras", "slimfix_pure"],
                            removed=removed, stripped=set())
    assert sorted(f.module for f in result.failures) == FAILING
    return Root(str(held)), removed, result.failures


def test_a_broken_import_gets_exactly_the_files_it_loads_back(verify_tree: Path,
                                                               tmp_path: Path) -> None:
    held, removed, failures = _slimmed(verify_tree, tmp_path)

    found = diagnose(str(verify_tree), failures, held=held, removed=removed, repair=True)

    assert found.kept == [Kept(rel, "tests", "slimfix_needtests") for rel in NEEDED]
    assert found.regressions == []
    assert sorted(f.module for f in found.failed_before) == FAILING[:3]
    for rel in NEEDED:
        assert (verify_tree / rel).is_file() and not (tmp_path / "held" / rel).exists()
    for rel in UNNEEDED:
        assert (tmp_path / "held" / rel).is_file() and not (verify_tree / rel).exists()
    # the trial restored all of slimfix_needtests' held files; the unneeded ones went back
    assert not (verify_tree / "slimfix_needtests" / "tests" / "data").exists()
    assert verify_imports(str(verify_tree), ["slimfix_needtests"], removed={},
                          stripped=set()).failures == []


def test_without_repair_nothing_is_kept_and_the_rule_is_named(verify_tree: Path,
                                                              tmp_path: Path) -> None:
    held, removed, failures = _slimmed(verify_tree, tmp_path)
    tree_before, held_before = snapshot(verify_tree), snapshot(tmp_path / "held")

    found = diagnose(str(verify_tree), failures, held=held, removed=removed, repair=False)

    assert found.kept == []
    regression, subpackage = sorted(found.regressions, key=lambda f: f.module)
    assert (regression.module, regression.rule) == ("slimfix_needtests", "tests")
    assert (subpackage.module, subpackage.rule) == ("slimfix_needtests.testing", "tests")
    assert regression.evidence == f"the 'tests' rule removed {', '.join(NEEDED)}"
    assert snapshot(verify_tree) == tree_before
    assert snapshot(tmp_path / "held") == held_before


def test_a_stripped_file_cannot_be_restored_so_it_stays_a_regression(
        verify_tree: Path, tmp_path: Path) -> None:
    failure = Failure("slimfix_pure", "ImportError: x.so: bad ELF", "strip", "x.so was stripped")
    (tmp_path / "held").mkdir()
    found = diagnose(str(verify_tree), [failure], held=Root(str(tmp_path / "held")),
                     removed={}, repair=True)
    assert (found.regressions, found.kept, found.failed_before) == ([failure], [], [])


def test_a_crash_in_a_package_with_stripped_files_stays_blamed_on_strip(
        verify_tree: Path, tmp_path: Path) -> None:
    crash = Failure("slimfix_pure", "the interpreter died with signal 11 (Segmentation "
                    "fault)", "", "")
    other = Failure("slimfix_extras", crash.error, "", "")
    (tmp_path / "held").mkdir()
    found = diagnose(str(verify_tree), [crash], held=Root(str(tmp_path / "held")),
                     removed={}, repair=True, stripped={"slimfix_pure/_x.so"})
    (regression,) = found.regressions
    assert (regression.rule, regression.evidence) == (
        "strip", "it crashed, and slimfix_pure/_x.so was stripped")
    found = diagnose(str(verify_tree), [other], held=Root(str(tmp_path / "held")),
                     removed={}, repair=True, stripped={"slimfix_pure/_x.so"})
    assert [f.module for f in found.failed_before] == ["slimfix_extras"]


@pytest.mark.parametrize("repair", [True, False])
def test_an_import_that_never_worked_is_not_blamed_on_a_rule(
        verify_tree: Path, tmp_path: Path, repair: bool) -> None:
    held, removed, failures = _slimmed(verify_tree, tmp_path)
    only = [f for f in failures if f.module == "slimfix_extras_fast"]
    found = diagnose(str(verify_tree), only, held=held, removed=removed, repair=repair)
    (before,) = found.failed_before
    assert "No module named 'slimfix_turbo'" in before.error
    assert (found.kept, found.regressions) == ([], [])


def test_a_data_file_the_error_names_is_put_back_too(tmp_path: Path) -> None:
    tree, held = tmp_path / "tree", tmp_path / "held"
    (tree / "pkgx").mkdir(parents=True)
    (tree / "pkgx" / "__init__.py").write_text(
        "import os\nimport pkgx.tests.helper\n"
        "open(os.path.join(os.path.dirname(__file__), 'tests', 'data.json')).close()\n")
    removed = {f"pkgx/tests/{name}": "tests"
               for name in ("__init__.py", "helper.py", "data.json", "test_other.py")}
    for rel in removed:
        (held / rel).parent.mkdir(parents=True, exist_ok=True)
        (held / rel).write_text("")
    (failure,) = verify_imports(str(tree), ["pkgx"], removed=removed, stripped=set()).failures

    found = diagnose(str(tree), [failure], held=Root(str(held)), removed=removed, repair=True)

    assert [k.path for k in found.kept] == [
        "pkgx/tests/__init__.py", "pkgx/tests/data.json", "pkgx/tests/helper.py"]
    assert (held / "pkgx/tests/test_other.py").exists()
    assert not (tree / "pkgx/tests/test_other.py").exists()
