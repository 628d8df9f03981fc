"""The treemap's tree: a few hundred nodes that still add up to the whole bundle."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from slim_lambda.pipeline.distinfo import find_distributions
from slim_lambda.pipeline.sizes import measure_tree
from slim_lambda.pipeline.treemap import file_owners, tree_summary


def nodes(tree: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield tree
    for child in tree.get("children", []):
        yield from nodes(child)


def assert_adds_up(tree: dict[str, Any]) -> None:
    """Every opened directory's children add up to it, in bytes and in files."""
    for node in nodes(tree):
        if "children" in node:
            assert node["kind"] == "dir"
            assert sum(c["bytes"] for c in node["children"]) == node["bytes"], node["name"]
            assert sum(c["files"] for c in node["children"]) == node["files"], node["name"]
            sizes = [c["bytes"] for c in node["children"] if c["kind"] != "other"]
            assert sizes == sorted(sizes, reverse=True)


def big_bundle(seed: int = 7) -> dict[str, int]:
    """About 6,000 files shaped like a scientific bundle: a few huge shared objects,
    many small modules, deep package trees, bytecode beside the sources."""
    rng = random.Random(seed)
    files: dict[str, int] = {}
    for pkg in ("scipy", "numpy", "sklearn", "pandas", "narwhals", "joblib"):
        files[f"{pkg}.libs/lib{pkg}_blas.so"] = rng.randint(2_000_000, 25_000_000)
        for sub in range(rng.randint(5, 25)):
            for mod in range(rng.randint(5, 60)):
                base = f"{pkg}/sub{sub}/mod{mod}"
                files[base + ".py"] = rng.randint(200, 60_000)
                files[f"{pkg}/sub{sub}/__pycache__/mod{mod}.cpython-311.pyc"] = rng.randint(
                    200, 40_000)
            if rng.random() < 0.3:
                files[f"{pkg}/sub{sub}/_ext.cpython-311-x86_64-linux-gnu.so"] = rng.randint(
                    100_000, 4_000_000)
        files[f"{pkg}-1.0.dist-info/METADATA"] = 1_000
        files[f"{pkg}-1.0.dist-info/RECORD"] = 20_000
    files["index.py"] = 300
    return files


@pytest.mark.parametrize("max_nodes", [1, 2, 3, 10, 60, 400, 2000])
def test_never_more_nodes_than_asked_and_adds_up(max_nodes: int) -> None:
    files = big_bundle()
    tree = tree_summary(files, max_nodes=max_nodes)
    count = sum(1 for _ in nodes(tree))
    assert count <= max_nodes
    assert tree["bytes"] == sum(files.values()) and tree["files"] == len(files)
    assert_adds_up(tree)


def test_default_tree_is_small_and_shows_where_the_bytes_are() -> None:
    files = big_bundle()
    assert len(files) > 5_000
    tree = tree_summary(files)
    assert 100 < sum(1 for _ in nodes(tree)) <= 400
    assert len(json.dumps(tree)) < 60_000
    # every file of more than 1% of the bundle is a node of its own
    names = {n["name"] for n in nodes(tree)}
    for rel, size in files.items():
        if size > tree["bytes"] / 100:
            assert rel.rsplit("/", 1)[-1] in names, rel
    others = [n for n in nodes(tree) if n["kind"] == "other"]
    assert others and all(n["name"] == f"(other {n['files']:,} files)" for n in others)


def test_all_small_directory_stays_closed() -> None:
    files = {f"big/f{i}": 1_000_000 for i in range(3)}
    files |= {f"small/{i}.py": 10 for i in range(50)}
    tree = tree_summary(files, max_nodes=50)
    small = next(n for n in tree["children"] if n["name"] == "small")
    assert small["files"] == 50 and "children" not in small


def test_lone_subdirectories_read_as_one_path() -> None:
    tree = tree_summary({"python/lib/a.py": 10, "python/lib/b.py": 20, "python/x/c.py": 5})
    assert tree["name"] == "python"
    assert [c["name"] for c in tree["children"]] == ["lib", "x"]
    tree = tree_summary({"python/lib/site/a.py": 10, "other.py": 1}, name="bundle")
    assert tree["name"] == "bundle"
    assert tree["children"][0]["name"] == "python/lib/site"


def test_one_small_entry_is_shown_not_folded() -> None:
    files = {"a/big": 1_000_000, "a/tiny": 1}
    tree = tree_summary(files, max_nodes=5)
    assert [c["name"] for c in tree["children"]] == ["big", "tiny"]


def test_bad_max_nodes() -> None:
    with pytest.raises(ValueError, match="max_nodes must be at least 1"):
        tree_summary({"a": 1}, max_nodes=0)


def test_empty_bundle() -> None:
    assert tree_summary({}) == {"name": "", "kind": "dir", "bytes": 0, "files": 0}


def test_owners_of_a_real_install(installed_tree: Path) -> None:
    """pip's RECORD, bytecode compiled later (not in RECORD) and the dist-info all count."""
    import compileall

    assert compileall.compile_dir(str(installed_tree / "slimfix_pure"), quiet=1)
    sizes = measure_tree(str(installed_tree), zipped=False)
    owners = file_owners(sizes.file_bytes, find_distributions(str(installed_tree)))
    pycs = [rel for rel in sizes.file_bytes if rel.startswith("slimfix_pure/__pycache__/")]
    assert pycs and all(owners[rel] == "slimfix-pure" for rel in pycs)
    assert owners["slimfix_cext.libs/libslimfixhelper.so"] == "slimfix-cext"
    assert all(owners[rel] == "slimfix-pure" for rel in sizes.file_bytes
               if rel.startswith("slimfix_pure-"))

    tree = tree_summary(sizes.file_bytes, owners=owners)
    assert "package" not in tree  # two packages
    by_name = {c["name"]: c for c in tree["children"]}
    assert by_name["slimfix_pure"]["package"] == "slimfix-pure"
    assert by_name["slimfix_cext.libs"]["package"] == "slimfix-cext"
    for node in nodes(by_name["slimfix_cext"]):
        assert node["package"] == "slimfix-cext"


def test_owners_under_a_layer_prefix(installed_tree: Path) -> None:
    sizes = measure_tree(str(installed_tree), zipped=False)
    prefixed = {f"python/{rel}": size for rel, size in sizes.file_bytes.items()}
    owners = file_owners(prefixed, find_distributions(str(installed_tree)), prefix="python/")
    assert owners["python/slimfix_cext.libs/libslimfixhelper.so"] == "slimfix-cext"
    tree = tree_summary(prefixed, owners=owners)
    assert tree["name"] == "python" and tree["bytes"] == sizes.unzipped_bytes


def test_files_of_no_package_make_a_directory_mixed() -> None:
    files = {"pkg/a.py": 100, "pkg/b.py": 100, "mine/x.py": 10, "mixed/p.py": 5,
             "mixed/q.py": 5}
    owners = {"pkg/a.py": "pkg", "pkg/b.py": "pkg", "mixed/p.py": "pkg"}
    tree = tree_summary(files, owners=owners)
    by_name = {c["name"]: c for c in tree["children"]}
    assert by_name["pkg"]["package"] == "pkg"
    assert "package" not in by_name["mine"] and "package" not in by_name["mixed"]
