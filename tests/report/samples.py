"""Reports as the tests write them: raw dicts, read through the model's loader."""

from __future__ import annotations

from typing import Any

from slim_lambda.report.load import load_report
from slim_lambda.report.model import Report

REPORT: dict[str, Any] = {
    "runtime": "python3.11", "architecture": "x86_64", "image": "img",
    "unzipped_bytes": 200_000_000, "zipped_bytes": 60_000_000, "files": 3_000,
    "installed_bytes": 260_000_000, "removed_bytes": 60_000_000,
    "removed_by_rule": [{"rule": "tests", "files": 10, "bytes": 50_000_000},
                        {"rule": "strip", "files": 3, "bytes": 10_000_000}],
    "packages": [{"name": f"pkg{i}", "version": "1", "bytes": 10_000_000 - i, "files": 1}
                 for i in range(12)],
    "user_code_bytes": 2048,
    "bytecode": {"mode": "imported", "choice": "imported", "modules": 5, "bytes": 512,
                 "dropped_for_budget": 2},
    "warnings": ["something"],
}

LAYERED: dict[str, Any] = dict(
    REPORT, label="App/Fn", unzipped_bytes=60_000_000, combined_unzipped_bytes=250_000_000,
    layers=[{"label": "App/Sci", "unzipped_bytes": 150_000_000, "zipped_bytes": 50_000_000,
             "declared": False, "size_known": True,
             "packages": [{"name": "scipy", "version": "1.17.1"}]},
            {"label": "arn:aws:lambda:us-east-1:123:layer:ext:3", "unzipped_bytes": 40_000_000,
             "declared": True, "size_known": True, "packages": []},
            {"label": "arn:aws:lambda:us-east-1:123:layer:other:1", "unzipped_bytes": 0,
             "declared": False, "size_known": False, "packages": []}],
    deduplicated=[{"name": "scipy", "version": "1.17.1"}, {"name": "numpy", "version": "2.4.6"}])

SCHEMA_1: dict[str, Any] = {
    "schema": 1, "tool": {"name": "slim-lambda", "version": "0.1.0"},
    "runtime": "python3.11", "architecture": "x86_64", "python": "3.11.9",
    "image": "public.ecr.aws/sam/build-python3.11", "labels": {"function": "Old/Fn"},
    "files": 120, "unzipped_bytes": 9_000_000, "zipped_bytes": 3_000_000,
    "installed_bytes": 10_000_000, "removed_bytes": 1_500_000,
    "removed_by_rule": [{"rule": "tests", "files": 40, "bytes": 1_500_000}],
    "packages": [{"name": "requests", "version": "2.32.3", "bytes": 500_000, "files": 60}],
    "user_code_bytes": 1000, "other_bytes": 0, "by_kind": {".py": 8_000_000},
    "strip": None,
    "bytecode": {"mode": "imported", "modules": 30, "bytes": 500_000, "failed": 0,
                 "dropped_for_budget": 0, "budget_bytes": 250_000_000},
    "verify": {"enabled": True, "modules": ["requests"], "skipped": [],
               "handler_imports_seconds": 0.2},
    "handler_imports": ["requests"],
    "rules": [{"name": "tests", "patterns": ["tests/"]}],
    "steps": [{"name": "install", "seconds": 3.5}], "seconds": 3.5,
    "warnings": [],
}
"""A report as the first version (schema 1) wrote it: no label, layers, limits, notices,
tree or bytecode choice."""


def report(data: dict[str, Any], **changes: Any) -> Report:
    """``data`` with ``changes``, read as a saved report is."""
    return load_report(dict(data, **changes), "test")
