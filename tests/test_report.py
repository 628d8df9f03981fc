from __future__ import annotations

from slim_lambda.options import SizeLimits
from slim_lambda.report import check_limits, mb, over_limit_advice, render

REPORT = {
    "runtime": "python3.11", "architecture": "x86_64", "image": "img",
    "unzipped_bytes": 200_000_000, "zipped_bytes": 60_000_000,
    "installed_bytes": 260_000_000, "removed_bytes": 60_000_000,
    "removed_by_rule": [{"rule": "tests", "files": 10, "bytes": 50_000_000}],
    "packages": [{"name": f"pkg{i}", "version": "1", "bytes": 10_000_000 - i, "files": 1}
                 for i in range(12)],
    "user_code_bytes": 2048,
    "bytecode": {"mode": "imported", "modules": 5, "bytes": 1000, "dropped_for_budget": 2},
    "warnings": ["something"],
}


def test_units() -> None:
    assert mb(262_144_000) == "250.0 MiB"
    assert mb(2048) == "2.0 KiB"


def test_limits() -> None:
    errors, warnings = check_limits(REPORT, SizeLimits())
    assert errors == [] and len(warnings) == 1 and "uploads through S3" in warnings[0]
    errors, _ = check_limits(REPORT, SizeLimits(unzipped_bytes=100_000_000))
    assert "over the limit of 100,000,000 bytes" in errors[0]
    errors, warnings = check_limits(REPORT, SizeLimits(fail_on_zipped=True))
    assert errors and not warnings


def test_render_has_the_table_and_headroom() -> None:
    text = render(REPORT, SizeLimits(), title="S/F")
    assert text.splitlines()[0] == "slim-lambda: S/F (python3.11, x86_64, image img)"
    assert "headroom 59.3 MiB" in text
    assert "tests" in text and "pkg0 1" in text and "(your code)" in text
    assert "2 more packages" in text and "2 left out for the size limit" in text
    assert "warning: something" in text
    over = render(REPORT, SizeLimits(unzipped_bytes=100_000_000))
    assert "OVER by" in over


def test_advice_names_the_biggest_packages() -> None:
    assert "pkg0, pkg1, pkg2" in over_limit_advice(REPORT)
