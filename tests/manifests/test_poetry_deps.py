"""What a Poetry project declares, as lock edges with markers."""

from __future__ import annotations

from pathlib import Path

from slim_lambda.manifests import resolve_manifest
from slim_lambda.manifests.closure import Edge
from slim_lambda.manifests.poetry_deps import declared, poetry_edges
from tests.fixtures.projects import (
    LockWheelhouse,
    poetry_project,
)
from tests.manifests.helpers import (
    installed,
    pip_install,
)


def test_poetry_python_and_platform_constraints_become_markers(
        house: LockWheelhouse, tmp_path: Path) -> None:
    entry = poetry_project(tmp_path / "fn", house, lock_version="2.0")
    pyproject = entry / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'slimfix-devtool = "*"',
        'slimfix-devtool = { version = "*", python = "^3.10", platform = "linux" }'))

    plan = resolve_manifest(str(entry), groups=["dev"])

    assert ("slimfix-devtool==1.0.0 ; python_version < '4' and python_version >= '3.10' and "
            "sys_platform == 'linux' --hash=") in plan.requirements
    proc = pip_install(plan, tmp_path / "t", find_links=house.path)
    assert proc.returncode == 0, proc.stderr
    assert installed(tmp_path / "t")["slimfix-devtool"] == "1.0.0"


# -- declared, without files ----------------------------------------------------------------------

def test_poetry_tables_become_edges() -> None:
    deps = declared({"tool": {"poetry": {
        "name": "My_Fn",
        "dependencies": {"python": "^3.10", "Requests": "^2.31",
                         "numpy": [{"version": "<2", "python": "<3.12"},
                                   {"version": ">=2", "python": ">=3.12"}],
                         "orjson": {"version": "*", "optional": True, "extras": ["Fast"]}},
        "extras": {"speed": ["orjson"]},
        "dev-dependencies": {"pytest": "*"},
        "group": {"lint": {"dependencies": {"ruff": {"version": "*", "platform": "linux"}}}},
    }}})
    assert (deps.name, deps.python) == ("my-fn", "^3.10")
    assert deps.main == (
        Edge(name="requests", constraint="^2.31"),
        Edge(name="numpy", marker="python_version < '3.12'", constraint="<2"),
        Edge(name="numpy", marker="python_version >= '3.12'", constraint=">=2"))
    assert deps.extras == {"speed": (Edge(name="orjson", extras=("fast",), constraint="*"),)}
    assert deps.groups == {"dev": (Edge(name="pytest", constraint="*"),),
                           "lint": (Edge(name="ruff", marker='sys_platform == "linux"',
                                         constraint="*"),)}


def test_pep621_dependencies_win_over_poetry_tables() -> None:
    deps = declared({
        "project": {"name": "fn", "requires-python": ">=3.11",
                    "dependencies": ["requests>=2 ; os_name == 'posix'"],
                    "optional-dependencies": {"fast": ["orjson[x]"]}},
        "tool": {"poetry": {"dependencies": {"python": "^3.10", "flask": "*"}}}})
    assert deps.python == ">=3.11"
    assert deps.main == (Edge(name="requests", marker="os_name == 'posix'", constraint=">=2"),)
    assert deps.extras == {"fast": (Edge(name="orjson", extras=("x",), constraint="*"),)}
    assert deps.groups == {}


def test_poetry_markers_python_and_platform_combine() -> None:
    (edge,) = poetry_edges("a", {"version": "1", "markers": "os_name == 'posix' or x == 'y'",
                                 "python": "<3.10 || >=3.12", "platform": "linux"})
    assert edge.marker == ("(os_name == 'posix' or x == 'y') and ((python_version < '3.10') or "
                           "(python_version >= '3.12')) and sys_platform == \"linux\"")
