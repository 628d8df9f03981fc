"""The model itself: every key documented, and every key the build writes in it."""

from __future__ import annotations

import ast
import inspect
from typing import get_type_hints

from slim_lambda.report import meta, model, parts

from .producers import added_keys, literal_keys

TRANSIENT = {"file_bytes", "own_files", "probe"}
"""Keys the asset stage hands to the host, which uses them up before the final report."""


def undocumented(source: str) -> list[str]:
    """``Class.key`` for every key of a class without a docstring right after it."""
    missing = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        body = node.body
        for i, item in enumerate(body):
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                doc = body[i + 1] if i + 1 < len(body) else None
                if not (isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
                        and isinstance(doc.value.value, str)):
                    missing.append(f"{node.name}.{item.target.id}")
    return missing


def test_every_key_is_documented() -> None:
    assert [undocumented(inspect.getsource(m)) for m in (model, parts, meta)] == [[], [], []]


def test_the_check_finds_an_undocumented_key() -> None:
    source = 'class Sample(TypedDict):\n    documented: int\n    """Yes."""\n    bare: int\n'
    assert undocumented(source) == ["Sample.bare"]


def test_the_report_has_every_key_the_build_writes() -> None:
    (asset,) = literal_keys("unzipped_bytes")
    host = added_keys("report")
    assert {"mode", "cache", "zipped_bytes", "assembled_on"} <= host  # the scan finds them
    written = (asset | host) - TRANSIENT
    assert written - set(get_type_hints(model.Report)) == set()


def test_defaults_name_real_keys() -> None:
    for kind, defaults in model.DEFAULTS.items():
        assert set(defaults) <= set(get_type_hints(kind)), kind
