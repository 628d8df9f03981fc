from __future__ import annotations

from slim_lambda.options import SizeLimits
from slim_lambda.report.layout import mb
from slim_lambda.report.limits import (
    check_limits,
    contributors,
    image_bytes,
    largest_contributors,
    over_limit_advice,
)

from .samples import LAYERED, REPORT, report


def test_limits() -> None:
    errors, warnings = check_limits(report(REPORT), SizeLimits())
    assert errors == [] and len(warnings) == 1 and "uploads through S3" in warnings[0]
    errors, _ = check_limits(report(REPORT), SizeLimits(unzipped_bytes=100_000_000))
    assert "over the limit of 100,000,000 bytes" in errors[0]
    errors, warnings = check_limits(report(REPORT), SizeLimits(fail_on_zipped=True))
    assert errors and not warnings and "fail_on_zipped" in errors[0]


def test_the_function_is_checked_with_its_layers() -> None:
    """60 MB of function is fine alone; with 190 MB of layers it is over 200 MB."""
    errors, _ = check_limits(report(LAYERED), SizeLimits(unzipped_bytes=200_000_000))
    assert len(errors) == 1 and "unzipped size 250,000,000 bytes" in errors[0]
    alone = report(LAYERED, layers=[], combined_unzipped_bytes=None)
    assert check_limits(alone, SizeLimits(unzipped_bytes=200_000_000))[0] == []


def test_an_unknown_zipped_size_is_not_checked() -> None:
    errors, warnings = check_limits(report(REPORT, zipped_bytes=None),
                                    SizeLimits(zipped_bytes=1, fail_on_zipped=True))
    assert errors == [] and warnings == []


def test_contributors_span_the_function_and_its_layers() -> None:
    layer = report({"unzipped_bytes": 30_000_000, "packages": [
        {"name": "scipy", "version": "1.17.1", "bytes": 25_000_000, "files": 10}]})
    rows = contributors(report(REPORT), [("layer Sci", layer, 30_000_000),
                                         ("layer arn:x", None, 12_000_000)])
    assert rows[:3] == [(25_000_000, "scipy 1.17.1", "layer Sci"),
                        (12_000_000, "(whole layer)", "layer arn:x"),
                        (10_000_000, "pkg0 1", "function")]
    assert (2048, "(your code)", "function") in rows
    assert [size for size, _name, _where in rows] == sorted((r[0] for r in rows), reverse=True)


def test_largest_contributors_names_each_part() -> None:
    text = largest_contributors(report(REPORT), [("layer Sci", None, 150 * 1048576)], top=3)
    lines = text.splitlines()
    assert lines[0] == "function plus layers: function 190.7 MiB + layer Sci 150.0 MiB"
    assert lines[1] == "largest contributors:" and len(lines) == 5
    assert lines[2].split() == ["150.0", "MiB", "(whole", "layer)", "[layer", "Sci]"]


def test_advice_names_the_biggest_packages() -> None:
    advice = over_limit_advice(report(REPORT))
    assert "pkg0, pkg1, pkg2" in advice and "--html" in advice
    assert "the largest packages" in over_limit_advice(report({"unzipped_bytes": 1}))


def test_an_image_has_no_zipped_limit() -> None:
    errors, warnings = check_limits(report(dict(REPORT, kind="image")), SizeLimits())
    assert errors == [] and warnings == []


def test_advice_names_the_image_function_with_the_size_it_would_have() -> None:
    every_module = dict(REPORT["bytecode"], mode="auto", all_bytes=30_000_512)
    over = report(dict(REPORT, bytecode=every_module))
    assert image_bytes(over) == 200_000_000 - 512 + 30_000_512
    advice = " ".join(over_limit_advice(over).split())
    assert (f"Past it, deploy the function as a container image: SlimPythonImageFunction "
            f"takes the same options, and this bundle would be an image layer of "
            f"{mb(230_000_000)} (every module compiled) of the 10 GB an image may hold."
            ) in advice
    # bytecode="imported" stays so in an image; older reports have no all_bytes
    assert image_bytes(report(dict(REPORT, bytecode=dict(every_module, mode="imported")))) \
        == 200_000_000
    assert image_bytes(report(REPORT)) == 200_000_000
