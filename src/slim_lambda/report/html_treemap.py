"""The treemap panel of the HTML report: where the bytes are, by package or by directory.

The server side only prepares data: the report's size tree as it is (by directory) and
regrouped by package (:func:`package_view`), with a colour per large package. The page's
script (``static/report.js``) draws the boxes from that JSON and zooms into them; a
report without a tree gets a one-level tree of its packages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .html_parts import GREY, PALETTE, esc, report_title
from .model import Report
from .parts import TreeNode

__all__ = ["NO_PACKAGE", "YOUR_CODE", "colors", "package_view", "treemap_panel"]

NO_PACKAGE = "(no package)"
YOUR_CODE = "(your code)"


def colors(report: Report) -> dict[str, str]:
    """Package name → its colour: the palette's, in order, for the largest; then grey."""
    return {p["name"]: PALETTE[i] if i < len(PALETTE) else GREY
            for i, p in enumerate(report["packages"])}


def _loose_label(report: Report) -> str:
    """What files of no package are: in a function's report, mostly the function's code."""
    return YOUR_CODE if report["user_code_bytes"] and not report["other_bytes"] else NO_PACKAGE


def _node(name: str, kind: str, size: int, files: int, package: str = "",
          children: list[TreeNode] | None = None) -> TreeNode:
    return {"name": name, "kind": kind, "bytes": size, "files": files, "package": package,
            "children": children or []}


def _tree_from_packages(report: Report) -> TreeNode:
    """A one-level tree when the report has no ``tree``: packages, your code, the rest."""
    children = [_node(p["name"], "package", p["bytes"], p["files"], p["name"])
                for p in report["packages"] if p["bytes"] > 0]
    for size, name in ((report["user_code_bytes"], YOUR_CODE), (report["other_bytes"],
                                                                NO_PACKAGE)):
        if size > 0:
            children.append(_node(name, "other", size, 0))
    children.sort(key=lambda c: -c["bytes"])
    return _node("", "dir", sum(c["bytes"] for c in children),
                 sum(c["files"] for c in children), children=children)


def package_view(tree: TreeNode, *, loose: str = NO_PACKAGE) -> TreeNode:
    """The directory tree regrouped by package: each package's topmost nodes under it.

    A node whose files all belong to one package goes, with its whole subtree, under
    that package, named by its path (``numpy.libs``); a node of several packages is
    opened; files of no package go under ``loose``.
    """
    groups: dict[str, list[TreeNode]] = {}

    def walk(node: TreeNode, path: str) -> None:
        if node["package"] or not node["children"]:
            groups.setdefault(node["package"] or loose, []).append({**node, "name": path})
            return
        for child in node["children"]:
            walk(child, f"{path}/{child['name']}" if path else child["name"])

    if tree["package"]:
        walk(tree, tree["name"] or tree["package"])
    else:
        for child in tree["children"]:
            walk(child, f"{tree['name']}/{child['name']}" if tree["name"] else child["name"])
    packages = []
    for name, nodes in groups.items():
        nodes.sort(key=lambda n: (-n["bytes"], n["name"]))
        packages.append(_node(name, "package", sum(n["bytes"] for n in nodes),
                              sum(n["files"] for n in nodes),
                              "" if name in (NO_PACKAGE, YOUR_CODE) else name, nodes))
    packages.sort(key=lambda p: (-p["bytes"], p["name"]))
    return _node("", "dir", tree["bytes"], tree["files"], children=packages)


def treemap_panel(report: Report, index: int, palette: Mapping[str, str]
                  ) -> tuple[str, dict[str, Any]]:
    """The panel's HTML and the data its script draws (by package and by directory)."""
    tree = report["tree"]
    by_directory = tree if tree is not None else _tree_from_packages(report)
    by_package = by_directory if tree is None else package_view(
        by_directory, loose=_loose_label(report))
    data = {"index": index, "title": report_title(report),
            "total": report["unzipped_bytes"] or by_directory["bytes"], "colors": dict(palette),
            "views": {"package": by_package, "directory": by_directory}}
    toggle = "" if tree is None else (
        '<div class="views" role="group" aria-label="treemap view">'
        '<button type="button" data-view="package" class="on">by package</button>'
        '<button type="button" data-view="directory">by directory</button></div>')
    legend = "".join(f'<span class="lg"><span class="sw" style="background:{color}"></span>'
                     f"{esc(name)}</span>" for name, color in palette.items() if color != GREY)
    if tree is not None or GREY in palette.values():
        legend += f'<span class="lg"><span class="sw" style="background:{GREY}"></span>other</span>'
    note = ("" if tree is not None else '<p class="note">This report has no directory tree: '
            "the treemap shows packages only.</p>")
    body = (f'<div class="panel"><div class="tm-head"><h3>Where the bytes are</h3>{toggle}</div>'
            f'<nav class="crumbs" id="crumbs-{index}"></nav>'
            f'<div class="treemap" id="treemap-{index}" data-index="{index}"></div>'
            f'<div class="tm-info" id="info-{index}">Hover a box for its size; click a directory '
            "to zoom in.</div>"
            '<noscript><p class="note">The treemap needs JavaScript; the tables below have the '
            f"same figures.</p></noscript>{note}"
            f'<div class="legend">{legend}</div></div>')
    return body, data
