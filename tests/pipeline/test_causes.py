"""causes.py: failures that share one missing module are diagnosed through one leader;
the repair's cost then grows with the causes, not with the modules that fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.options import SlimOptions
from slim_lambda.pipeline import imports, repair
from slim_lambda.pipeline.causes import group_by_cause
from slim_lambda.pipeline.fsguard import Root
from slim_lambda.pipeline.repair import Kept, diagnose
from slim_lambda.pipeline.slim import apply_removals, plan_removals
from slim_lambda.pipeline.verify import Failure, verify_imports

MISSING = "ModuleNotFoundError: No module named 'need.tests'"


def _failure(module: str, last: str) -> Failure:
    return Failure(module, f"Traceback (most recent call last):\n  ...\n{last}", "tests", "")


def test_the_leader_is_of_the_package_that_misses_the_module() -> None:
    groups = group_by_cause([_failure("user.a", MISSING), _failure("need.testing", MISSING),
                             _failure("user", MISSING),
                             _failure("other", "SyntaxError: invalid syntax"),
                             _failure("other2", "SyntaxError: invalid syntax")])
    assert [(g.leader.module, [f.module for f in g.followers]) for g in groups] == [
        ("need.testing", ["user", "user.a"]), ("other", []), ("other2", [])]


def test_errors_naming_no_module_are_never_grouped() -> None:
    died = "the interpreter died with signal 11 (Segmentation fault)"
    groups = group_by_cause([_failure("a", died), _failure("b", died)])
    assert [(g.leader.module, g.followers) for g in groups] == [("a", []), ("b", [])]


USERS = [f"user.m{i}" for i in range(6)]


def _tree(root: Path) -> None:
    files = {"need/__init__.py": "",  # loads need.testing lazily, like numpy 2.2
             "need/testing/__init__.py": "from need.tests._natype import NA\n",
             "need/tests/__init__.py": "", "need/tests/_natype.py": "NA = None\n",
             "need/tests/test_core.py": "def test():\n    pass\n",
             "user/__init__.py": ""}
    files.update({f"{m.replace('.', '/')}/__init__.py": "import need.testing\n" for m in USERS})
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


@pytest.mark.parametrize("fix", [True, False])
def test_one_diagnosis_for_many_modules_failing_on_one_missing_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fix: bool) -> None:
    tree, held = tmp_path / "tree", tmp_path / "held"
    tree.mkdir()
    held.mkdir()
    _tree(tree)
    plan = plan_removals(str(tree), SlimOptions())
    apply_removals(str(tree), plan, hold_in=Root(str(held)))
    removed = {r.rel: r.rule for r in plan.removals}
    first = verify_imports(str(tree), ["need", "user"], removed=removed, stripped=set())
    assert sorted(f.module for f in first.failures) == ["need.testing", *USERS]

    calls: list[list[str]] = []
    real = imports.probe

    def counted(root: str, names: list[str], **kw: object) -> imports.ProbeResult:
        calls.append(names)
        return real(root, names, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(repair, "probe", counted)
    monkeypatch.setattr("slim_lambda.pipeline.verify.probe", counted)
    found = diagnose(str(tree), first.failures, held=Root(str(held)), removed=removed,
                     repair=fix)
    interpreters = list(calls)

    if fix:
        assert found.kept == [Kept("need/tests/__init__.py", "tests", "need.testing"),
                              Kept("need/tests/_natype.py", "tests", "need.testing")]
        assert found.regressions == [] and found.failed_before == []
        assert not (tree / "need/tests/test_core.py").exists()
        assert verify_imports(str(tree), ["need", "user"], removed={},
                              stripped=set()).failures == []
    else:
        assert found.kept == []
        assert sorted(f.module for f in found.regressions) == ["need.testing", *USERS]
        assert {f.rule for f in found.regressions} == {"tests"}
    # the leader is tried twice (all involved files back, then only what it loaded) and
    # the followers once together (without repair they share the leader's verdict):
    # not two interpreters per failing module
    assert len(interpreters) == (3 if fix else 2), interpreters
