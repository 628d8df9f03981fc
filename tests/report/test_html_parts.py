from __future__ import annotations

import re

from slim_lambda.report.html_parts import esc, layer_color, report_title, summary_cards

from .samples import LAYERED, REPORT, report


def test_cards_show_the_sizes_against_the_limits() -> None:
    cards = summary_cards(report(REPORT))
    assert '<div class="card ok"><div class="k">Unzipped</div><div class="v">190.7 MiB' in cards
    assert "headroom 59.3 MiB" in cards
    assert '<div class="card warn"><div class="k">Zipped</div>' in cards
    assert "over by 7.2 MiB; fine for CDK (S3 upload)" in cards
    assert "Removed by slimming" in cards and "23.1% of the 248.0 MiB installed" in cards
    assert "<div class=\"v\">3,000</div>" in cards and "bytecode for 5 modules" in cards


def test_the_unzipped_card_counts_the_layers_of_known_size() -> None:
    cards = summary_cards(report(LAYERED, limits={"unzipped_bytes": 200_000_000}))
    assert "Unzipped (function + layers)" in cards and '<div class="card over">' in cards
    assert "<b>over by 47.7 MiB</b>" in cards
    segments = re.findall(r'<span class="seg"[^>]*title="([^"]+)"', cards)
    assert segments[:3] == ["function: 57.2 MiB", "layer App/Sci: 143.1 MiB",
                            "layer arn:aws:lambda:us-east-1:123:layer:ext:3: 38.1 MiB"]
    assert f"background:{layer_color(1)}" in cards  # the same colour as in the layers table


def test_unknown_sizes_leave_their_card_out() -> None:
    cards = summary_cards(report({"unzipped_bytes": 10}))
    assert "Zipped" not in cards and "Files" not in cards and "Removed" not in cards


def test_escaping_and_titles() -> None:
    assert esc('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert report_title(report({"unzipped_bytes": 1, "path": "/b.zip"})) == "/b.zip"
    assert report_title(report({"unzipped_bytes": 1, "labels": {"function": "S/F"}})) == "S/F"
    assert report_title(report({"unzipped_bytes": 1})) == "bundle"


def test_an_estimated_zip_size_says_so_on_its_card() -> None:
    assert '<div class="k">Zipped (estimate)</div>' in summary_cards(
        report(REPORT, zipped_estimated=True))
    assert "(estimate)" not in summary_cards(report(REPORT))
