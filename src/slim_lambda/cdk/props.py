"""The CDK keywords a construct passes through, checked so a mistake names itself.

SlimPythonFunction is a drop-in ``aws_lambda.Function`` and SlimPythonLayerVersion an
``aws_lambda.LayerVersion``: the common props are typed parameters, every other keyword
goes to CDK as is (``**kwargs``), so a prop that a newer aws-cdk-lib adds works without a
release of ours. What CDK would refuse with a bare ``TypeError`` (a name it does not know,
a value of the wrong type), and keywords the construct sets itself (``code``), become the
construct's :class:`~slim_lambda.errors.ConfigurationError`, naming the keyword and the fix.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..errors import ConfigurationError

__all__ = ["accepted_keywords", "cdk_rejects", "given", "keyword_problems"]


@functools.cache
def accepted_keywords(base: type) -> frozenset[str]:
    """The props the installed aws-cdk-lib's ``base`` construct takes."""
    init = base.__init__  # type: ignore[misc]  # the class's own, not an instance's
    params = inspect.signature(init).parameters.values()
    return frozenset(p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY)


def _cdk_name(base: type) -> str:
    return f"aws_lambda.{base.__name__}"


def keyword_problems(base: type, kwargs: Mapping[str, Any],
                     owned: Mapping[str, str]) -> list[str]:
    """A problem for each keyword in ``kwargs`` the construct sets itself (``owned``: name
    → what to do instead) or that ``base`` does not take (with the closest name it does)."""
    accepted = accepted_keywords(base)
    problems = []
    for name in kwargs:
        if name in owned:
            problems.append(f"{name}: {owned[name]}")
        elif name not in accepted:
            close = difflib.get_close_matches(name, sorted(accepted - set(owned)), n=1)
            hint = f"did you mean {close[0]}=...?" if close else "remove it"
            problems.append(f"{name}: not an option of {_cdk_name(base)} (aws-cdk-lib "
                            f"{_cdk_version()}); {hint}")
    return problems


def given(**props: Any) -> dict[str, Any]:
    """The typed props that were passed (None means "not given", as in CDK)."""
    return {name: value for name, value in props.items() if value is not None}


@contextmanager
def cdk_rejects(where: str, base: type) -> Iterator[None]:
    """Turn the ``TypeError`` CDK raises for a prop's value (jsii checks every argument's
    type) into a :class:`ConfigurationError` that names the construct and the keyword."""
    try:
        yield
    except TypeError as e:
        match = re.search(r"argument ([\w.]+)", str(e))
        name = match.group(1) if match else "options"
        raise ConfigurationError(where, [f"{name}: {_cdk_name(base)} rejects it: {e}"]) from e


def _cdk_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("aws-cdk-lib")
    except PackageNotFoundError:
        return "version unknown"
