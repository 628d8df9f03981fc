"""verify.py imports every module in a clean interpreter and blames the rule that broke it."""

from __future__ import annotations

import shutil
from pathlib import Path

from slim_lambda.pipeline.verify import attribute, verify_imports
from tests.pipeline.helpers import break_load_alignment, speedup_so

MODULES = ["slimfix_pure", "slimfix_cext"]


def test_an_intact_tree_verifies(installed_tree: Path) -> None:
    result = verify_imports(str(installed_tree), MODULES, removed={}, stripped=set())
    assert result.failures == []
    assert result.modules == MODULES
    assert not list(installed_tree.rglob("__pycache__"))


def test_a_removed_submodule_is_blamed_on_its_rule(installed_tree: Path) -> None:
    (installed_tree / "slimfix_pure" / "cli.py").unlink()
    removed = {"slimfix_pure/cli.py": "patterns", "slimfix_pure/tests/__init__.py": "tests"}

    result = verify_imports(str(installed_tree), MODULES, removed=removed, stripped=set())

    (failure,) = result.failures
    assert failure.module == "slimfix_pure"
    assert "cannot import name 'cli'" in failure.error
    assert failure.rule == "patterns"
    assert "slimfix_pure/cli.py" in failure.evidence


def test_a_removed_extension_is_blamed_on_its_rule(installed_tree: Path) -> None:
    so = speedup_so(installed_tree)
    rel = so.relative_to(installed_tree).as_posix()
    so.unlink()
    result = verify_imports(str(installed_tree), MODULES, removed={rel: "sources"},
                            stripped=set())
    (failure,) = result.failures
    assert failure.module == "slimfix_cext"
    assert "No module named 'slimfix_cext._speedup'" in failure.error
    assert (failure.rule, failure.evidence) == (
        "sources", f"'slimfix_cext._speedup' was removed ({rel})")


def test_a_stripped_file_the_loader_refuses_is_blamed_on_strip(installed_tree: Path) -> None:
    so = speedup_so(installed_tree)
    rel = so.relative_to(installed_tree).as_posix()
    break_load_alignment(so)
    result = verify_imports(str(installed_tree), ["slimfix_cext"], removed={},
                            stripped={rel})
    (failure,) = result.failures
    assert str(so) in failure.error  # the loader's own message names the file
    assert (failure.rule, failure.evidence) == ("strip", f"{rel} was stripped")


def test_trimmed_metadata_is_blamed_on_dist_info(installed_tree: Path) -> None:
    dist_info = installed_tree / "slimfix_pure-1.0.0.dist-info"
    shutil.rmtree(dist_info)
    result = verify_imports(str(installed_tree), ["slimfix_pure"], removed={}, stripped=set())
    (failure,) = result.failures
    assert "PackageNotFoundError" in failure.error
    assert failure.rule == "dist-info"


def test_attribute_paths_and_unknown_causes() -> None:
    root = "/var/task"
    error = ("FileNotFoundError: [Errno 2] No such file or directory: "
             "'/var/task/slimfix_pure/data.json'")
    assert attribute(error, root, {"slimfix_pure/data.json": "patterns"}, set()) == (
        "patterns", "slimfix_pure/data.json was removed")
    paren = ("ImportError: cannot import name 'thing' from 'pkg' "
             "(/var/task/pkg/lib.so)")
    assert attribute(paren, root, {}, {"pkg/lib.so"}) == ("strip", "pkg/lib.so was stripped")
    assert attribute("ZeroDivisionError: division by zero", root, {"a.py": "tests"},
                     set()) == ("", "")
    assert attribute("No module named 'elsewhere'", root, {"a.py": "tests"}, set()) == ("", "")


def test_skipped_modules_are_not_imported(installed_tree: Path) -> None:
    speedup_so(installed_tree).unlink()
    result = verify_imports(str(installed_tree), [*MODULES, "slimfix_cext.sub"], removed={},
                            stripped=set(), skip=("slimfix_cext",))
    assert result.failures == []
    assert result.skipped == ["slimfix_cext", "slimfix_cext.sub"]
    assert result.modules == ["slimfix_pure"]


def test_the_same_result_whatever_the_worker_count(installed_tree: Path) -> None:
    """In one worker or several, the modules come back in order and each failure stays
    with its module and rule."""
    (installed_tree / "slimfix_pure" / "cli.py").unlink()
    removed = {"slimfix_pure/cli.py": "patterns"}
    one = verify_imports(str(installed_tree), MODULES, removed=removed, stripped=set(), jobs=1)
    two = verify_imports(str(installed_tree), MODULES, removed=removed, stripped=set(), jobs=2)
    assert one == two
    assert [(f.module, f.rule) for f in two.failures] == [("slimfix_pure", "patterns")]
