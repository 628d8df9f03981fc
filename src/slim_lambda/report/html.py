"""The build report as one self-contained HTML page.

Everything is inline (CSS, a small script, SVG), nothing is fetched, so the page
can be attached to a CI run or mailed. Per report: the sizes against the limits
(the function and each of its layers), a treemap of the bundle by package and by
directory (from the report's ``tree``, else from its ``packages``), the bytes each
slim rule removed on the way from the installed tree to the bundle, the packages,
and the warnings. The tables are plain HTML; only the treemap needs the script.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..options import UNZIPPED_LIMIT_BYTES, ZIPPED_LIMIT_BYTES
from .text import mb

__all__ = ["PALETTE", "package_view", "render_html", "write_html"]

Report = Mapping[str, Any]

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#edc948",
           "#9c755f", "#ff9da7", "#5f8f9f", "#a0cbe8", "#8cd17d")
"""Colours of the largest packages, in order; the rest are grey."""
GREY = "#9aa3ad"
NO_PACKAGE = "(no package)"
YOUR_CODE = "(your code)"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def _colors(report: Report) -> dict[str, str]:
    names = [str(p["name"]) for p in report.get("packages") or []]
    return {name: PALETTE[i] if i < len(PALETTE) else GREY for i, name in enumerate(names)}


def _loose_label(report: Report) -> str:
    """What files of no package are: in a function's report, mostly the function's code."""
    if report.get("user_code_bytes") and not report.get("other_bytes"):
        return YOUR_CODE
    return NO_PACKAGE


def _tree_from_packages(report: Report) -> dict[str, Any]:
    """A one-level tree when the report has no ``tree``: packages, your code, the rest."""
    children: list[dict[str, Any]] = [
        {"name": str(p["name"]), "kind": "package", "package": str(p["name"]),
         "bytes": int(p["bytes"]), "files": int(p.get("files") or 0)}
        for p in report.get("packages") or [] if int(p["bytes"]) > 0]
    for key, name in (("user_code_bytes", YOUR_CODE), ("other_bytes", NO_PACKAGE)):
        if int(report.get(key) or 0) > 0:
            children.append({"name": name, "kind": "other", "bytes": int(report[key]),
                             "files": 0})
    children.sort(key=lambda c: -c["bytes"])
    return {"name": "", "kind": "dir", "bytes": sum(c["bytes"] for c in children),
            "files": sum(c["files"] for c in children), "children": children}


def package_view(tree: Mapping[str, Any], *, loose: str = NO_PACKAGE) -> dict[str, Any]:
    """The directory tree regrouped by package: each package's topmost nodes under it.

    A node whose files all belong to one package goes, with its whole subtree, under
    that package, named by its path (``numpy.libs``); a node of several packages is
    opened; files of no package go under ``loose``.
    """
    groups: dict[str, list[dict[str, Any]]] = {}

    def walk(node: Mapping[str, Any], path: str) -> None:
        package = node.get("package")
        children = node.get("children") or []
        if package or not children:
            groups.setdefault(str(package or loose), []).append(dict(node, name=path))
            return
        for child in children:
            walk(child, f"{path}/{child['name']}" if path else str(child["name"]))

    if tree.get("package"):
        walk(tree, str(tree.get("name") or tree["package"]))
    else:
        for child in tree.get("children") or []:
            walk(child, str(child["name"]) if not tree.get("name")
                 else f"{tree['name']}/{child['name']}")
    packages: list[dict[str, Any]] = []
    for name, nodes in groups.items():
        nodes.sort(key=lambda n: (-int(n["bytes"]), str(n["name"])))
        packages.append({"name": name, "kind": "package",
                         **({"package": name} if name not in (NO_PACKAGE, YOUR_CODE) else {}),
                         "bytes": sum(int(n["bytes"]) for n in nodes),
                         "files": sum(int(n.get("files") or 0) for n in nodes),
                         "children": nodes})
    packages.sort(key=lambda p: (-int(p["bytes"]), str(p["name"])))
    return {"name": "", "kind": "dir", "bytes": int(tree.get("bytes") or 0),
            "files": int(tree.get("files") or 0), "children": packages}


def _title(report: Report) -> str:
    return str(report.get("label") or (report.get("labels") or {}).get("function")
               or report.get("path") or "bundle")


def _is_layer(report: Report) -> bool:
    return str(report.get("prefix") or "") == "python/"


def _limits(report: Report) -> tuple[int, int]:
    limits = report.get("limits") or {}
    return (int(limits.get("unzipped_bytes") or UNZIPPED_LIMIT_BYTES),
            int(limits.get("zipped_bytes") or ZIPPED_LIMIT_BYTES))


def _facts(report: Report) -> str:
    facts = [str(report[k]) for k in ("runtime", "architecture") if report.get(k)]
    if report.get("image"):
        facts.append(f"image {report['image']}")
    if report.get("mode"):
        facts.append(f"{report['mode']} mode")
    cache = report.get("cache") or {}
    if "hit" in cache:
        facts.append("dependencies from the cache" if cache["hit"] else "dependencies built")
    if report.get("path") and report["path"] != _title(report):
        facts.append(str(report["path"]))
    tool = report.get("tool") or {}
    if tool.get("version"):
        facts.append(f"slim-lambda {tool['version']}")
    return " · ".join(_e(f) for f in facts)


def _meter(parts: Sequence[tuple[str, int, str]], limit: int) -> str:
    """A bar of ``(label, bytes, colour)`` segments against a limit marker."""
    total = sum(size for _label, size, _color in parts)
    scale = max(limit, total, 1)
    segments = "".join(
        f'<span class="seg" style="width:{100 * size / scale:.3f}%;background:{color}" '
        f'title="{_e(label)}: {_e(mb(size))}"></span>' for label, size, color in parts)
    marker = f'<span class="limit" style="left:{100 * limit / scale:.3f}%"></span>'
    return f'<div class="meter">{segments}{marker}</div>'


def _cards(report: Report) -> str:
    unzipped_limit, zipped_limit = _limits(report)
    own = int(report.get("unzipped_bytes") or 0)
    layers = [layer for layer in report.get("layers") or []
              if layer.get("size_known", True) and layer.get("unzipped_bytes") is not None]
    total = int(report.get("combined_unzipped_bytes") or own) if layers else own
    head = unzipped_limit - total
    parts = [("this bundle" if not layers else "function", own, "#4e79a7")] + [
        (f"layer {layer.get('label')}", int(layer["unzipped_bytes"]),
         PALETTE[(i + 1) % len(PALETTE)]) for i, layer in enumerate(layers)]
    cards = [
        f'<div class="card {"ok" if head >= 0 else "over"}">'
        f'<div class="k">Unzipped{" (function + layers)" if layers else ""}</div>'
        f'<div class="v">{_e(mb(total))}</div>'
        f'<div class="s">of {_e(mb(unzipped_limit))} · '
        + (f"headroom {_e(mb(head))}" if head >= 0 else f"<b>over by {_e(mb(-head))}</b>")
        + f"</div>{_meter(parts, unzipped_limit)}</div>"]
    zipped = report.get("zipped_bytes")
    if zipped is not None:
        zhead = zipped_limit - int(zipped)
        cards.append(
            f'<div class="card {"ok" if zhead >= 0 else "warn"}"><div class="k">Zipped</div>'
            f'<div class="v">{_e(mb(int(zipped)))}</div><div class="s">direct-upload limit '
            f"{_e(mb(zipped_limit))} · "
            + (f"headroom {_e(mb(zhead))}" if zhead >= 0 else
               f"over by {_e(mb(-zhead))}; fine for CDK (S3 upload)")
            + f'</div>{_meter([("zipped", int(zipped), "#76b7b2")], zipped_limit)}</div>')
    installed = int(report.get("installed_bytes") or 0)
    if installed:
        removed = int(report.get("removed_bytes") or 0)
        cards.append(f'<div class="card"><div class="k">Removed by slimming</div>'
                     f'<div class="v">{_e(mb(removed))}</div><div class="s">'
                     f"{_pct(removed, installed)} of the {_e(mb(installed))} installed</div></div>")
    files = report.get("files")
    bc = report.get("bytecode") or {}
    sub = []
    if bc.get("modules"):
        sub.append(f"bytecode for {int(bc['modules']):,} modules ({_e(mb(int(bc['bytes'])))})")
    if report.get("import_seconds") is not None:
        sub.append(f"handler imports in {float(report['import_seconds']):.2f} s")
    if isinstance(files, int):
        cards.append(f'<div class="card"><div class="k">Files</div><div class="v">{files:,}</div>'
                     f'<div class="s">{" · ".join(sub) or "&nbsp;"}</div></div>')
    return '<div class="cards">' + "".join(cards) + "</div>"


def _flow(report: Report) -> str:
    """The way from the installed tree to the bundle, one bar per step."""
    installed = int(report.get("installed_bytes") or 0)
    unzipped = int(report.get("unzipped_bytes") or 0)
    if not installed:
        return ""
    steps: list[tuple[str, str, int, str]] = []  # label, files, signed bytes, class
    for r in report.get("removed_by_rule") or []:
        steps.append((f"− {r['rule']}", f"{int(r['files']):,}", -int(r["bytes"]), "minus"))
    bc = report.get("bytecode") or {}
    if int(bc.get("bytes") or 0):
        steps.append((f"+ bytecode ({bc.get('choice') or bc.get('mode')})",
                      f"{int(bc.get('modules') or 0):,}", int(bc["bytes"]), "plus"))
    running = installed + sum(s[2] for s in steps)
    if running != unzipped:
        steps.append(("~ other changes", "", unzipped - running, "minus" if unzipped < running
                      else "plus"))
    level = installed
    peak = installed
    for s in steps:
        level += s[2]
        peak = max(peak, level)
    scale = max(peak, 1)

    def row(label: str, files: str, size: str, start: int, width: int, cls: str) -> str:
        return (f'<tr class="{cls}"><td class="name">{_e(label)}</td><td class="num">{files}</td>'
                f'<td class="num">{_e(size)}</td><td class="barcell"><span class="bar" '
                f'style="left:{100 * start / scale:.3f}%;width:{100 * width / scale:.3f}%">'
                "</span></td></tr>")

    rows = [row("installed", "", mb(installed), 0, installed, "total")]
    level = installed
    for label, files, delta, cls in steps:
        start = level + min(delta, 0)
        rows.append(row(label, files, ("+" if delta >= 0 else "−") + mb(abs(delta)), start,
                        abs(delta), cls))
        level += delta
    files_total = report.get("files")
    rows.append(row("= bundle", f"{files_total:,}" if isinstance(files_total, int) else "",
                    mb(unzipped), 0, unzipped, "total final"))
    return ('<div class="panel"><h3>From installed to bundle</h3><table class="flow">'
            '<thead><tr><th></th><th class="num">files</th><th class="num">bytes</th><th></th>'
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")


def _layers(report: Report) -> str:
    layers = report.get("layers") or []
    if not layers:
        return ""
    unzipped_limit, _zipped = _limits(report)
    own = int(report.get("unzipped_bytes") or 0)
    rows = [f'<tr><td class="name"><span class="sw" style="background:#4e79a7"></span>function '
            f'{_e(_title(report))}</td><td class="num">{_e(mb(own))}</td><td></td></tr>']
    total = own
    for i, layer in enumerate(layers):
        known = layer.get("size_known", True) and layer.get("unzipped_bytes") is not None
        size = int(layer["unzipped_bytes"]) if known else 0
        total += size
        names = ", ".join(f"{p['name']} {p.get('version', '')}".strip()
                          for p in layer.get("packages") or [])
        note = ("declared size" if layer.get("declared") else names) if known else \
            "size unknown, not counted: declare it with layer_sizes"
        rows.append(f'<tr><td class="name"><span class="sw" style="background:'
                    f'{PALETTE[(i + 1) % len(PALETTE)]}"></span>layer {_e(layer.get("label"))}'
                    f'</td><td class="num">{_e(mb(size)) if known else "unknown"}</td>'
                    f'<td class="note">{_e(note)}</td></tr>')
    total = int(report.get("combined_unzipped_bytes") or total)
    head = unzipped_limit - total
    rows.append(f'<tr class="total"><td class="name">total</td><td class="num">{_e(mb(total))}'
                f'</td><td class="note">of {_e(mb(unzipped_limit))}: '
                + (f"headroom {_e(mb(head))}" if head >= 0 else f"<b>over by {_e(mb(-head))}</b>")
                + "</td></tr>")
    dedup = report.get("deduplicated") or []
    extra = ("<p class=\"note\">Provided by a layer, not bundled again: "
             + _e(", ".join(f"{d['name']} {d.get('version', '')}".strip() for d in dedup))
             + "</p>") if dedup else ""
    return ('<div class="panel"><h3>Function plus layers</h3><p class="note">Lambda counts the '
            "function and all its layers against the unzipped limit.</p><table class=\"plain\">"
            + "".join(rows) + "</table>" + extra + "</div>")


def _packages(report: Report, colors: Mapping[str, str]) -> str:
    packages = report.get("packages") or []
    if not packages:
        return ""
    total = max(int(report.get("unzipped_bytes") or 0), 1)
    biggest = max(int(p["bytes"]) for p in packages)
    rows = []
    for p in packages:
        size = int(p["bytes"])
        color = colors.get(str(p["name"]), GREY)
        rows.append(f'<tr><td class="name"><span class="sw" style="background:{color}"></span>'
                    f'{_e(p["name"])}</td><td>{_e(p.get("version", ""))}</td>'
                    f'<td class="num">{int(p.get("files") or 0):,}</td>'
                    f'<td class="num">{_e(mb(size))}</td><td class="num">{_pct(size, total)}</td>'
                    f'<td class="barcell"><span class="bar" style="left:0;width:'
                    f'{100 * size / max(biggest, 1):.3f}%;background:{color}"></span></td></tr>')
    for key, label in (("user_code_bytes", YOUR_CODE), ("other_bytes", "(files of no package)")):
        if int(report.get(key) or 0):
            size = int(report[key])
            rows.append(f'<tr><td class="name"><span class="sw" style="background:{GREY}">'
                        f'</span>{_e(label)}</td><td></td><td></td><td class="num">'
                        f'{_e(mb(size))}</td><td class="num">{_pct(size, total)}</td>'
                        "<td></td></tr>")
    return ('<div class="panel"><h3>Packages</h3><table class="packages"><thead><tr>'
            '<th>package</th><th>version</th><th class="num">files</th><th class="num">bytes</th>'
            '<th class="num">share</th><th></th></tr></thead><tbody>' + "".join(rows)
            + "</tbody></table></div>")


def _messages(report: Report) -> str:
    items = [("warning", str(w)) for w in report.get("warnings") or []]
    items += [("notice", str(n)) for n in report.get("notices") or []]
    if not items:
        return ""
    return ('<div class="panel"><h3>Warnings and notices</h3><ul class="messages">'
            + "".join(f'<li class="{kind}"><b>{kind}</b> {_e(text)}</li>' for kind, text in items)
            + "</ul></div>")


def _treemap(report: Report, index: int, colors: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    tree: Mapping[str, Any] | None = report.get("tree")
    derived = not tree
    by_directory = dict(tree) if tree else _tree_from_packages(report)
    by_package = by_directory if derived else package_view(by_directory,
                                                           loose=_loose_label(report))
    data = {"index": index, "title": _title(report), "total": int(report.get("unzipped_bytes")
                                                                    or by_directory["bytes"]),
            "colors": dict(colors), "views": {"package": by_package, "directory": by_directory}}
    toggle = "" if derived else (
        '<div class="views" role="group" aria-label="treemap view">'
        '<button type="button" data-view="package" class="on">by package</button>'
        '<button type="button" data-view="directory">by directory</button></div>')
    legend = "".join(f'<span class="lg"><span class="sw" style="background:{color}"></span>'
                     f"{_e(name)}</span>" for name, color in colors.items() if color != GREY)
    if not derived or GREY in colors.values():
        legend += f'<span class="lg"><span class="sw" style="background:{GREY}"></span>other</span>'
    note = ("" if not derived else '<p class="note">This report has no directory tree: the '
            "treemap shows packages only.</p>")
    body = (f'<div class="panel"><div class="tm-head"><h3>Where the bytes are</h3>{toggle}</div>'
            f'<nav class="crumbs" id="crumbs-{index}"></nav>'
            f'<div class="treemap" id="treemap-{index}" data-index="{index}"></div>'
            f'<div class="tm-info" id="info-{index}">Hover a box for its size; click a directory '
            "to zoom in.</div>"
            '<noscript><p class="note">The treemap needs JavaScript; the tables below have the '
            f"same figures.</p></noscript>{note}"
            f'<div class="legend">{legend}</div></div>')
    return body, data


def _section(report: Report, index: int) -> tuple[str, dict[str, Any]]:
    colors = _colors(report)
    treemap, data = _treemap(report, index, colors)
    kind = "layer" if _is_layer(report) else ("function" if report.get("installed_bytes")
                                              else "bundle")
    ok = (report.get("limits") or {}).get("ok", True)
    badge = ('<span class="badge ok">within the limits</span>' if ok else
             '<span class="badge over">over the limit</span>')
    html_text = (
        f'<section class="report" id="report-{index}"><header class="report-head">'
        f'<h2>{_e(_title(report))} <span class="badge">{kind}</span> {badge}</h2>'
        f'<p class="facts">{_facts(report)}</p></header>'
        + _cards(report) + treemap
        + '<div class="grid">' + _flow(report) + _layers(report) + "</div>"
        + _packages(report, colors) + _messages(report) + "</section>")
    return html_text, data


def _json_for_script(value: object) -> str:
    """JSON that cannot end the ``<script>`` element it sits in."""
    return (json.dumps(value, separators=(",", ":"), sort_keys=True)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_html(reports: Sequence[Report], *, title: str = "") -> str:
    """One page for one or more reports (a function, its layers, a whole ``cdk.out``)."""
    if not reports:
        raise ValueError("render_html: no reports to render")
    sections = []
    datas = []
    for i, report in enumerate(reports):
        section, data = _section(report, i)
        sections.append(section)
        datas.append(data)
    heading = title or ("slim-lambda report: " + _title(reports[0]) if len(reports) == 1 else
                        f"slim-lambda report: {len(reports)} bundles")
    nav = "" if len(reports) < 2 else (
        '<nav class="toc">' + "".join(f'<a href="#report-{i}">{_e(_title(r))}</a>'
                                      for i, r in enumerate(reports)) + "</nav>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="slim-lambda">'
        f"<title>{_e(heading)}</title><style>{CSS}</style></head><body>"
        f'<header class="page-head"><h1>{_e(heading)}</h1>{nav}</header><main>'
        + "".join(sections)
        + "</main>"
        f'<script type="application/json" id="slim-data">{_json_for_script(datas)}</script>'
        f"<script>{SCRIPT}</script></body></html>\n")


def write_html(report: Report | Sequence[Report], path: str) -> None:
    """Write the page for ``report`` (or several) to ``path``, atomically."""
    reports = [report] if isinstance(report, Mapping) else list(report)
    text = render_html(reports)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


CSS = """
:root{--fg:#1d232b;--muted:#5b6673;--line:#e3e7ec;--bg:#f5f7fa;--card:#fff;--ok:#2f8f4e;
--over:#c8372d;--warn:#b7791f;--accent:#4e79a7;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,
"Liberation Sans",sans-serif;font-size:14px;color:var(--fg);background:var(--bg)}
body{margin:0}
.page-head{background:#1f2a37;color:#fff;padding:14px 28px}
.page-head h1{margin:0;font-size:18px;font-weight:600}
.toc{margin-top:8px;display:flex;flex-wrap:wrap;gap:6px 14px}
.toc a{color:#cfe0f5;text-decoration:none;font-size:13px}
main{max-width:1240px;margin:0 auto;padding:8px 24px 40px}
.report{margin-top:18px}
.report-head h2{font-size:20px;margin:8px 0 2px;font-weight:600}
.facts{color:var(--muted);margin:0 0 12px;font-size:13px;overflow-wrap:anywhere}
.badge{display:inline-block;font-size:11px;font-weight:600;padding:2px 8px;border-radius:10px;
background:#e6ebf1;color:var(--muted);vertical-align:middle;text-transform:uppercase;
letter-spacing:.04em}
.badge.ok{background:#e3f3e8;color:var(--ok)}
.badge.over{background:#fbe4e2;color:var(--over)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;
border-top:4px solid var(--line)}
.card.ok{border-top-color:var(--ok)}
.card.over{border-top-color:var(--over)}
.card.warn{border-top-color:var(--warn)}
.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.card .v{font-size:24px;font-weight:600;margin:2px 0}
.card .s{color:var(--muted);font-size:12.5px}
.card.over .s b{color:var(--over)}
.meter{position:relative;height:10px;background:#edf0f4;border-radius:5px;margin-top:10px;
display:flex;overflow:visible}
.meter .seg{display:block;height:100%}
.meter .seg:first-child{border-radius:5px 0 0 5px}
.meter .limit{position:absolute;top:-4px;bottom:-4px;width:2px;margin-left:-1px;
background:var(--fg)}
.panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;
margin-top:12px}
.panel h3{margin:0 0 8px;font-size:15px;font-weight:600}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:0 12px}
.tm-head{display:flex;align-items:center;justify-content:space-between;gap:12px}
.views button{font:inherit;font-size:12.5px;border:1px solid var(--line);background:#fff;
padding:4px 10px;cursor:pointer;color:var(--muted)}
.views button:first-child{border-radius:6px 0 0 6px}
.views button:last-child{border-radius:0 6px 6px 0;border-left:0}
.views button.on{background:var(--accent);border-color:var(--accent);color:#fff}
.crumbs{font-size:13px;margin:2px 0 6px;min-height:18px;color:var(--muted)}
.crumbs a{color:var(--accent);cursor:pointer;text-decoration:none}
.crumbs a:hover{text-decoration:underline}
.treemap{width:100%;position:relative}
.treemap svg{display:block;width:100%;height:auto;border-radius:4px}
.tm-rect{stroke:#fff;stroke-width:1}
.tm-node.zoom>.tm-rect{cursor:zoom-in}
.tm-rect:hover{stroke:#1d232b;stroke-width:1.5}
.tm-label{font-size:11px;pointer-events:none}
.tm-head-label{font-size:11.5px;font-weight:600;pointer-events:none}
.tm-info{font-size:12.5px;color:var(--muted);margin-top:6px;min-height:18px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin-top:8px;font-size:12.5px}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;
vertical-align:-1px}
table{border-collapse:collapse;width:100%}
th{font-weight:600;color:var(--muted);font-size:12px;text-align:left;padding:4px 8px;
border-bottom:1px solid var(--line)}
td{padding:4px 8px;border-bottom:1px solid #f0f2f5;white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums}
td.note,p.note{color:var(--muted);white-space:normal;font-size:12.5px}
.barcell{width:40%;position:relative;min-width:120px}
.barcell .bar{position:absolute;top:7px;height:12px;border-radius:2px;background:var(--accent)}
.flow tr.minus .bar{background:#e15759}
.flow tr.plus .bar{background:#59a14f}
.flow tr.total td{font-weight:600}
.flow tr.total .bar{background:#4e79a7}
.flow tr.final td{border-top:2px solid var(--line)}
.plain tr.total td{font-weight:600;border-top:2px solid var(--line)}
.messages{margin:0;padding-left:0;list-style:none}
.messages li{padding:6px 10px;border-radius:6px;margin-bottom:6px;background:#fdf6e7}
.messages li.notice{background:#eef3f9}
.messages li b{text-transform:uppercase;font-size:11px;letter-spacing:.05em;margin-right:6px}
"""

SCRIPT = r"""
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var GREY = "#9aa3ad", HEAD = 18, PAD = 2, CHAR = 6.4, MAX_DEPTH = 4;
  var all = JSON.parse(document.getElementById("slim-data").textContent);

  function fmt(n) {
    var kib = Math.abs(n) < 1048576;
    var v = n / (kib ? 1024 : 1048576);
    return v.toLocaleString("en-US", {minimumFractionDigits: 1, maximumFractionDigits: 1}) +
      (kib ? " KiB" : " MiB");
  }
  function rgb(hex) {
    return [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }
  function mix(c, t, to) {
    return c.map(function (v) { return Math.round(v + (to - v) * t); });
  }
  function css(c) { return "rgb(" + c.join(",") + ")"; }
  function dark(c) { return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] < 140; }
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }
  // a package's boxes are named by their own paths (numpy.libs), not under the package's name
  function join(parent, parentPath, child) {
    return parent.kind === "package" || !parentPath ? child.name : parentPath + "/" + child.name;
  }
  function fit(text, width) {
    var room = Math.floor((width - 8) / CHAR);
    if (room < 3) return "";
    return text.length <= room ? text : text.slice(0, room - 1) + "\u2026";
  }

  // squarified treemap (Bruls, Huizing, van Wijk): rows that keep boxes close to square
  function worst(row, side) {
    var s = 0, mx = 0, mn = Infinity;
    row.forEach(function (r) { s += r.a; mx = Math.max(mx, r.a); mn = Math.min(mn, r.a); });
    return Math.max(side * side * mx / (s * s), (s * s) / (side * side * mn));
  }
  function place(row, box, out) {
    var s = row.reduce(function (t, r) { return t + r.a; }, 0);
    if (box.w >= box.h) {
      var w = s / box.h, y = box.y;
      row.forEach(function (r) { var h = r.a / w; out.push({n: r.n, x: box.x, y: y, w: w, h: h});
        y += h; });
      return {x: box.x + w, y: box.y, w: box.w - w, h: box.h};
    }
    var h2 = s / box.w, x = box.x;
    row.forEach(function (r) { var w2 = r.a / h2; out.push({n: r.n, x: x, y: box.y, w: w2, h: h2});
      x += w2; });
    return {x: box.x, y: box.y + h2, w: box.w, h: box.h - h2};
  }
  function squarify(nodes, x, y, w, h) {
    var items = nodes.filter(function (n) { return n.bytes > 0; });
    var total = items.reduce(function (t, n) { return t + n.bytes; }, 0);
    var out = [];
    if (total <= 0 || w <= 0 || h <= 0) return out;
    items = items.map(function (n) { return {n: n, a: n.bytes * w * h / total}; })
      .sort(function (p, q) { return q.a - p.a; });
    var box = {x: x, y: y, w: w, h: h}, row = [], i = 0;
    while (i < items.length) {
      var side = Math.min(box.w, box.h), next = row.concat([items[i]]);
      if (!row.length || worst(next, side) <= worst(row, side)) { row = next; i++; }
      else { box = place(row, box, out); row = []; }
    }
    if (row.length) place(row, box, out);
    return out;
  }

  function Treemap(data) {
    this.data = data;
    this.host = document.getElementById("treemap-" + data.index);
    this.info = document.getElementById("info-" + data.index);
    this.crumbs = document.getElementById("crumbs-" + data.index);
    this.view = "package";
    this.stack = [{node: data.views.package, path: ""}];
    var self = this;
    var section = document.getElementById("report-" + data.index);
    Array.prototype.forEach.call(section.querySelectorAll(".views button"), function (b) {
      b.addEventListener("click", function () { self.show(b.getAttribute("data-view")); });
    });
  }
  Treemap.prototype.show = function (view) {
    this.view = view;
    this.stack = [{node: this.data.views[view], path: ""}];
    var section = document.getElementById("report-" + this.data.index);
    Array.prototype.forEach.call(section.querySelectorAll(".views button"), function (b) {
      b.classList.toggle("on", b.getAttribute("data-view") === view);
    });
    this.draw();
  };
  Treemap.prototype.color = function (node, depth) {
    var base = rgb((node.package && this.data.colors[node.package]) || GREY);
    var t = Math.min(0.16 * Math.max(depth - 1, 0), 0.64);
    var leaf = mix(base, t, 255), head = mix(mix(base, t * 0.8, 255), 0.12, 0);
    return (node.children || []).length ? head : leaf;
  };
  Treemap.prototype.describe = function (node, path) {
    var total = this.data.total || 1;
    var parts = [path || this.data.title, fmt(node.bytes) + " (" +
      (100 * node.bytes / total).toFixed(1) + "% of the bundle)"];
    if (node.files) parts.push(node.files.toLocaleString("en-US") +
      (node.files === 1 ? " file" : " files"));
    if (node.package) parts.push("package " + node.package);
    return parts.join(" \u2014 ");
  };
  Treemap.prototype.zoom = function (node, path) {
    var top = this.stack[this.stack.length - 1];
    if (node === top.node) return;
    this.stack.push({node: node, path: path});
    this.draw();
  };
  Treemap.prototype.node = function (parent, node, x, y, w, h, depth, path, up) {
    var self = this, fill = this.color(node, depth), ink = dark(fill) ? "#fff" : "#1d232b";
    var kids = node.children || [];
    var g = el("g", {"class": "tm-node", "data-name": node.name, "data-path": path,
                     "data-kind": node.kind || "", "data-bytes": node.bytes}, parent);
    if (node.package) g.setAttribute("data-package", node.package);
    var rect = el("rect", {"class": "tm-rect", x: x.toFixed(2), y: y.toFixed(2),
                           width: Math.max(w, 0).toFixed(2), height: Math.max(h, 0).toFixed(2),
                           fill: css(fill)}, g);
    el("title", {}, rect).textContent = this.describe(node, path);
    var target = kids.length ? {node: node, path: path} : up;
    if (target) {
      g.classList.add("zoom");
      rect.addEventListener("click", function (ev) {
        ev.stopPropagation();
        self.zoom(target.node, target.path);
      });
    }
    rect.addEventListener("mouseenter", function () {
      self.info.textContent = self.describe(node, path);
    });
    var nest = kids.length && w >= 60 && h >= HEAD + 24 && depth < MAX_DEPTH;
    if (nest) {
      var label = fit(node.name + "  " + fmt(node.bytes), w);
      if (label) el("text", {"class": "tm-head-label", x: (x + 5).toFixed(2),
                             y: (y + 13).toFixed(2), fill: ink},
                    g).textContent = label;
      squarify(kids, x + PAD, y + HEAD, w - 2 * PAD, h - HEAD - PAD).forEach(function (b) {
        self.node(g, b.n, b.x, b.y, b.w, b.h, depth + 1, join(node, path, b.n),
                  {node: node, path: path});
      });
      return;
    }
    if (w < 30 || h < 14) return;
    var name = fit(node.name, w);
    if (name) el("text", {"class": "tm-label", x: (x + 4).toFixed(2), y: (y + 13).toFixed(2),
                          fill: ink}, g).textContent = name;
    if (name && h >= 28) el("text", {"class": "tm-label", x: (x + 4).toFixed(2),
                                     y: (y + 26).toFixed(2), fill: ink, "fill-opacity": 0.75},
                            g).textContent = fit(fmt(node.bytes), w);
  };
  Treemap.prototype.draw = function () {
    var self = this;
    var width = Math.max(320, Math.round(this.host.clientWidth || 960));
    var height = Math.round(Math.min(640, Math.max(360, width * 0.52)));
    this.host.textContent = "";
    var svg = el("svg", {xmlns: NS, viewBox: "0 0 " + width + " " + height, width: width,
                         height: height, role: "img",
                         "aria-label": "treemap of " + this.data.title}, this.host);
    var top = this.stack[this.stack.length - 1];
    var kids = top.node.children || [];
    if (kids.length) {
      squarify(kids, 0, 0, width, height).forEach(function (b) {
        self.node(svg, b.n, b.x, b.y, b.w, b.h, 1, join(top.node, top.path, b.n), null);
      });
    } else {
      this.node(svg, top.node, 0, 0, width, height, 1, top.path || top.node.name, null);
    }
    this.crumbs.textContent = "";
    this.stack.forEach(function (s, i) {
      var last = i === self.stack.length - 1;
      var a = document.createElement(last ? "span" : "a");
      a.textContent = i === 0 ? (self.data.title + "  " + fmt(s.node.bytes))
        : (s.path.split("/").pop() + "  " + fmt(s.node.bytes));
      if (!last) a.addEventListener("click", function () {
        self.stack = self.stack.slice(0, i + 1);
        self.draw();
      });
      if (i) self.crumbs.appendChild(document.createTextNode("  \u203a  "));
      self.crumbs.appendChild(a);
    });
  };

  // the node at ``path`` in the current view, and the chain of nodes down to it
  Treemap.prototype.find = function (path) {
    var found = null;
    (function walk(node, nodePath, chain) {
      (node.children || []).forEach(function (child) {
        var p = join(node, nodePath, child);
        if (found) return;
        if (p === path && (child.children || []).length) found = chain.concat([{node: child,
                                                                                path: p}]);
        else walk(child, p, chain.concat([{node: child, path: p}]));
      });
    })(this.stack[0].node, "", []);
    return found;
  };

  var maps = all.map(function (d) { return new Treemap(d); });
  // report.html#view=directory&zoom=scipy/optimize opens the treemaps there
  var hash = decodeURIComponent(window.location.hash.slice(1));
  var wanted = /(?:^|&)view=(package|directory)/.exec(hash);
  var zoomTo = /(?:^|&)zoom=([^&]+)/.exec(hash);
  maps.forEach(function (m) {
    if (wanted && m.data.views[wanted[1]] !== m.data.views.package) m.show(wanted[1]);
    var chain = zoomTo && m.find(zoomTo[1]);
    if (chain) m.stack = m.stack.concat(chain);
    m.draw();
  });
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { maps.forEach(function (m) { m.draw(); }); }, 150);
  });
})();
"""
