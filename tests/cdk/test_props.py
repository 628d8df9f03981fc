"""Pass-through keywords: accepted by what the installed construct takes, not by a list of
ours, so a prop of a newer aws-cdk-lib works; the rest named, with the closest prop."""

from __future__ import annotations

from typing import Any

import pytest

from slim_lambda.cdk.props import accepted_keywords, cdk_rejects, given, keyword_problems
from slim_lambda.errors import ConfigurationError


class NewerFunction:
    """Stands for aws_lambda.Function of an aws-cdk-lib newer than any we know."""

    def __init__(self, scope: Any, id: str, *, code: Any, memory_size: float | None = None,
                 shiny_new_prop: str | None = None) -> None:
        """A construct's signature: scope and id, then keyword-only props."""


OWNED = {"code": "pass entry=... instead"}


def test_a_prop_we_never_heard_of_passes() -> None:
    assert accepted_keywords(NewerFunction) == {"code", "memory_size", "shiny_new_prop"}
    assert keyword_problems(NewerFunction, {"shiny_new_prop": "x", "memory_size": 1}, OWNED) == []


def test_unknown_and_owned_keywords() -> None:
    problems = keyword_problems(NewerFunction, {"shiny_new_prob": 1, "code": 2, "zzz": 3}, OWNED)
    assert problems[0].startswith("shiny_new_prob: not an option of aws_lambda.NewerFunction ")
    assert problems[0].endswith("; did you mean shiny_new_prop=...?")
    assert problems[1] == "code: pass entry=... instead"
    assert problems[2].endswith("; remove it")


def test_given_drops_what_was_not_passed() -> None:
    assert given(a=None, b=0, c=False, d=[]) == {"b": 0, "c": False, "d": []}


@pytest.mark.parametrize(("message", "named"), [
    ("type of argument memory_size must be one of (int, float); got str instead", "memory_size"),
    ("something else went wrong", "options"),
])
def test_cdk_type_errors_become_the_constructs(message: str, named: str) -> None:
    with pytest.raises(ConfigurationError) as info, cdk_rejects("SlimPythonFunction S/F",
                                                                NewerFunction):
        raise TypeError(message)
    assert info.value.problems == [f"{named}: aws_lambda.NewerFunction rejects it: {message}"]
    assert str(info.value).startswith("SlimPythonFunction S/F: 1 problem(s)")
    assert isinstance(info.value.__cause__, TypeError)
