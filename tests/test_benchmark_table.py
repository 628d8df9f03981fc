"""The benchmark's arithmetic and verdicts (benchmarks/table.py), on samples made here."""

from __future__ import annotations

from typing import Any

import pytest
from benchmarks import table


def _runs(*pairs: tuple[float, float | None]) -> list[dict[str, Any]]:
    return [{"seconds": total, "own_s": own} for total, own in pairs]


def _samples() -> dict[str, dict[str, list[dict[str, Any]]]]:
    return {
        "slim": {"empty": _runs((7.0, 0.2), (8.0, 0.2), (7.5, 0.3)),
                 "first": _runs((40.0, 30.0), (44.0, 34.0), (42.0, 32.0)),
                 "warm": _runs((8.0, 0.5), (8.2, 0.6), (9.0, 0.7)),
                 "handler": _runs((8.1, 0.6), (8.3, 0.7), (8.5, 0.8)),
                 "many": _runs((50.0, 40.0))},
        "alpha": {"empty": _runs((7.4, 0.5), (7.6, 0.5), (7.5, 0.5)),
                  "first": _runs((25.0, 17.0), (26.0, 18.0), (27.0, 19.0)),
                  "warm": _runs((25.0, 17.0), (25.0, 17.0), (25.0, 17.0)),
                  "handler": _runs((24.0, 16.0), (25.5, 17.5), (27.0, 19.0)),
                  "many": _runs((180.0, 170.0))},
    }


BUNDLES = {"slim-lambda": {"cold_import_s": 0.8}, "PythonFunction": {"cold_import_s": 2.0}}


def test_medians_and_net() -> None:
    med = table.medians(_samples())
    assert med["slim"]["total"]["warm"] == 8.2
    assert med["slim"]["own"]["handler"] == 0.7
    assert med["slim"]["net"]["warm"] == pytest.approx(8.2 - 7.5)
    assert med["slim"]["net"]["empty"] is None
    assert med["alpha"]["net"]["handler"] == pytest.approx(25.5 - 7.5)


def test_net_never_negative_and_missing_own_is_none() -> None:
    samples = _samples()
    samples["slim"]["warm"] = _runs((6.0, None))
    med = table.medians(samples)
    assert med["slim"]["net"]["warm"] == 0.0
    assert med["slim"]["own"]["warm"] is None
    assert table.ratios(med)["slim own"]["warm / first"] is None


def test_floors_are_judged_on_own_time_with_total_and_net_beside() -> None:
    med = table.medians(_samples())
    by_name = {f.name.split(" ")[0]: f for f in table.floors(med, BUNDLES, 10)}
    handler = by_name["handler-change"]
    assert handler.value == pytest.approx(0.7 / 17.5)
    assert handler.passes(handler.value) is True
    assert handler.values["total"] == pytest.approx(8.3 / 25.5)
    assert handler.passes(handler.values["total"]) is False
    warm = by_name["warm"]
    assert warm.value == pytest.approx(0.6 / 32.0)
    assert warm.values["total"] == pytest.approx(8.2 / 42.0)
    many = by_name["10"]
    assert many.value == pytest.approx(40.0 / 32.0) and many.passes(many.value) is True
    cold = by_name["cold"]
    assert cold.value == pytest.approx(2.5) and cold.op == ">=" and cold.passes(cold.value)
    assert set(cold.values) == {"own"}


def test_a_floor_that_is_missed_fails() -> None:
    samples = _samples()
    samples["slim"]["handler"] = _runs((20.0, 5.0))
    (handler, *_rest) = table.floors(table.medians(samples), BUNDLES, 10)
    assert handler.passes(handler.value) is False
    assert handler.as_json()["pass"] is False


def test_render_prints_every_scenario_and_verdict() -> None:
    samples = _samples()
    med = table.medians(samples)
    bundle = {"files": 10, "unzipped_bytes": 190_000_000, "zipped_bytes": 60_000_000,
              "handler_runs": True, "handler_error": ""}
    results = {
        "workload": "w", "image": "img", "repeat": 3, "functions": 10, "import_runs": 5,
        "machine": {"when": "now", "cpus": 2, "load_start": 1.0, "load_end": 2.0,
                    "cdk": "2.0", "aws_cdk_lib": "2.275.0", "slim_lambda": "0.1.0",
                    "git": "abc", "alpha": "2.0a0", "image_id": "sha256:" + "0" * 64},
        "synth_median": med, "ratios": table.ratios(med), "zip_engine": "node",
        "bundles": {"slim-lambda": dict(bundle, cold_import_s=0.8),
                    "PythonFunction": dict(bundle, unzipped_bytes=270_000_000,
                                           cold_import_s=2.0),
                    "SPR slim+strip": dict(bundle, handler_runs=False, cold_import_s=None,
                                           handler_error="ELF load command")},
        "floors": [f.as_json() for f in table.floors(med, BUNDLES, 10)],
    }
    text = table.render(results)
    for label in ("no function", "(a) first synth", "(b) after rm -rf cdk.out",
                  "(c) after a one-line handler change", "(d) 10 functions",
                  "handler error: ELF load command", "over"):
        assert label in text
    floor_lines = [line for line in text.splitlines() if line.startswith(("  PASS", "  FAIL"))]
    assert len(floor_lines) == 4
    assert all(line.startswith("  PASS") for line in floor_lines)
    assert f"{round(8.3 / 25.5, 4):.3f} FAIL" in text  # handler floor on total time, beside
    assert "no construct" in text  # CDK's own fixed cost explained
