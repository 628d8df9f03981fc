"""The build report as one self-contained HTML page.

Everything is inline (CSS, a small script, SVG), nothing is fetched, so the page
can be attached to a CI run or mailed. Per report: the sizes against the limits
(the function and each of its layers), a treemap of the bundle by package and by
directory, the bytes each slim rule removed on the way from the installed tree to
the bundle, the packages, and the warnings. The tables are plain HTML; only the
treemap needs the script. The styles and the script are package data
(``static/report.css``, ``static/report.js``), linted as what they are and inlined here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from .html_parts import esc, report_title, summary_cards
from .html_tables import flow_table, layers_table, messages_list, packages_table
from .html_treemap import colors, treemap_panel
from .model import Report
from .saved import write_atomically

__all__ = ["render_html", "static_text", "write_html"]


@functools.cache
def static_text(name: str) -> str:
    """A file of ``static/``, checked to be safe to inline into a ``<style>`` or ``<script>``."""
    text = (resources.files(__package__) / "static" / name).read_text(encoding="utf-8")
    if any(end in text.lower() for end in ("</style", "</script", "<!--")):
        raise ValueError(f"static/{name} would end the element it is inlined into")
    return text


def _facts(report: Report) -> str:
    facts = [fact for fact in (report["runtime"], report["architecture"]) if fact]
    if report["image"]:
        facts.append(f"image {report['image']}")
    if report["mode"]:
        facts.append(f"{report['mode']} mode")
    hit = report["cache"]["hit"]
    if hit is not None:
        facts.append("dependencies from the cache" if hit else "dependencies built")
    if report["path"] and report["path"] != report_title(report):
        facts.append(report["path"])
    if report["tool"]["version"]:
        facts.append(f"slim-lambda {report['tool']['version']}")
    return " · ".join(esc(fact) for fact in facts)


def _section(report: Report, index: int) -> tuple[str, dict[str, Any]]:
    palette = colors(report)
    treemap, data = treemap_panel(report, index, palette)
    kind = ("layer" if report["prefix"] == "python/" else
            "function" if report["installed_bytes"] else "bundle")
    badge = ('<span class="badge ok">within the limits</span>' if report["limits"]["ok"] else
             '<span class="badge over">over the limit</span>')
    html_text = (
        f'<section class="report" id="report-{index}"><header class="report-head">'
        f'<h2>{esc(report_title(report))} <span class="badge">{kind}</span> {badge}</h2>'
        f'<p class="facts">{_facts(report)}</p></header>'
        + summary_cards(report) + treemap
        + '<div class="grid">' + flow_table(report) + layers_table(report) + "</div>"
        + packages_table(report, palette) + messages_list(report) + "</section>")
    return html_text, data


def _json_for_script(value: object) -> str:
    """JSON that cannot end the ``<script>`` element it sits in."""
    return (json.dumps(value, separators=(",", ":"), sort_keys=True)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_html(reports: Sequence[Report], *, title: str = "") -> str:
    """One page for one or more reports (a function, its layers, a whole ``cdk.out``)."""
    if not reports:
        raise ValueError("render_html: no reports to render")
    sections = [_section(report, i) for i, report in enumerate(reports)]
    heading = title or ("slim-lambda report: " + report_title(reports[0]) if len(reports) == 1 else
                          f"slim-lambda report: {len(reports)} bundles")
    nav = "" if len(reports) < 2 else (
        '<nav class="toc">' + "".join(f'<a href="#report-{i}">{esc(report_title(r))}</a>'
                                      for i, r in enumerate(reports)) + "</nav>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="slim-lambda">'
        f"<title>{esc(heading)}</title><style>\n{static_text('report.css')}</style></head><body>"
        f'<header class="page-head"><h1>{esc(heading)}</h1>{nav}</header><main>'
        + "".join(section for section, _data in sections)
        + "</main>"
        '<script type="application/json" id="slim-data">'
        f"{_json_for_script([data for _section, data in sections])}</script>"
        f"<script>\n{static_text('report.js')}</script></body></html>\n")


def write_html(reports: Sequence[Report], path: str) -> None:
    """Write the page for ``reports`` to ``path``, atomically."""
    write_atomically(path, render_html(reports))
