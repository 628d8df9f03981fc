from __future__ import annotations

import re

from slim_lambda.options import SizeLimits
from slim_lambda.report.layout import WIDTH
from slim_lambda.report.limits import over_limit_advice
from slim_lambda.report.text import render, render_combined

from .samples import LAYERED, REPORT, SCHEMA_1, report


def lines_with(text: str, start: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip().startswith(start)]


def test_render_has_the_table_and_headroom() -> None:
    text = render(report(REPORT), SizeLimits(), title="S/F")
    assert text.splitlines()[0] == "slim-lambda: S/F (python3.11, x86_64, image img)"
    (unzipped,) = lines_with(text, "unzipped ")
    assert re.fullmatch(r"\s+unzipped\s+190\.7 MiB\s+250\.0 MiB\s+59\.3 MiB\s+ok", unzipped)
    (zipped,) = lines_with(text, "zipped")
    assert "-7.2 MiB" in zipped and "direct upload only" in zipped
    assert "pkg0 1" in text and "(your code)" in text
    assert "... 2 more packages" in text
    assert "warning: something" in text
    over = render(report(REPORT), SizeLimits(unzipped_bytes=100_000_000))
    assert re.search(r"unzipped .*-95\.4 MiB\s+OVER by 95\.4 MiB", over)


def test_render_goes_from_installed_to_the_bundle_rule_by_rule() -> None:
    text = render(report(REPORT), SizeLimits())
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
    text = render(report({"unzipped_bytes": 5000, "zipped_bytes": 100,
                          "packages": [{"name": "a", "version": "1", "bytes": 4000, "files": 2}],
                          "other_bytes": 1000}), SizeLimits(), title="b.zip")
    assert text.splitlines()[0] == "slim-lambda: b.zip"
    assert "installed" not in text and "(files of no package)" in text


def test_no_line_is_wider_than_the_terminal() -> None:
    long = report(REPORT, image="registry.example.com/" + "mirror/" * 12 + "build-python3.11:x",
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


def test_function_plus_layers() -> None:
    text = render(report(LAYERED), SizeLimits(), title="App/Fn")
    (row,) = lines_with(text, "unzipped (+3 layers)")
    assert re.search(r"238\.4 MiB\s+250\.0 MiB\s+11\.6 MiB\s+ok", row)
    assert re.search(r"function App/Fn\s+57\.2 MiB\s+24%", text)
    assert re.search(r"layer App/Sci\s+143\.1 MiB\s+60%", text)
    assert re.search(r"layer arn:\S+:ext:3\s+38\.1 MiB\s+16%\s+declared size", text)
    assert re.search(r"layer arn:\S+:other:1\s+unknown\s+not counted$", text, re.M)
    assert re.search(r"total \(the limits above\)\s+238\.4 MiB\s+100%", text)
    assert "provided by a layer, not bundled: scipy 1.17.1, numpy 2.4.6" in text

    assert max(len(line) for line in text.splitlines()) <= WIDTH and "lambda:..." not in text
    over = render(report(LAYERED), SizeLimits(unzipped_bytes=200_000_000))
    assert re.search(r"unzipped \(\+3 layers\).*OVER by 47\.7 MiB", over)


def test_the_combined_size_follows_from_the_layers_when_a_report_lacks_it() -> None:
    text = render(report(LAYERED, combined_unzipped_bytes=None), SizeLimits(), title="App/Fn")
    # 60 MB + 150 MB + 40 MB (the layer of unknown size is not counted) = 250 MB
    assert re.search(r"total \(the limits above\)\s+238\.4 MiB\s+100%", text)


def test_render_combined_shows_each_part_and_the_largest_across_them() -> None:
    layer = report({"label": "App/Sci", "prefix": "python/", "unzipped_bytes": 150_000_000,
                    "packages": [{"name": "scipy", "version": "1.17.1", "bytes": 100_000_000,
                                  "files": 1000},
                                 {"name": "numpy", "version": "2.4.6", "bytes": 20_000_000,
                                  "files": 500}]})
    text = render_combined(report(LAYERED), [layer], SizeLimits(), title="App/Fn", top=3)
    blocks = text.split("\n\n")
    assert blocks[0].startswith("slim-lambda: App/Fn")
    assert blocks[1].startswith("slim-lambda: layer App/Sci")
    largest = blocks[-1].splitlines()
    assert largest[0].startswith("largest across function and layers")
    assert [row.split()[0] for row in largest[1:]] == ["scipy", "numpy", "pkg0"]
    assert largest[1].rstrip().endswith("layer App/Sci")
    assert largest[3].rstrip().endswith("function")


def test_a_report_of_the_first_version_renders() -> None:
    text = render(report(SCHEMA_1), SizeLimits())
    assert text.splitlines()[0].startswith("slim-lambda: Old/Fn (python3.11, x86_64, image ")
    assert lines_with(text, "+ bytecode (imported)")
    assert not lines_with(text, "~ other changes")
    assert re.search(r"= unzipped\s+120\s+8\.6 MiB\s+-10% vs installed", text)


def test_notices_come_before_warnings() -> None:
    text = render(report({"unzipped_bytes": 1, "notices": ["strip skipped"],
                          "warnings": ["bytecode: 3 left out"]}), SizeLimits())
    assert text.splitlines()[-2:] == ["  notice: strip skipped", "  warning: bytecode: 3 left out"]


def test_an_estimated_zip_size_says_so_in_its_row() -> None:
    exact = render(report(REPORT), SizeLimits())
    estimated = render(report(REPORT, zipped_estimated=True), SizeLimits())
    (row,) = lines_with(estimated, "zipped")
    assert re.match(r"\s+zipped \(estimate\)\s+57\.2 MiB", row)
    assert not lines_with(exact, "zipped (estimate)")
