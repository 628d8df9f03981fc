"""hooks.py: before_install / after_install commands run in the tree with the stage's
paths in the environment; a failing one names itself and shows its last lines, redacted."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.pipeline.errors import BuildError
from slim_lambda.pipeline.hooks import run_hooks
from slim_lambda.pipeline.spec import DepsSpec, InstallSettings


def _spec(tmp_path: Path) -> DepsSpec:
    for d in ("tree", "entry", "work"):
        (tmp_path / d).mkdir()
    return DepsSpec(runtime="python3.11", architecture="x86_64",
                    output_dir=str(tmp_path / "tree"), work_dir=str(tmp_path / "work"),
                    install=InstallSettings(entry_dir=str(tmp_path / "entry")))


def test_commands_run_in_the_tree_in_order(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    (tmp_path / "entry" / "data.txt").write_text("from the entry\n")
    lines: list[str] = []
    run_hooks("after_install", ["mkdir -p lib && cp \"$SLIM_LAMBDA_ENTRY/data.txt\" lib/",
                                "echo \"$SLIM_LAMBDA_TREE\" > where; echo done"], spec,
              lines.append)
    assert (tmp_path / "tree" / "lib" / "data.txt").read_text() == "from the entry\n"
    assert (tmp_path / "tree" / "where").read_text().strip() == str(tmp_path / "tree")
    assert lines[0] == "  bundling.after_install[0] `mkdir -p lib && cp \"$SLIM_LAMBDA_ENTRY/" \
                       "data.txt\" lib/`" and "    done" in lines


def test_a_failing_command_names_itself_with_its_last_lines_redacted(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    with pytest.raises(BuildError) as raised:
        run_hooks("before_install", [
            "true", "echo fetching https://ci:s3cret-token@idx.example/simple; exit 3"],
            spec, print)
    assert str(raised.value) == (
        "install: bundling.before_install[1] `echo fetching https://***@idx.example/simple; "
        "exit 3` failed with exit code 3\nIts last lines:\n"
        "fetching https://***@idx.example/simple")
    assert "s3cret" not in str(raised.value)
