"""The loader: old, partial and hostile reports become complete ones, or a clear error."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_type_hints

import pytest

from slim_lambda.errors import SlimLambdaError
from slim_lambda.options import UNZIPPED_LIMIT_BYTES, ZIPPED_LIMIT_BYTES
from slim_lambda.report.load import load_deps_meta, load_report, load_tree
from slim_lambda.report.meta import DepsMeta
from slim_lambda.report.model import Report

from .samples import LAYERED, SCHEMA_1


def test_a_report_of_the_first_version_loads_complete() -> None:
    report = load_report(SCHEMA_1, "old.json")
    assert set(report) == set(get_type_hints(Report))
    assert report["label"] == "Old/Fn"                        # from labels
    assert report["bytecode"]["choice"] == "imported"         # from the mode
    assert report["limits"] == {"unzipped_bytes": UNZIPPED_LIMIT_BYTES,
                                "zipped_bytes": ZIPPED_LIMIT_BYTES, "ok": True}
    assert report["combined_unzipped_bytes"] == 9_000_000     # no layers: its own size
    assert report["layers"] == [] and report["notices"] == [] and report["tree"] is None
    assert report["cache"]["hit"] is None and report["import_seconds"] is None
    assert "handler_imports_seconds" not in report["verify"]  # keys of no model are dropped
    assert report["steps"] == [{"name": "install", "seconds": 3.5}]


def test_a_key_only_some_steps_have_stays_absent_or_is_checked() -> None:
    steps = [{"name": "verify imports", "seconds": 2},
             {"name": "probe handler imports", "seconds": 1.5, "beside": "verify imports"}]
    report = load_report({"unzipped_bytes": 1, "steps": steps}, "s.json")
    assert report["steps"] == [{"name": "verify imports", "seconds": 2.0},
                               {"name": "probe handler imports", "seconds": 1.5,
                                "beside": "verify imports"}]
    with pytest.raises(SlimLambdaError, match=r"steps\[0\]\.beside"):
        load_report({"unzipped_bytes": 1, "steps": [{"name": "x", "beside": 3}]}, "s.json")


def test_only_the_unzipped_size_is_required() -> None:
    report = load_report({"unzipped_bytes": 7}, "min.json")
    assert report["files"] is None and report["zipped_bytes"] is None
    assert report["packages"] == [] and report["by_kind"] == {} and report["strip"] is None
    assert report["tool"] == {"name": "", "version": ""} and report["schema"] == 0
    assert report["label"] == "" and report["combined_unzipped_bytes"] == 7
    missing: object
    for missing in ({}, {"unzipped_bytes": None}, [], "report", None):
        with pytest.raises(SlimLambdaError, match=r"min\.json is not a slim-lambda report"):
            load_report(missing, "min.json")


def test_null_means_the_default() -> None:
    report = load_report({"unzipped_bytes": 1, "packages": None, "limits": {"ok": None},
                          "layers": [{"label": "L", "unzipped_bytes": None}]}, "n.json")
    assert report["packages"] == [] and report["limits"]["ok"] is True
    assert report["layers"][0]["size_known"] is False and report["layers"][0]["unzipped_bytes"] == 0


def test_layers_of_unknown_size_are_not_counted() -> None:
    report = load_report(dict(LAYERED, combined_unzipped_bytes=None), "l.json")
    assert [layer["size_known"] for layer in report["layers"]] == [True, True, False]
    assert report["combined_unzipped_bytes"] == 60_000_000 + 150_000_000 + 40_000_000
    given = load_report(LAYERED, "l.json")
    assert given["combined_unzipped_bytes"] == 250_000_000


def test_a_tree_is_complete_at_every_node() -> None:
    tree = load_tree({"name": "", "bytes": 3, "children": [
        {"name": "a", "kind": "file", "bytes": 3, "files": 1, "package": "pkg"},
        {"name": "b", "kind": "dir", "bytes": 0}]}, "bundle")
    assert tree["package"] == "" and tree["files"] == 0
    assert tree["children"][0]["package"] == "pkg" and tree["children"][1]["children"] == []


@pytest.mark.parametrize(("data", "where"), [
    ({"unzipped_bytes": "200 MB"}, "unzipped_bytes is '200 MB', not an integer"),
    ({"unzipped_bytes": True}, "unzipped_bytes is True, not an integer"),
    ({"unzipped_bytes": 1, "packages": {"a": 1}}, "packages is {'a': 1}, not a list"),
    ({"unzipped_bytes": 1, "packages": [{"name": "a", "bytes": 1}, {"name": 2}]},
     r"packages\[1\]\.name is 2, not a string"),
    ({"unzipped_bytes": 1, "limits": {"ok": "yes"}}, "limits.ok is 'yes', not true or false"),
    ({"unzipped_bytes": 1, "steps": [{"seconds": "fast"}]},
     r"steps\[0\]\.seconds is 'fast', not a number"),
    ({"unzipped_bytes": 1, "by_kind": {".so": 1.5}}, r"by_kind\.\.so is 1\.5, not an integer"),
    ({"unzipped_bytes": 1, "tree": {"children": [{"children": [{"bytes": -0.5}]}]}},
     r"tree\.children\[0\]\.children\[0\]\.bytes is -0\.5, not an integer"),
    ({"unzipped_bytes": 1, "warnings": ["x" * 500]}, None),
    ({"unzipped_bytes": 1, "label": "x" * 500}, None),
    ({"unzipped_bytes": 1, "cache": "hit"}, "cache is 'hit', not an object"),
])
def test_wrong_types_name_the_file_and_the_key(data: dict[str, Any], where: str | None) -> None:
    if where is None:  # long values are fine where they are strings
        load_report(data, "ci/artefact.slim-report.json")
        return
    with pytest.raises(SlimLambdaError) as raised:
        load_report(data, "ci/artefact.slim-report.json")
    message = str(raised.value)
    assert message.startswith("report: ci/artefact.slim-report.json is not a valid slim-lambda "
                              "report: ")
    assert re.search(where, message), message
    assert len(message) < 200


def test_long_values_are_cut_in_the_message() -> None:
    with pytest.raises(SlimLambdaError, match=r"is '0{56}\.\.\., not an integer"):
        load_report({"unzipped_bytes": "0" * 10_000}, "big.json")


def test_a_tree_nested_too_deeply_is_an_error_not_a_crash(tmp_path: Path) -> None:
    node: dict[str, Any] = {"name": "x"}
    data = {"unzipped_bytes": 1, "tree": node}
    for _ in range(5000):
        node["children"] = [{"name": "x"}]
        node = node["children"][0]
    with pytest.raises(SlimLambdaError, match=r"deep\.json .* nested too deeply"):
        load_report(data, "deep.json")


def test_what_is_loaded_is_json_again() -> None:
    report = load_report(SCHEMA_1, "old.json")
    assert load_report(json.loads(json.dumps(report)), "again.json") == report
    assert load_report(report, "same") == report  # loading a loaded report changes nothing


def test_a_deps_meta_loads_complete() -> None:
    meta = load_deps_meta({"schema": 2, "files": {"a.py": [10, 8]},
                           "probes": {"numpy": {"modules": ["numpy"], "ok": True,
                                                "seconds": 0.3}}}, "tree.json")
    assert set(meta) == set(get_type_hints(DepsMeta))
    assert meta["files"] == {"a.py": [10, 8]} and meta["zip_engine"] is None
    assert meta["probes"]["numpy"]["failed"] == [] and meta["probes"]["numpy"]["files"] == []
    assert meta["bytecode"] == {"compiled": False, "modules": 0, "failed": 0}
    with pytest.raises(SlimLambdaError, match=r"tree\.json is not a dependency meta .*: "
                                              r"files\.a\.py\[1\] is '8', not an integer"):
        load_deps_meta({"files": {"a.py": [10, "8"]}}, "tree.json")
    with pytest.raises(SlimLambdaError, match=r"the top level is .*, not an object"):
        load_deps_meta([], "tree.json")
