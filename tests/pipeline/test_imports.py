"""imports.py: what the handler imports (read, never run) and importing it in a clean process."""

from __future__ import annotations

import sys
from pathlib import Path

from slim_lambda.pipeline.imports import probe, run_probe, scan_imports

HANDLER = """\
import os, json
import a.b
from c import d
from . import sibling
from .x import y
from ..up import z
import os
import typing
from typing import TYPE_CHECKING

try:
    import optional_mod
except ImportError:
    optional_mod = None

try:
    from guarded.sub import thing
    import guarded_too
finally:
    pass

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
if typing.TYPE_CHECKING:
    import types_only

raise SystemExit("never executed")


def later():
    import inside_function
    return inside_function
"""


def test_scan_lists_unguarded_absolute_imports_only(tmp_path: Path) -> None:
    (tmp_path / "handler.py").write_text(HANDLER)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "helper.py").write_text("import e.f\nfrom a.b import again\n")
    (tmp_path / "broken.py").write_text("def broken(:\n")
    found = scan_imports(str(tmp_path), ["handler.py", "pkg/helper.py", "broken.py",
                                         "missing.py"])
    assert found == ["os", "json", "a.b", "c", "typing", "inside_function", "e.f"]


def test_probe_reports_what_loaded_and_what_failed(tmp_path: Path) -> None:
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "__init__.py").write_text("from good import part\n")
    (tmp_path / "good" / "part.py").write_text("X = 1\n")
    (tmp_path / "bad.py").write_text("raise RuntimeError('bad module says no')\n")
    (tmp_path / "dies.py").write_text("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")

    result = probe(str(tmp_path), ["good", "bad", "not_installed_anywhere"])

    assert result.ok == ["good"]
    assert set(result.failed) == {"bad", "not_installed_anywhere"}
    assert "RuntimeError: bad module says no" in result.failed["bad"]
    assert "No module named 'not_installed_anywhere'" in result.failed["not_installed_anywhere"]
    assert {"good/__init__.py", "good/part.py"} <= set(result.files)
    assert result.seconds > 0
    assert not list(tmp_path.rglob("__pycache__")), "probe must not write bytecode"

    died = probe(str(tmp_path), ["dies"])
    assert died.ok == []
    assert "signal 9" in died.failed["dies"]


def test_a_tree_verify_just_read_is_probed_once_else_twice(tmp_path: Path) -> None:
    tree, count = tmp_path / "tree", tmp_path / "imports"
    (tree / "counted").mkdir(parents=True)
    (tree / "counted" / "__init__.py").write_text(
        f"open({str(count)!r}, 'a').write('x')\n")
    cold = run_probe(str(tree), ["counted"], (), sys.executable)
    assert count.read_text() == "xx", "the first import only warms the page cache"
    warm = run_probe(str(tree), ["counted"], (), sys.executable, warm=True)
    assert count.read_text() == "xxx"
    for result in (cold, warm):
        assert result["ok"] == ["counted"] and result["files"] == ["counted/__init__.py"]
