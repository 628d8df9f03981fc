"""Markers: combined as text along dependency paths, Poetry's Python constraints as
markers, and evaluation for the target Lambda runtime (never this host). No files."""

from __future__ import annotations

import platform
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import Marker

from slim_lambda.manifests.markers import (
    admits_python,
    atoms,
    drop_extra,
    may_hold,
    python_marker,
    render,
    target_environments,
)
from slim_lambda.manifests.versions import satisfies
from slim_lambda.platform import ARCHITECTURES, RUNTIMES

PY310 = RUNTIMES["python3.10"].python
PY312 = RUNTIMES["python3.12"].python


# -- text -----------------------------------------------------------------------------------------

def test_atoms_split_plain_conjunctions_with_single_quotes() -> None:
    assert atoms('sys_platform == "linux"  and python_version<"3.11"') == {
        "sys_platform == 'linux'", "python_version<'3.11'"}
    assert atoms("a == '1' or b == '2'") == {"a == '1' or b == '2'"}, "kept whole"
    assert atoms("(a == '1') and b == '2'") == {"(a == '1') and b == '2'"}
    assert atoms(None) == atoms("") == frozenset()


def test_render_drops_implied_paths_and_unconditional_ones_win() -> None:
    linux, old = "sys_platform == 'linux'", "python_version < '3.11'"
    assert render([frozenset({linux, old}), frozenset({linux})]) == linux
    assert render([frozenset({linux}), frozenset()]) is None, "reached unconditionally"
    assert render([]) is None
    assert render([frozenset({old}), frozenset({linux})]) == f"{old} or {linux}"
    assert render([frozenset({old, linux}), frozenset({"os_name == 'posix'"})]) == (
        f"os_name == 'posix' or ({old} and {linux})")
    assert render([frozenset({"a == '1' or b == '2'", linux})]) == (
        f"(a == '1' or b == '2') and {linux}")


@pytest.mark.parametrize(("marker", "expected"), [
    ('extra == "cext"', None),
    ('sys_platform == "linux" and extra == "cext"', 'sys_platform == "linux"'),
    ("extra == 'cext' and python_version < '3.11'", "python_version < '3.11'"),
    ('(extra == "cext")', None),
    ('extra == "a" or extra == "b"', None),
    ('sys_platform == "linux"', 'sys_platform == "linux"'),
    (None, None),
])
def test_drop_extra(marker: str | None, expected: str | None) -> None:
    assert drop_extra(marker) == expected


@pytest.mark.parametrize(("constraint", "expected"), [
    ("^3.10", "python_version >= '3.10' and python_version < '4'"),
    ("~3.10.2", "python_full_version >= '3.10.2' and python_version < '3.11'"),
    (">=3.8,<3.12", "python_version >= '3.8' and python_version < '3.12'"),
    ("3.11.*", "python_version == '3.11.*'"),
    ("!=3.11.4", "python_full_version != '3.11.4'"),
    ("^2.7 || ^3.6", "(python_version >= '2.7' and python_version < '3') or "
                     "(python_version >= '3.6' and python_version < '4')"),
    ("*", None),
    (">=3.8 || *", None),
])
def test_python_marker(constraint: str, expected: str | None) -> None:
    assert python_marker(constraint) == expected


def test_python_marker_full_compares_the_full_version() -> None:
    assert python_marker(">3.11,<3.13", full=True) == (
        "python_full_version > '3.11' and python_full_version < '3.13'")


# -- the target runtime ---------------------------------------------------------------------------

def test_target_environments_are_the_runtime_not_this_host() -> None:
    envs = target_environments(PY312)
    assert {e["python_version"] for e in envs} == {"3.12"}
    assert {e["python_full_version"] for e in envs} >= {"3.12.0", "3.12.9"}
    assert {e["sys_platform"] for e in envs} == {"linux"}
    assert {e["platform_system"] for e in envs} == {"Linux"}
    assert {e["platform_machine"] for e in envs} == {
        a.wheel_machine for a in ARCHITECTURES.values()} == {"x86_64", "aarch64"}
    assert all(e["platform_release"] != platform.release() for e in envs)


@pytest.mark.parametrize(("marker", "on310", "on312"), [
    ("python_version < '3.11'", True, False),
    ("python_version >= '3.11'", False, True),
    ("python_full_version >= '3.12.1'", False, True),
    ("python_full_version < '3.10.5'", True, False),
    ("sys_platform == 'linux' and python_version == '3.10'", True, False),
    ("sys_platform == 'win32'", False, False),
    ("sys_platform == 'darwin' or platform_system == 'Windows'", False, False),
    ("platform_machine == 'aarch64'", True, True),  # arm64 Lambdas
    ("platform_machine == 'armv7l'", False, False),
    ("implementation_name == 'pypy'", False, False),
    (None, True, True),
])
def test_may_hold_for_python310_and_python312(marker: str | None, on310: bool,
                                              on312: bool) -> None:
    assert may_hold(marker, PY310) is on310
    assert may_hold(marker, PY312) is on312


def test_may_hold_does_not_ask_this_host() -> None:
    other = PY310 if sys.version_info[:2] != (3, 10) else PY312
    host = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert not may_hold(f"python_version == '{host}'", other)
    assert may_hold(f"python_version == '{other}'", other)


def test_may_hold_with_extras() -> None:
    marker = "sys_platform == 'linux' and extra == 'cext'"
    assert not may_hold(marker, PY312)
    assert may_hold(marker, PY312, extras=("cext",))
    assert not may_hold(marker, PY312, extras=("docs",))
    assert may_hold("extra == 'Fast_Math'", PY312, extras=("fast-math",)), "normalized"


def test_a_marker_packaging_cannot_evaluate_may_hold() -> None:
    assert may_hold("python_version ~= '3'", PY310)
    assert may_hold("not a marker", PY310)


@pytest.mark.parametrize(("constraint", "on310", "on312"), [
    (">=3.11", False, True),
    (">3.10", True, True),  # 3.10.1 > 3.10: requires-python compares the full version
    ("<3.11", True, False),
    ("!=3.10.*", False, True),
    ("^3.10", True, True),
    ("~3.10", True, False),
    (">=3.8,<3.11", True, False),
    ("<3.10 || >=3.12", False, True),
    ("==3.10.7", True, False),
    ("*", True, True),
    ("", True, True),
    (None, True, True),
])
def test_admits_python(constraint: str | None, on310: bool, on312: bool) -> None:
    assert admits_python(constraint, PY310) is on310
    assert admits_python(constraint, PY312) is on312


# -- properties -----------------------------------------------------------------------------------

clauses = st.sampled_from([
    "sys_platform == 'linux'", "sys_platform == 'win32'", "python_version < '3.11'",
    "python_version >= '3.12'", "python_full_version >= '3.10.3'",
    "platform_machine == 'aarch64'", "platform_machine == 'x86_64'", "os_name == 'posix'",
    "python_version == '3.10' or platform_machine == 'x86_64'",
])
paths = st.lists(st.frozensets(clauses, max_size=3), max_size=4)


@given(paths, st.sampled_from(sorted(r.python for r in RUNTIMES.values())))
def test_render_keeps_the_meaning_of_the_paths(conjs: list[frozenset[str]],
                                                python_version: str) -> None:
    """In every environment of the runtime, the rendered marker holds exactly when some
    path's clauses all hold (None: always)."""
    rendered = render(conjs)
    for env in target_environments(python_version)[::7]:
        expected = any(all(Marker(c).evaluate(env) for c in conj) for conj in conjs)
        if rendered is None:
            assert expected or not conjs
        else:
            assert Marker(rendered).evaluate(env) is expected


versions = st.lists(st.integers(min_value=0, max_value=13), min_size=1, max_size=3).map(
    lambda parts: ".".join(map(str, ["3", *map(str, parts)][:3])))
python_constraints = st.lists(
    st.tuples(st.sampled_from([">=", "<", "<=", ">", "==", "!=", "^", "~"]), versions).map(
        "".join), min_size=1, max_size=2).map(",".join)


@given(python_constraints, st.sampled_from(sorted(r.python for r in RUNTIMES.values())))
def test_full_python_marker_means_the_constraint(constraint: str, python_version: str) -> None:
    """requires-python's meaning: the marker holds for a release exactly when the release
    meets the constraint."""
    marker = python_marker(constraint, full=True)
    for env in target_environments(python_version)[::2]:
        meets = satisfies(env["python_full_version"], constraint)
        assert (marker is None or Marker(marker).evaluate(env)) is meets
