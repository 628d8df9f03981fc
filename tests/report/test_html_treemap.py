from __future__ import annotations

from slim_lambda.report.html_treemap import colors, package_view, treemap_panel
from slim_lambda.report.load import load_tree

from .samples import REPORT, report


def test_package_view_regroups_the_tree() -> None:
    tree = load_tree({"name": "", "kind": "dir", "bytes": 110, "files": 5, "children": [
        {"name": "numpy", "kind": "dir", "bytes": 50, "files": 2, "package": "numpy",
         "children": [{"name": "a.so", "kind": "file", "bytes": 50, "files": 1,
                       "package": "numpy"}]},
        {"name": "google", "kind": "dir", "bytes": 40, "files": 2, "children": [
            {"name": "protobuf", "kind": "dir", "bytes": 30, "files": 1, "package": "protobuf"},
            {"name": "api", "kind": "dir", "bytes": 10, "files": 1, "package": "googleapis"}]},
        {"name": "numpy.libs", "kind": "dir", "bytes": 15, "files": 1, "package": "numpy"},
        {"name": "index.py", "kind": "file", "bytes": 5, "files": 1}]}, "test")
    view = package_view(tree, loose="(your code)")
    groups = {g["name"]: g for g in view["children"]}
    assert list(groups) == ["numpy", "protobuf", "googleapis", "(your code)"]
    assert [c["name"] for c in groups["numpy"]["children"]] == ["numpy", "numpy.libs"]
    assert groups["numpy"]["bytes"] == 65 and groups["numpy"]["files"] == 3
    assert [c["name"] for c in groups["protobuf"]["children"]] == ["google/protobuf"]
    assert groups["(your code)"]["package"] == ""  # no package (the model has the key, empty)
    assert sum(g["bytes"] for g in view["children"]) == tree["bytes"]


def test_a_tree_of_one_package_is_one_group() -> None:
    tree = load_tree({"name": "numpy", "bytes": 7, "files": 1, "package": "numpy",
                      "children": [{"name": "a.so", "bytes": 7, "files": 1,
                                    "package": "numpy"}]}, "test")
    view = package_view(tree)
    assert [(g["name"], g["bytes"], [c["name"] for c in g["children"]])
            for g in view["children"]] == [("numpy", 7, ["numpy"])]


def test_the_largest_packages_get_the_palette_and_the_rest_grey() -> None:
    thirteen = REPORT["packages"] + [{"name": "last", "version": "1", "bytes": 1, "files": 1}]
    palette = colors(report(REPORT, packages=thirteen))
    assert list(palette)[:2] == ["pkg0", "pkg1"] and len(set(palette.values())) == 13
    assert palette["pkg0"] == "#4e79a7" and palette["pkg11"] == "#8cd17d"
    assert palette["last"] == "#9aa3ad"


def test_without_a_tree_the_packages_make_one() -> None:
    r = report({"label": "F", "unzipped_bytes": 100, "user_code_bytes": 20, "other_bytes": 10,
                "packages": [{"name": "a", "version": "1", "bytes": 70, "files": 3},
                             {"name": "empty", "version": "1", "bytes": 0, "files": 0}]})
    body, data = treemap_panel(r, 3, colors(r))
    assert data["views"]["package"] is data["views"]["directory"]
    tree = data["views"]["package"]
    assert [(c["name"], c["kind"]) for c in tree["children"]] == [
        ("a", "package"), ("(your code)", "other"), ("(no package)", "other")]
    assert tree["bytes"] == 100 and data["title"] == "F" and data["total"] == 100
    assert 'id="treemap-3"' in body and "by directory" not in body
