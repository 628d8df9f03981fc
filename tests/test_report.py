from __future__ import annotations

import re
from typing import Any

from slim_lambda.options import SizeLimits
from slim_lambda.report.text import (
    WIDTH,
    check_limits,
    mb,
    over_limit_advice,
    render,
    render_combined,
)

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


def lines_with(text: str, start: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip().startswith(start)]


def test_units() -> None:
    assert mb(262_144_000) == "250.0 MiB"
    assert mb(2048) == "2.0 KiB"


def test_limits() -> None:
    errors, warnings = check_limits(REPORT, SizeLimits())
    assert errors == [] and len(warnings) == 1 and "uploads through S3" in warnings[0]
    errors, _ = check_limits(REPORT, SizeLimits(unzipped_bytes=100_000_000))
    assert "over the limit of 100,000,000 bytes" in errors[0]
    errors, warnings = check_limits(REPORT, SizeLimits(fail_on_zipped=True))
    assert errors and not warnings and "fail_on_zipped" in errors[0]


def test_render_has_the_table_and_headroom() -> None:
    text = render(REPORT, SizeLimits(), title="S/F")
    assert text.splitlines()[0] == "slim-lambda: S/F (python3.11, x86_64, image img)"
    (unzipped,) = lines_with(text, "unzipped ")
    assert re.fullmatch(r"\s+unzipped\s+190\.7 MiB\s+250\.0 MiB\s+59\.3 MiB\s+ok", unzipped)
    (zipped,) = lines_with(text, "zipped")
    assert "-7.2 MiB" in zipped and "direct upload only" in zipped
    assert "pkg0 1" in text and "(your code)" in text
    assert "... 2 more packages" in text
    assert "warning: something" in text
    over = render(REPORT, SizeLimits(unzipped_bytes=100_000_000))
    assert re.search(r"unzipped .*-95\.4 MiB\s+OVER by 95\.4 MiB", over)


def test_render_goes_from_installed_to_the_bundle_rule_by_rule() -> None:
    text = render(REPORT, SizeLimits())
    rows = text.splitlines()
    start = rows.index(lines_with(text, "from installed to bundle")[0])
    flow = [r.split()[:2] for r in rows[start + 1:start + 7]]
    assert flow == [["installed", "248.0"], ["-", "tests"], ["-", "strip"], ["+", "bytecode"],
                    ["~", "other"], ["=", "unzipped"]]
    assert "-47.7 MiB" in lines_with(text, "- tests")[0]
    bytecode = lines_with(text, "+ bytecode")[0]
    assert "(imported, 2 left out for the size limit)" in bytecode and "+0.5 KiB" in bytecode
    # 260 MB installed - 60 MB removed + 512 B of bytecode = 200,000,512: 512 B unaccounted
    assert "-0.5 KiB" in lines_with(text, "~ other changes")[0]
    assert re.search(r"= unzipped\s+3,000\s+190\.7 MiB\s+-23% vs installed", text)


def test_a_bundle_measured_after_the_fact_has_no_flow() -> None:
    text = render({"unzipped_bytes": 5000, "zipped_bytes": 100,
                   "packages": [{"name": "a", "version": "1", "bytes": 4000, "files": 2}],
                   "other_bytes": 1000}, SizeLimits(), title="b.zip")
    assert text.splitlines()[0] == "slim-lambda: b.zip"
    assert "installed" not in text and "(files of no package)" in text


def test_no_line_is_wider_than_the_terminal() -> None:
    long = dict(REPORT, image="registry.example.com/" + "mirror/" * 12 + "build-python3.11:x",
                label="Stack/" + "Nested/" * 20 + "Fn",
                packages=[{"name": "a-very-long-distribution-name-" * 3, "version": "1.0.0rc1"
                           + ".post" * 10, "bytes": 5, "files": 1}],
                warnings=["word " * 80, "x" * 300],
                layers=[{"label": "L/" * 60, "unzipped_bytes": 1, "size_known": True}],
                combined_unzipped_bytes=200_000_001)
    for text in (render(long, SizeLimits()), render_combined(long, [long], SizeLimits()),
                 over_limit_advice(long)):
        assert max(len(line) for line in text.splitlines()) <= WIDTH, text
    text = render(long, SizeLimits())
    assert lines_with(text, "image registry.example.com/")  # the image moved to its own line
    assert "word word" in text and "x" * 80 in text          # warnings wrap, nothing is lost


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


def test_function_plus_layers() -> None:
    text = render(LAYERED, SizeLimits(), title="App/Fn")
    (row,) = lines_with(text, "unzipped (+3 layers)")
    assert re.search(r"238\.4 MiB\s+250\.0 MiB\s+11\.6 MiB\s+ok", row)
    assert re.search(r"function App/Fn\s+57\.2 MiB\s+24%", text)
    assert re.search(r"layer App/Sci\s+143\.1 MiB\s+60%", text)
    assert re.search(r"layer arn:\S+:ext:3\s+38\.1 MiB\s+16%\s+declared size", text)
    assert re.search(r"layer arn:\S+:other:1\s+unknown\s+not counted$", text, re.M)
    assert re.search(r"total \(the limits above\)\s+238\.4 MiB\s+100%", text)
    assert "provided by a layer, not bundled: scipy 1.17.1, numpy 2.4.6" in text

    assert max(len(line) for line in text.splitlines()) <= WIDTH and "lambda:..." not in text
    over = render(LAYERED, SizeLimits(unzipped_bytes=200_000_000))
    assert re.search(r"unzipped \(\+3 layers\).*OVER by 47\.7 MiB", over)


def test_render_combined_shows_each_part_and_the_largest_across_them() -> None:
    layer = {"label": "App/Sci", "prefix": "python/", "unzipped_bytes": 150_000_000,
             "packages": [{"name": "scipy", "version": "1.17.1", "bytes": 100_000_000,
                           "files": 1000},
                          {"name": "numpy", "version": "2.4.6", "bytes": 20_000_000,
                           "files": 500}]}
    text = render_combined(LAYERED, [layer], SizeLimits(), title="App/Fn", top=3)
    blocks = text.split("\n\n")
    assert blocks[0].startswith("slim-lambda: App/Fn")
    assert blocks[1].startswith("slim-lambda: layer App/Sci")
    largest = blocks[-1].splitlines()
    assert largest[0].startswith("largest across function and layers")
    assert [row.split()[0] for row in largest[1:]] == ["scipy", "numpy", "pkg0"]
    assert largest[1].rstrip().endswith("layer App/Sci")
    assert largest[3].rstrip().endswith("function")


def test_advice_names_the_biggest_packages() -> None:
    advice = over_limit_advice(REPORT)
    assert "pkg0, pkg1, pkg2" in advice and "--html" in advice
