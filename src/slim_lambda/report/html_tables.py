"""The HTML report's tables: the flow from installed to bundle, the function plus its
layers, the packages, and the warnings. Plain HTML with bars drawn by CSS widths, so
they read the same without the script, and carry the same figures as the text report.
"""

from __future__ import annotations

from collections.abc import Mapping

from .flow import flow_steps
from .html_parts import FUNCTION_COLOR, GREY, esc, layer_color, pct, report_title
from .html_treemap import YOUR_CODE
from .layout import mb
from .model import Report

__all__ = ["flow_table", "layers_table", "messages_list", "packages_table"]


def _panel(heading: str, body: str) -> str:
    return f'<div class="panel"><h3>{heading}</h3>{body}</div>'


def _swatch(color: str) -> str:
    return f'<span class="sw" style="background:{color}"></span>'


def flow_table(report: Report) -> str:
    """The way from the installed tree to the bundle, one bar per step."""
    installed, unzipped = report["installed_bytes"], report["unzipped_bytes"]
    if not installed:
        return ""
    steps = flow_steps(report)
    level = peak = installed
    for step in steps:
        level += step.delta
        peak = max(peak, level)
    scale = max(peak, 1)

    def row(label: str, files: str, size: str, start: int, width: int, cls: str) -> str:
        return (f'<tr class="{cls}"><td class="name">{esc(label)}</td><td class="num">{files}</td>'
                f'<td class="num">{esc(size)}</td><td class="barcell"><span class="bar" '
                f'style="left:{100 * start / scale:.3f}%;width:{100 * width / scale:.3f}%">'
                "</span></td></tr>")

    rows = [row("installed", "", mb(installed), 0, installed, "total")]
    level = installed
    for step in steps:
        rows.append(row(f"{'−' if step.sign == '-' else step.sign} {step.name}",
                        "" if step.files is None else f"{step.files:,}",
                        ("+" if step.delta >= 0 else "−") + mb(abs(step.delta)),
                        level + min(step.delta, 0), abs(step.delta),
                        "minus" if step.sign == "-" or step.delta < 0 else "plus"))
        level += step.delta
    files = report["files"]
    rows.append(row("= bundle", "" if files is None else f"{files:,}", mb(unzipped), 0,
                    unzipped, "total final"))
    return _panel("From installed to bundle",
                  '<table class="flow"><thead><tr><th></th><th class="num">files</th>'
                  '<th class="num">bytes</th><th></th></tr></thead><tbody>' + "".join(rows)
                  + "</tbody></table>")


def layers_table(report: Report) -> str:
    """Each part's unzipped size and the total Lambda checks against the limit."""
    if not report["layers"]:
        return ""
    limit = report["limits"]["unzipped_bytes"]
    rows = [f'<tr><td class="name">{_swatch(FUNCTION_COLOR)}function '
            f'{esc(report_title(report))}</td><td class="num">{esc(mb(report["unzipped_bytes"]))}'
            "</td><td></td></tr>"]
    for i, layer in enumerate(report["layers"]):
        known = layer["size_known"]
        names = ", ".join(f"{p['name']} {p['version']}".strip() for p in layer["packages"])
        note = ("declared size" if layer["declared"] else names) if known else \
            "size unknown, not counted: declare it with layer_sizes"
        size = esc(mb(layer["unzipped_bytes"])) if known else "unknown"
        rows.append(f'<tr><td class="name">{_swatch(layer_color(i))}layer {esc(layer["label"])}'
                    f'</td><td class="num">{size}</td><td class="note">{esc(note)}</td></tr>')
    total = report["combined_unzipped_bytes"]
    head = limit - total
    rows.append(f'<tr class="total"><td class="name">total</td><td class="num">{esc(mb(total))}'
                f'</td><td class="note">of {esc(mb(limit))}: '
                + (f"headroom {esc(mb(head))}" if head >= 0 else f"<b>over by {esc(mb(-head))}</b>")
                + "</td></tr>")
    dedup = report["deduplicated"]
    extra = ('<p class="note">Provided by a layer, not bundled again: '
             + esc(", ".join(f"{d['name']} {d['version']}".strip() for d in dedup))
             + "</p>") if dedup else ""
    return _panel("Function plus layers", '<p class="note">Lambda counts the function and all '
                  'its layers against the unzipped limit.</p><table class="plain">'
                  + "".join(rows) + "</table>" + extra)


def packages_table(report: Report, colors: Mapping[str, str]) -> str:
    packages = report["packages"]
    if not packages:
        return ""
    total = max(report["unzipped_bytes"], 1)
    biggest = max(max(p["bytes"] for p in packages), 1)
    rows = []
    for p in packages:
        size, color = p["bytes"], colors.get(p["name"], GREY)
        rows.append(f'<tr><td class="name">{_swatch(color)}{esc(p["name"])}</td>'
                    f'<td>{esc(p["version"])}</td><td class="num">{p["files"]:,}</td>'
                    f'<td class="num">{esc(mb(size))}</td><td class="num">{pct(size, total)}</td>'
                    f'<td class="barcell"><span class="bar" style="left:0;width:'
                    f'{100 * size / biggest:.3f}%;background:{color}"></span></td></tr>')
    for size, label in ((report["user_code_bytes"], YOUR_CODE),
                        (report["other_bytes"], "(files of no package)")):
        if size:
            rows.append(f'<tr><td class="name">{_swatch(GREY)}{esc(label)}</td><td></td><td></td>'
                        f'<td class="num">{esc(mb(size))}</td><td class="num">{pct(size, total)}'
                        "</td><td></td></tr>")
    return _panel("Packages", '<table class="packages"><thead><tr><th>package</th>'
                  '<th>version</th><th class="num">files</th><th class="num">bytes</th>'
                  '<th class="num">share</th><th></th></tr></thead><tbody>' + "".join(rows)
                  + "</tbody></table>")


def messages_list(report: Report) -> str:
    items = [("warning", w) for w in report["warnings"]]
    items += [("notice", n) for n in report["notices"]]
    if not items:
        return ""
    return _panel("Warnings and notices", '<ul class="messages">' + "".join(
        f'<li class="{kind}"><b>{kind}</b> {esc(text)}</li>' for kind, text in items) + "</ul>")
