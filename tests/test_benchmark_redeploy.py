"""The redeploy payload's arithmetic, verdict and lines (benchmarks/redeploy.py), on numbers
and a template made here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks import redeploy, table


def _measured(zip_payload: int, layer_payload: int) -> dict[str, Any]:
    return {
        "zip": {"assets": [{"kind": "Function", "zipped_bytes": 61_000_000}],
                "uploaded": [{"kind": "Function", "hash": "a" * 12,
                              "zipped_bytes": zip_payload}],
                "payload_bytes": zip_payload},
        "layer": {"assets": [{"kind": "Function", "zipped_bytes": 2_000},
                             {"kind": "LayerVersion", "zipped_bytes": 60_900_000}],
                  "uploaded": [{"kind": "Function", "hash": "b" * 12,
                                "zipped_bytes": layer_payload}],
                  "payload_bytes": layer_payload},
    }


def test_the_floor_is_one_percent_of_zip_mode() -> None:
    passing = redeploy.floor(_measured(61_000_000, 2_000))
    assert passing.value == 2_000 / 61_000_000
    assert passing.passes(passing.value) is True
    assert passing.as_json()["judged_on"] == table.JUDGED_ON
    failing = redeploy.floor(_measured(61_000_000, 61_000_000 // 50))
    assert failing.passes(failing.value) is False
    assert redeploy.floor(_measured(0, 2_000)).value is None, "no zip payload: no verdict"


def test_the_lines_name_both_modes_and_the_verdict() -> None:
    lines = redeploy.render(_measured(61_000_000, 2_000))
    text = "\n".join(lines)
    assert "zip (dependencies='bundle')" in text and "layer (dependencies='layer')" in text
    assert "61,000,000" in text and "2,000" in text
    assert "LayerVersion: 60.900" in text
    assert lines[-1] == "  PASS: layer mode uploads 0.0033% of zip mode's bytes (floor <= 1%)"
    assert redeploy.render(_measured(100, 50))[-1].startswith(
        "  FAIL: layer mode uploads 50.0000%")


def test_asset_keys_are_read_from_the_template(tmp_path: Path) -> None:
    (tmp_path / "Bench.template.json").write_text(json.dumps({"Resources": {
        "F": {"Type": "AWS::Lambda::Function",
              "Properties": {"Code": {"S3Bucket": "b", "S3Key": "abc.zip"}}},
        "L": {"Type": "AWS::Lambda::LayerVersion",
              "Properties": {"Content": {"S3Bucket": "b", "S3Key": "def.zip"}}},
        "R": {"Type": "AWS::IAM::Role", "Properties": {}},
        "M": {"Type": "AWS::CDK::Metadata"}}}))
    assert redeploy._asset_keys(tmp_path) == {"abc": "Function", "def": "LayerVersion"}


def test_the_section_is_printed_between_bundles_and_floors() -> None:
    from tests.test_benchmark_table import BUNDLES, _samples

    med = table.medians(_samples())
    bundles = {name: {"files": 1, "unzipped_bytes": 1, "zipped_bytes": 1,
                      "handler_runs": True, "handler_error": "",
                      "cold_import_s": BUNDLES.get(name, {}).get("cold_import_s", 1.0)}
               for name in table.BUNDLE_ORDER}
    results = {"workload": "w", "image": "i", "repeat": 3, "functions": 10, "import_runs": 5,
               "machine": {"when": "now", "cpus": 2, "load_start": 1, "load_end": 1,
                           "cdk": "2", "slim_lambda": "0", "git": "g", "alpha": "a",
                           "image_id": "sha256:0123456789abcdef0123"},
               "synth_median": med, "ratios": table.ratios(med), "bundles": bundles,
               "zip_engine": "node", "floors": []}
    text = table.render(results, sections=[redeploy.render(_measured(61_000_000, 2_000))])
    assert text.index("zipped = the CDK CLI's zip") < text.index("redeploy payload") < (
        text.index("floors (issue 4)"))
