"""The closure of a lock and the markers of the paths that reach each package."""

from __future__ import annotations

from pathlib import Path

from slim_lambda.manifests import resolve_manifest
from slim_lambda.manifests.closure import Edge, Key, Releases, walk
from tests.fixtures.projects import (
    MARKER_LINUX,
    LockWheelhouse,
    uv_project,
)


def test_a_package_reached_unconditionally_loses_its_marker(
        house: LockWheelhouse, tmp_path: Path) -> None:
    entry = uv_project(tmp_path / "fn", house)
    lock = entry / "uv.lock"
    lock.write_text(lock.read_text().replace(
        'dev = [\n    { name = "slimfix-devtool" },\n]',
        'dev = [\n    { name = "slimfix-devtool" },\n    { name = "slimfix-pure" },\n]'))
    plan = resolve_manifest(str(entry), groups=["dev"])
    assert "slimfix-pure==1.0.0 --hash" in plan.requirements
    assert f"slimfix-top==1.0.0 ; {MARKER_LINUX} --hash" in plan.requirements


# -- the walk, on a graph of its own --------------------------------------------------------------

def _graph_walk(graph: dict[Key, list[Edge]], extras: dict[tuple[Key, str], list[Edge]],
                roots: list[Edge]) -> dict[Key, list[frozenset[str]]]:
    def resolve(edge: Edge) -> list[Key]:
        return [key for key in graph if key[0] == edge.name]

    def edges_of(key: Key, extra: str | None) -> list[Edge]:
        return graph[key] if extra is None else extras.get((key, extra), [])
    return walk(roots, resolve, edges_of)


def test_walk_keeps_the_markers_of_every_path() -> None:
    a, b, c, d = ("a", "1"), ("b", "1"), ("c", "1"), ("d", "1")
    graph = {a: [Edge(name="c")], b: [Edge(name="c", marker="os_name == 'posix'")],
             c: [Edge(name="d")], d: []}
    reached = _graph_walk(graph, {}, [Edge(name="a", marker='sys_platform == "linux"'),
                                      Edge(name="b")])
    linux, posix = frozenset({"sys_platform == 'linux'"}), frozenset({"os_name == 'posix'"})
    assert reached[a] == [linux] and reached[b] == [frozenset()]
    assert sorted(reached[c], key=sorted) == sorted(reached[d], key=sorted) == [posix, linux]


def test_walk_follows_extras_and_an_unconditional_path_absorbs_the_others() -> None:
    a, x, y = ("a", "1"), ("x", "1"), ("y", "2")
    graph: dict[Key, list[Edge]] = {a: [], x: [], y: []}
    extras = {(a, "fast"): [Edge(name="x", marker="python_version < '3.11'")]}
    reached = _graph_walk(graph, extras, [Edge(name="a", extras=("fast",)),
                                          Edge(name="x", marker="os_name == 'posix'"),
                                          Edge(name="x")])
    assert reached[x] == [frozenset()]
    assert y not in reached


def test_releases_by_normalized_name_and_version() -> None:
    releases = Releases.of([{"name": "Foo_Bar", "version": "1.0"},
                            {"name": "foo.bar", "version": "2.0"}, {"name": "baz"}])
    assert [p["version"] for p in releases.named("foo-bar")] == ["1.0", "2.0"]
    assert releases[("foo-bar", "2.0")]["name"] == "foo.bar"
    assert releases[("baz", "")] == {"name": "baz"}
    assert releases.named("missing") == []
