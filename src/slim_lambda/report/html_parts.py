"""The HTML report's summary cards: the sizes against the limits at a glance.

Also the small helpers every panel of the page uses (escaping, percentages, the colour
of a part, a report's title). Plain HTML, no script: the cards read the same without it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from .layout import mb
from .model import Report

__all__ = ["FUNCTION_COLOR", "GREY", "PALETTE", "esc", "layer_color", "pct", "report_title",
           "summary_cards"]

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#edc948",
           "#9c755f", "#ff9da7", "#5f8f9f", "#a0cbe8", "#8cd17d")
"""The page's colours: the largest packages in order, the function and then its layers."""
GREY = "#9aa3ad"
"""Packages beyond the palette."""
FUNCTION_COLOR = PALETTE[0]


def esc(value: object) -> str:
    """``value`` as text safe in an element or a quoted attribute."""
    return html.escape(str(value), quote=True)


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def layer_color(i: int) -> str:
    """The colour of the function's ``i``-th layer (the function's own is FUNCTION_COLOR)."""
    return PALETTE[(i + 1) % len(PALETTE)]


def report_title(report: Report) -> str:
    return report["label"] or report["path"] or "bundle"


def _headroom(head: int, over: str) -> str:
    return f"headroom {esc(mb(head))}" if head >= 0 else over.format(esc(mb(-head)))


def _meter(parts: Sequence[tuple[str, int, str]], limit: int) -> str:
    """A bar of ``(label, bytes, colour)`` segments against a limit marker."""
    scale = max(limit, sum(size for _label, size, _color in parts), 1)
    segments = "".join(
        f'<span class="seg" style="width:{100 * size / scale:.3f}%;background:{color}" '
        f'title="{esc(label)}: {esc(mb(size))}"></span>' for label, size, color in parts)
    marker = f'<span class="limit" style="left:{100 * limit / scale:.3f}%"></span>'
    return f'<div class="meter">{segments}{marker}</div>'


def _card(state: str, key: str, value: str, sub: str, extra: str = "") -> str:
    return (f'<div class="card{" " + state if state else ""}"><div class="k">{key}</div>'
            f'<div class="v">{value}</div><div class="s">{sub}</div>{extra}</div>')


def _unzipped(report: Report) -> str:
    limit = report["limits"]["unzipped_bytes"]
    layers = [(i, layer) for i, layer in enumerate(report["layers"]) if layer["size_known"]]
    total = report["combined_unzipped_bytes"] if layers else report["unzipped_bytes"]
    parts = [("function" if layers else "this bundle", report["unzipped_bytes"], FUNCTION_COLOR)]
    parts += [(f"layer {layer['label']}", layer["unzipped_bytes"], layer_color(i))
              for i, layer in layers]
    head = limit - total
    return _card("ok" if head >= 0 else "over",
                 f"Unzipped{' (function + layers)' if layers else ''}", esc(mb(total)),
                 f"of {esc(mb(limit))} · " + _headroom(head, "<b>over by {}</b>"),
                 _meter(parts, limit))


def _zipped(report: Report) -> str:
    zipped, limit = report["zipped_bytes"], report["limits"]["zipped_bytes"]
    if zipped is None:
        return ""
    head = limit - zipped
    title = "Zipped (estimate)" if report.get("zipped_estimated") else "Zipped"
    return _card("ok" if head >= 0 else "warn", title, esc(mb(zipped)),
                 f"direct-upload limit {esc(mb(limit))} · "
                 + _headroom(head, "over by {}; fine for CDK (S3 upload)"),
                 _meter([("zipped", zipped, "#76b7b2")], limit))


def summary_cards(report: Report) -> str:
    """Unzipped (function plus layers) and zipped against their limits, what slimming
    removed, and the files."""
    cards = [_unzipped(report), _zipped(report)]
    installed, removed = report["installed_bytes"], report["removed_bytes"]
    if installed:
        cards.append(_card("", "Removed by slimming", esc(mb(removed)),
                           f"{pct(removed, installed)} of the {esc(mb(installed))} installed"))
    bytecode, seconds = report["bytecode"], report["import_seconds"]
    sub = []
    if bytecode["modules"]:
        sub.append(f"bytecode for {bytecode['modules']:,} modules ({esc(mb(bytecode['bytes']))})")
    if seconds is not None:
        sub.append(f"handler imports in {seconds:.2f} s")
    if report["files"] is not None:
        cards.append(_card("", "Files", f"{report['files']:,}", " · ".join(sub) or "&nbsp;"))
    return '<div class="cards">' + "".join(cards) + "</div>"
