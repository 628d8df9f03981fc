"""explain.py: naming the module an import misses and the distribution that would provide it."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.pipeline.distinfo import find_distributions
from slim_lambda.pipeline.explain import missing_dependency

METADATA = """\
Metadata-Version: 2.1
Name: Fancy.Lib
Version: 2.0
Requires-Dist: turbo_engine>=1.0; extra == "fast"
Requires-Dist: Old-Compat; python_version < "3.8"
Requires-Dist: plain-dep
Provides-Extra: fast

A long description that trimming removes.
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    info = tmp_path / "fancy_lib-2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(METADATA)
    (info / "RECORD").write_text("fancy/__init__.py,,\nfancy_fast.py,,\n"
                                 "fancy_lib-2.0.dist-info/RECORD,,\n")
    (tmp_path / "fancy").mkdir()
    (tmp_path / "fancy" / "__init__.py").write_text("")
    (tmp_path / "fancy_fast.py").write_text("import turbo_engine\n")
    (tmp_path / "present").mkdir()
    (tmp_path / "present" / "__init__.py").write_text("")
    return tmp_path


def _missing(name: str) -> str:
    return f"Traceback...\nModuleNotFoundError: No module named '{name}'"


@pytest.mark.parametrize(("module", "name", "expected"), [
    ("fancy_fast", "turbo_engine", "turbo-engine is not installed: Fancy.Lib needs it only "
     "for its 'fast' extra (Fancy.Lib[fast])"),
    ("fancy.sub", "turbo_engine.core", "turbo-engine is not installed: Fancy.Lib needs it "
     "only for its 'fast' extra (Fancy.Lib[fast])"),
    ("fancy", "old_compat", "old-compat is not installed: Fancy.Lib needs it only where "
     "python_version < \"3.8\""),
    ("fancy", "plain_dep", "plain-dep is not installed, though Fancy.Lib requires it"),
    ("fancy", "nowhere", "'nowhere' is not installed, and no installed distribution "
     "declares it"),
    ("unowned", "turbo_engine", "'turbo_engine' is not installed, and no installed "
     "distribution declares it"),
])
def test_a_missing_module_is_named_with_its_provider(tree: Path, module: str, name: str,
                                                     expected: str) -> None:
    dists = find_distributions(str(tree))
    assert missing_dependency(_missing(name), module, str(tree), dists) == expected


def test_nothing_to_say_when_the_module_is_there_or_the_error_is_another(
        tree: Path, tmp_path: Path) -> None:
    dists = find_distributions(str(tree))
    assert missing_dependency(_missing("present.sub"), "fancy", str(tree), dists) == ""
    assert missing_dependency("RuntimeError: no GPU", "fancy", str(tree), dists) == ""
    layer = tmp_path / "layer"
    (layer / "plain_dep").mkdir(parents=True)
    assert missing_dependency(_missing("plain_dep"), "fancy", str(tree), dists,
                              extra_paths=(str(layer),)) == ""
