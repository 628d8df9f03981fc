"""zipshares.EarlyShares: the tree measured while the deps stage verifies, and at the end
only what changed after the early pass (a file verify kept, a RECORD it rewrote)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from slim_lambda.pipeline.sizes import zip_share
from slim_lambda.run.zipshares import EarlyShares
from slim_lambda.run.zipsize import NodeDeflater

needs_node = pytest.mark.skipif(shutil.which("node") is None and not os.environ.get("CI"),
                                reason="no node on PATH")


def _files(tree: Path) -> dict[str, list[int]]:
    return {str(p.relative_to(tree)): [p.stat().st_size, 0]
            for p in sorted(tree.rglob("*")) if p.is_file()}


@needs_node
def test_only_what_changed_after_the_marker_is_deflated_again(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "pkg" / "tests").mkdir(parents=True)
    (tree / "pkg.dist-info").mkdir()
    (tree / "pkg" / "__init__.py").write_text("import json\n" * 400)
    (tree / "pkg" / "core.py").write_text("def f():\n    return 1\n" * 300)
    (tree / "pkg.dist-info" / "RECORD").write_text("pkg/__init__.py,,\npkg/core.py,,\n")
    marker = tmp_path / "tree-final"
    marker.touch()
    with NodeDeflater() as deflater:
        early = EarlyShares(deflater, str(tree), str(marker))
        assert early.wait(60)
        # verify's repair: a kept file appears, the RECORD is replaced with a longer one
        (tree / "pkg" / "tests" / "helper.py").write_text("X = 1\n" * 500)
        new_record = tree / "pkg.dist-info" / "RECORD.tmp"
        new_record.write_text("pkg/__init__.py,,\npkg/core.py,,\npkg/tests/helper.py,,\n" * 9)
        os.replace(new_record, tree / "pkg.dist-info" / "RECORD")
        meta = {"files": _files(tree), "steps": []}
        early.finish(meta)
        whole = deflater.sizes(str(tree), sorted(meta["files"]))
        engine = deflater.engine()
    assert whole is not None
    assert meta["files"] == {rel: [size, zip_share(rel, whole[rel])]
                             for rel, (size, _share) in _files(tree).items()}
    assert meta["zip_engine"] == engine
    names = [step["name"] for step in meta["steps"]]  # type: ignore[attr-defined]
    assert names == ["zip sizes (node, while verifying)", "zip sizes (node, 2 changed after)"]


@needs_node
def test_without_the_marker_nothing_is_measured(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.py").write_text("A = 1\n")
    with NodeDeflater() as deflater:
        early = EarlyShares(deflater, str(tree), str(tmp_path / "never"))
        meta = {"files": _files(tree), "steps": []}
        early.finish(meta)
    assert meta == {"files": {"a.py": [6, 0]}, "steps": []}
