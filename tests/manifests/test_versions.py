"""Versions and constraints: Poetry's ``^`` / ``~`` as PEP 440 clauses, matching by
``packaging``, requirements as far as a plan reads them. No files, no pip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from slim_lambda.manifests.versions import (
    alternatives,
    caret,
    parse_requirement,
    requirement_name,
    same_version,
    satisfies,
    tilde,
    version_key,
)


@pytest.mark.parametrize(("version", "upper"), [
    ("1.2.3", "2"), ("1.2", "2"), ("1", "2"), ("0.2.3", "0.3"), ("0.2", "0.3"),
    ("0.0.3", "0.0.4"), ("0.0", "0.1"), ("0", "1"), ("2.0.0rc1", "3"),
])
def test_caret_bumps_the_first_non_zero_part(version: str, upper: str) -> None:
    assert caret(version) == ((">=", version), ("<", upper))


@pytest.mark.parametrize(("version", "upper"), [
    ("1.2.3", "1.3"), ("1.2", "1.3"), ("1", "2"), ("0.0.3", "0.1"),
])
def test_tilde_bumps_the_minor_or_a_lone_major(version: str, upper: str) -> None:
    assert tilde(version) == ((">=", version), ("<", upper))


@pytest.mark.parametrize(("constraint", "expected"), [
    ("^1.2.3", (((">=", "1.2.3"), ("<", "2")),)),
    ("~1.2", (((">=", "1.2"), ("<", "1.3")),)),
    (">=1.0,<2", (((">=", "1.0"), ("<", "2")),)),
    (">= 1.0 <2", (((">=", "1.0"), ("<", "2")),)),
    ("1.2.3", ((("==", "1.2.3"),),)),
    ("=1.2.3", ((("==", "1.2.3"),),)),
    ("1.2.*", ((("==", "1.2.*"),),)),
    ("!=1.2.*", ((("!=", "1.2.*"),),)),
    (">=1.2.*", (((">=", "1.2"),),)),
    ("~=1.4", ((("~=", "1.4"),),)),
    ("^1.0 || ^2.0", (((">=", "1.0"), ("<", "2")), ((">=", "2.0"), ("<", "3")))),
    ("<1 | >=3", ((("<", "1"),), ((">=", "3"),))),
    ("*", ((),)),
    ("", ((),)),
])
def test_alternatives_are_pep440_clauses(
        constraint: str, expected: tuple[tuple[tuple[str, str], ...], ...]) -> None:
    assert alternatives(constraint) == expected


@pytest.mark.parametrize(("version", "constraint", "expected"), [
    ("1.9.9", "^1.2.3", True), ("2.0.0", "^1.2.3", False), ("1.2.2", "^1.2.3", False),
    ("0.2.9", "^0.2.3", True), ("0.3.0", "^0.2.3", False),
    ("0.0.3", "^0.0.3", True), ("0.0.4", "^0.0.3", False),
    ("1.2.9", "~1.2", True), ("1.3", "~1.2", False), ("1.2.4", "~1.2.3", True),
    ("1.3.0", "~1.2.3", False), ("1.9", "~1", True), ("2.0", "~1", False),
    ("1.9", "^1", True), ("2", "^1", False),
    ("1.2.7", "1.2.*", True), ("1.3", "1.2.*", False), ("1.3", "!=1.2.*", True),
    ("5.0", "*", True), ("5.0", "", True),
    ("1.5", "^1.0 || ^3.0", True), ("2.5", "^1.0 || ^3.0", False), ("3.1", "^1.0 || ^3.0", True),
    ("1.0", "==1.0.0", True), ("1.4.2", "~=1.4", True), ("2.0", "~=1.4", False),
    ("1.5.0rc1", "^1.0", True),  # a locked pre-release meets its constraint
    ("2.0.0rc1", "^1.0", False),  # a pre-release of the bound is below it, PEP 440 says
    ("not-a-version", ">=1.0", False), ("not-a-version", "*", True),
])
def test_satisfies(version: str, constraint: str, expected: bool) -> None:
    assert satisfies(version, constraint) is expected


def test_a_clause_packaging_rejects_constrains_nothing() -> None:
    assert satisfies("0.1", "~=1")  # ~= needs two parts: not PEP 440
    assert not satisfies("0.1", "~=1, >=1")


def test_same_version_and_order() -> None:
    assert same_version("1.0", "==1.0.0") and same_version("v1.0", "1.0")
    assert not same_version("1.0", "1.0.post1") and not same_version("1.0+local", "1.0")
    assert same_version("2013b", "2013B") and not same_version("1.0", "1.1")
    ordered = ["junk", "1.0rc1", "1.0", "1.0.post1", "1.9", "1.10"]
    assert sorted(reversed(ordered), key=version_key) == ordered


def test_parse_requirement() -> None:
    req = parse_requirement("Foo_Bar[X_y, b] (>=1.0,<2) ; python_version<'3.11'")
    assert req is not None
    assert (req.name, req.extras, req.marker, req.pin) == (
        "foo-bar", ("b", "x-y"), "python_version<'3.11'", None)
    pinned = parse_requirement("slimfix-top==1.0.0 ; sys_platform == 'linux'")
    assert pinned is not None and pinned.pin == "1.0.0"
    assert pinned.marker == "sys_platform == 'linux'", "the marker as written"
    url = parse_requirement("fn @ https://files.example/a;b.whl ; os_name == 'posix'")
    assert url is not None and url.marker == "os_name == 'posix'" and url.spec == ""
    for unpinned in ("foo==1.*", "foo==1.0,<2", "foo>=1.0", "foo"):
        req = parse_requirement(unpinned)
        assert req is not None and req.pin is None, unpinned
    for not_pep508 in ("./local", "https://x.example/y.whl", "foo ^1.0", "-e ."):
        assert parse_requirement(not_pep508) is None, not_pep508


def test_requirement_name_of_poetry_style_lines() -> None:
    assert requirement_name("PySocks (>=1.5.6,!=1.5.7)") == "pysocks"
    assert requirement_name("Foo.Bar ^1.0") == "foo-bar"


# -- properties -----------------------------------------------------------------------------------

releases = st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=4).map(
    lambda parts: ".".join(map(str, parts)))


def _padded(version: str, n: int) -> tuple[int, ...]:
    release = Version(version).release
    return (release + (0,) * n)[:n]


@given(releases, releases)
def test_caret_keeps_everything_up_to_the_first_non_zero_part(version: str, base: str) -> None:
    """``^base`` admits exactly the releases at or above ``base`` that agree with it up to
    and including its first non-zero part (a prefix, not a computed bound)."""
    parts = Version(base).release
    keep = next((i for i, p in enumerate(parts) if p), len(parts) - 1) + 1
    expected = (Version(version) >= Version(base)
                and _padded(version, keep) == _padded(base, keep))
    assert satisfies(version, f"^{base}") is expected


@given(releases, releases)
def test_tilde_keeps_the_major_and_a_given_minor(version: str, base: str) -> None:
    keep = 2 if len(Version(base).release) >= 2 else 1
    expected = (Version(version) >= Version(base)
                and _padded(version, keep) == _padded(base, keep))
    assert satisfies(version, f"~{base}") is expected


constraints = st.tuples(st.sampled_from(["^", "~", ">=", "<", "!=", "==", ""]), releases).map(
    "".join)


@given(releases, constraints, constraints)
def test_comma_and_space_are_and_bars_are_or(version: str, a: str, b: str) -> None:
    both = satisfies(version, a) and satisfies(version, b)
    assert satisfies(version, f"{a},{b}") is both
    assert satisfies(version, f"{a} {b}") is both
    assert satisfies(version, f"{a} || {b}") is (satisfies(version, a) or satisfies(version, b))
