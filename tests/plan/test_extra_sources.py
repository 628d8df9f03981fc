"""plan/extra_sources.py: shared code from outside the entry, refused at construct time
when it cannot ship as asked (no Docker)."""

from __future__ import annotations

from pathlib import Path

from slim_lambda.plan.extra_sources import ExtraSource, resolve_extra_sources


def _repo(tmp_path: Path) -> tuple[Path, Path]:
    fn, lib = tmp_path / "functions" / "api", tmp_path / "libs" / "common"
    for d in (fn, lib):
        d.mkdir(parents=True)
    (fn / "index.py").write_text("import common\n")
    (lib / "__init__.py").write_text("X = 1\n")
    return fn, lib


def test_names_become_paths_and_directories_absolute(tmp_path: Path) -> None:
    fn, lib = _repo(tmp_path)
    found, problems = resolve_extra_sources(str(fn), {"libs.common": str(lib)})
    assert problems == []
    assert found == (ExtraSource("libs.common", str(lib)),)
    assert found[0].dest == "libs/common"


def test_relative_paths_are_relative_to_the_current_directory(tmp_path: Path) -> None:
    import os
    fn, lib = _repo(tmp_path)
    old = os.getcwd()
    os.chdir(fn)
    try:
        found, problems = resolve_extra_sources(str(fn), {"common": "../../libs/common"})
    finally:
        os.chdir(old)
    assert problems == [] and found == (ExtraSource("common", str(lib)),)


def test_every_problem_names_the_option_and_the_fix(tmp_path: Path) -> None:
    fn, lib = _repo(tmp_path)
    (fn / "common.py").write_text("")
    (fn / "inner").mkdir()
    found, problems = resolve_extra_sources(str(fn), {
        "my-lib": str(lib), "class": str(lib), "gone": str(tmp_path / "nope"),
        "inner": str(fn / "inner"), "common": str(lib), "a": str(lib), "a.b": str(lib)})
    assert ("bundling.extra_sources: 'my-lib' is not an import path; use the name your "
            "code imports, e.g. 'common' or 'libs.common'") in problems
    assert ("bundling.extra_sources: 'class' is not an import path; use the name your "
            "code imports, e.g. 'common' or 'libs.common'") in problems
    assert (f"bundling.extra_sources['gone']: directory {tmp_path / 'nope'} does not exist; "
            "pass the directory that holds the shared code") in problems
    assert (f"bundling.extra_sources['inner']: {fn / 'inner'} and the entry {fn} contain "
            "one another, so its files would ship twice; pass a directory beside the "
            "entry") in problems
    assert (f"bundling.extra_sources['common'] ({lib}) and the entry's own common.py would "
            "both ship as common: rename one of them, or drop the extra source") in problems
    assert ("bundling.extra_sources: 'a' and 'a.b' would both ship under a/; give them "
            "separate names") in problems
    assert len(problems) == 6
    assert [s.name for s in found] == ["a", "a.b", "common"]
