"""slim.py: which rule removes what, keep patterns, user patterns, and metadata that still works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slim_lambda.options import SlimOptions
from slim_lambda.pipeline.errors import BuildError
from slim_lambda.pipeline.fsguard import Root
from slim_lambda.pipeline.rules import rule_names
from slim_lambda.pipeline.slim import Removal, SlimPlan, apply_removals, plan_removals
from tests.pipeline.helpers import run_python, snapshot

PURE_INFO = "slimfix_pure-1.0.0.dist-info"
CEXT_INFO = "slimfix_cext-1.0.0.dist-info"

DEFAULT_REMOVALS = {
    "bin/slimfix": "scripts",
    "slimfix_pure/conftest.py": "tests",
    "slimfix_pure/tests/__init__.py": "tests",
    "slimfix_pure/tests/test_core.py": "tests",
    "slimfix_pure/__init__.pyi": "stubs",
    "slimfix_cext/tests/__init__.py": "tests",
    "slimfix_cext/tests/test_add.py": "tests",
    "slimfix_cext/src/speedup.c": "sources",
    "slimfix_cext/src/speedup.h": "sources",
    **{f"{info}/{name}": "dist-info" for info in (PURE_INFO, CEXT_INFO)
       for name in ("INSTALLER", "REQUESTED", "WHEEL")},
}

METADATA_CHECK = """
import json, sys
sys.path.insert(0, sys.argv[1])
import importlib.metadata as md
import slimfix_pure
eps = md.entry_points(group="slimfix.plugins")
print(json.dumps({
    "version": md.version("slimfix-pure"),
    "cext": md.version("slimfix-cext"),
    "module_version": slimfix_pure.VERSION,
    "data": eps["basic"].load()(),
    "scripts": [ep.value for ep in md.entry_points(group="console_scripts")
                if ep.name == "slimfix"],
    "summary": md.metadata("slimfix-pure")["Summary"],
    "description": md.metadata("slimfix-pure").get_payload(),
}))
"""


def _removals(plan: SlimPlan) -> dict[str, str]:
    return {r.rel: r.rule for r in plan.removals}


def _metadata_works(tree: Path) -> dict[str, object]:
    proc = run_python("-c", METADATA_CHECK, str(tree))
    assert proc.returncode == 0, proc.stderr
    found: dict[str, object] = json.loads(proc.stdout)
    assert found["version"] == found["module_version"] == found["cext"] == "1.0.0"
    assert found["data"] == {"answer": 42}
    assert found["scripts"] == ["slimfix_pure.cli:main"]
    assert found["summary"] == "fixture"
    return found


def test_default_plan(installed_tree: Path) -> None:
    plan = plan_removals(str(installed_tree), SlimOptions())
    assert _removals(plan) == DEFAULT_REMOVALS
    sizes = {r.rel: r.size for r in plan.removals}
    assert all(sizes[rel] == (installed_tree / rel).stat().st_size for rel in sizes)
    trims = dict(plan.metadata_trims)
    assert set(trims) == {f"{PURE_INFO}/METADATA", f"{CEXT_INFO}/METADATA"}
    assert all(saved > 2000 for saved in trims.values())
    assert plan.kept == [] and plan.keep_unmatched == []


def test_apply_removes_files_trims_metadata_and_keeps_it_working(installed_tree: Path) -> None:
    metadata = installed_tree / PURE_INFO / "METADATA"
    before = metadata.stat().st_size
    plan = plan_removals(str(installed_tree), SlimOptions())

    apply_removals(str(installed_tree), plan)

    for rel in DEFAULT_REMOVALS:
        assert not (installed_tree / rel).exists(), rel
    for gone in ("bin", "slimfix_pure/tests", "slimfix_cext/tests", "slimfix_cext/src"):
        assert not (installed_tree / gone).exists(), gone
    for kept in ("slimfix_pure/data.json", "slimfix_pure/py.typed", f"{PURE_INFO}/LICENSE",
                 f"{PURE_INFO}/RECORD", f"{PURE_INFO}/entry_points.txt",
                 f"{PURE_INFO}/top_level.txt", "slimfix_cext.libs/libslimfixhelper.so"):
        assert (installed_tree / kept).exists(), kept
    assert before - metadata.stat().st_size == dict(plan.metadata_trims)[f"{PURE_INFO}/METADATA"]
    assert not list(installed_tree.rglob("*.slim-tmp"))
    found = _metadata_works(installed_tree)
    assert not found["description"]


def test_removed_files_can_be_held_instead_of_deleted(installed_tree: Path,
                                                     tmp_path: Path) -> None:
    held = tmp_path / "held"
    held.mkdir()
    originals = snapshot(installed_tree)
    plan = plan_removals(str(installed_tree), SlimOptions())

    apply_removals(str(installed_tree), plan, hold_in=Root(str(held)))

    assert snapshot(held) == {rel: originals[rel] for rel in DEFAULT_REMOVALS}
    assert not set(DEFAULT_REMOVALS) & set(snapshot(installed_tree))
    assert not (installed_tree / "slimfix_pure" / "tests").exists()


def test_keep_patterns_win_and_unmatched_ones_are_reported(installed_tree: Path) -> None:
    plan = plan_removals(str(installed_tree), SlimOptions(
        keep=("slimfix_pure/tests/", "*.pyi", "no/such/file.py")))
    removals = _removals(plan)
    assert sorted(plan.kept) == ["slimfix_pure/__init__.pyi", "slimfix_pure/tests/__init__.py",
                                 "slimfix_pure/tests/test_core.py"]
    assert not set(plan.kept) & set(removals)
    assert "slimfix_cext/tests/test_add.py" in removals
    assert plan.keep_unmatched == ["no/such/file.py"]


def test_user_patterns_are_appended_after_the_defaults(installed_tree: Path) -> None:
    plan = plan_removals(str(installed_tree), SlimOptions(
        patterns=("*.json", "slimfix_pure/tests/test_core.py")))
    removals = _removals(plan)
    assert removals == {**DEFAULT_REMOVALS, "slimfix_pure/data.json": "patterns"}
    assert removals["slimfix_pure/tests/test_core.py"] == "tests"  # first rule wins


def test_replace_defaults_applies_only_user_patterns(installed_tree: Path) -> None:
    plan = plan_removals(str(installed_tree), SlimOptions(
        patterns=("*.json",), replace_defaults=True))
    assert _removals(plan) == {"slimfix_pure/data.json": "patterns"}
    assert plan.metadata_trims == []


def test_a_file_its_package_imports_is_not_removed_by_a_default_rule(tmp_path: Path) -> None:
    core = tmp_path / "numpy" / "_core" / "tests"
    core.mkdir(parents=True)
    for name in ("_natype.py", "test_api.py", "__init__.py"):
        (core / name).write_text("x = 1\n")
    plan = plan_removals(str(tmp_path), SlimOptions())
    assert _removals(plan) == {"numpy/_core/tests/test_api.py": "tests",
                               "numpy/_core/tests/__init__.py": "tests"}
    # a user's own pattern still removes it
    mine = plan_removals(str(tmp_path), SlimOptions(patterns=("_natype.py",)))
    assert _removals(mine)["numpy/_core/tests/_natype.py"] == "patterns"


def test_disable_rules(installed_tree: Path) -> None:
    plan = plan_removals(str(installed_tree), SlimOptions(disable_rules=("tests", "dist-info")))
    removals = _removals(plan)
    assert removals == {rel: rule for rel, rule in DEFAULT_REMOVALS.items()
                        if rule not in ("tests", "dist-info")}
    assert plan.metadata_trims == []
    no_trim = plan_removals(str(installed_tree), SlimOptions(), trim_dist_info=False)
    assert "dist-info" not in set(_removals(no_trim).values()) and no_trim.metadata_trims == []
    assert rule_names() == ("tests", "pycache", "stubs", "sources", "scripts", "dist-info")


def test_stale_bytecode_is_removed(installed_tree: Path) -> None:
    cache = installed_tree / "slimfix_pure" / "__pycache__"
    cache.mkdir()
    (cache / "cli.cpython-311.pyc").write_bytes(b"stale")
    plan = plan_removals(str(installed_tree), SlimOptions())
    assert _removals(plan)["slimfix_pure/__pycache__/cli.cpython-311.pyc"] == "pycache"


def test_patterns_never_remove_protected_metadata(installed_tree: Path) -> None:
    plan = plan_removals(str(installed_tree), SlimOptions(patterns=("*.dist-info/", "*.txt")))
    removals = _removals(plan)
    for name in ("METADATA", "RECORD", "entry_points.txt"):
        assert f"{PURE_INFO}/{name}" not in removals
    assert removals[f"{PURE_INFO}/LICENSE"] == "patterns"
    assert removals[f"{PURE_INFO}/top_level.txt"] == "patterns"
    apply_removals(str(installed_tree), plan)
    assert sorted(p.name for p in (installed_tree / PURE_INFO).iterdir()) == [
        "METADATA", "RECORD", "entry_points.txt"]
    _metadata_works(installed_tree)


def test_symlinks_are_removed_not_followed(installed_tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.pyi"
    outside.write_text("x: int\n")
    (installed_tree / "slimfix_pure" / "linked.pyi").symlink_to(outside)
    plan = plan_removals(str(installed_tree), SlimOptions())
    assert _removals(plan)["slimfix_pure/linked.pyi"] == "stubs"
    apply_removals(str(installed_tree), plan)
    assert outside.read_text() == "x: int\n"
    assert not (installed_tree / "slimfix_pure" / "linked.pyi").is_symlink()


def test_bad_patterns_name_the_option(installed_tree: Path) -> None:
    with pytest.raises(BuildError, match=r"slim: slim\.patterns: invalid gitignore pattern"):
        plan_removals(str(installed_tree), SlimOptions(patterns=("!",)))
    with pytest.raises(BuildError, match=r"slim\.keep: invalid gitignore pattern"):
        plan_removals(str(installed_tree), SlimOptions(keep=("\\",)))


def test_a_plan_cannot_reach_outside_the_root(installed_tree: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("safe\n")
    plan = SlimPlan(removals=[Removal("../victim.txt", 5, "patterns")])
    with pytest.raises(BuildError, match="guard"):
        apply_removals(str(installed_tree), plan)
    assert victim.read_text() == "safe\n"
