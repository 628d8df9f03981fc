"""The dependency meta's model against what the deps stage and the host write."""

from __future__ import annotations

from typing import get_type_hints

from slim_lambda.report.meta import DepsMeta

from .producers import added_keys, literal_keys


def test_the_meta_has_every_key_the_build_writes() -> None:
    (stage,) = literal_keys("pycs")
    host = added_keys("meta")
    assert {"label", "zip_engine"} <= host  # the scan finds them
    assert (stage | host) - set(get_type_hints(DepsMeta)) == set()


def test_the_meta_is_not_the_report() -> None:
    """The two literals are told apart by their keys; each is found once."""
    assert "unzipped_bytes" not in literal_keys("pycs")[0]
    assert "pycs" not in literal_keys("unzipped_bytes")[0]
