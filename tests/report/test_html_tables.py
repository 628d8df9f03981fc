from __future__ import annotations

import re

from slim_lambda.report.html_tables import (
    flow_table,
    layers_table,
    messages_list,
    packages_table,
)
from slim_lambda.report.html_treemap import colors

from .samples import LAYERED, REPORT, report


def test_the_flow_has_a_bar_per_step() -> None:
    table = flow_table(report(REPORT))
    names = re.findall(r'<td class="name">([^<]+)</td>', table)
    assert names == ["installed", "− tests", "− strip",
                     "+ bytecode (imported, 2 left out for the size limit)", "~ other changes",
                     "= bundle"]
    assert re.findall(r'<tr class="(\w+(?: \w+)?)">', table) == [
        "total", "minus", "minus", "plus", "minus", "total final"]
    assert flow_table(report({"unzipped_bytes": 1})) == ""


def test_the_layers_table_totals_what_lambda_checks() -> None:
    table = layers_table(report(LAYERED))
    assert "layer App/Sci" in table and "scipy 1.17.1" in table and "declared size" in table
    assert "size unknown, not counted: declare it with layer_sizes" in table
    assert re.search(r"total</td><td class=\"num\">238\.4 MiB</td><td class=\"note\">of "
                     r"250\.0 MiB: headroom 11\.6 MiB", table)
    assert "Provided by a layer, not bundled again: scipy 1.17.1, numpy 2.4.6" in table
    assert layers_table(report(REPORT)) == ""


def test_packages_and_messages() -> None:
    r = report(REPORT, notices=["strip skipped"])
    table = packages_table(r, colors(r))
    assert table.count("<tr><td class=\"name\">") == 13  # 12 packages and your code
    assert "(files of no package)" not in table
    messages = messages_list(r)
    assert messages.index("<b>warning</b> something") < messages.index("<b>notice</b> strip")
    assert messages_list(report({"unzipped_bytes": 1})) == ""
