"""Handler files are accepted exactly when Lambda's runtime can import them."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.plan.handler import handler_module, index_problem
from tests.requests import MakeRequest


@pytest.mark.parametrize("index", ["index.py", "my-handler.py", "api-v2/index.py",
                                   "app/main.py", "2024_job.py"])
def test_names_the_runtime_imports_are_accepted(index: str) -> None:
    assert index_problem(index) is None


@pytest.mark.parametrize(("index", "why"), [
    ("my.handler.py", "the dot in 'my.handler'"), ("api.v2/index.py", "the dot in 'api.v2'"),
    ("my handler.py", "whitespace"), ("a//b.py", "empty path part")])
def test_names_the_runtime_cannot_import_say_why(index: str, why: str) -> None:
    problem = index_problem(index)
    assert problem is not None and why in problem and repr(index) in problem


@pytest.mark.parametrize("index", ["my-handler.py", "api-v2/index.py"])
def test_the_runtime_really_imports_them(index: str, tmp_path: Path) -> None:
    """What Lambda's bootstrap does with the handler string we synthesize."""
    path = tmp_path / index
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("def handler(event, context):\n    return 42\n")
    handler = f"{handler_module(index)}.handler"
    module_name, function = handler.rsplit(".", 1)
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module(module_name.replace("/", "."))
        assert getattr(module, function)({}, None) == 42
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith(module_name.split(".")[0])]:
            del sys.modules[name]


def test_a_dashed_handler_resolves(entry: Path, make_request: MakeRequest) -> None:
    (entry / "api-v2").mkdir()
    (entry / "api-v2" / "index.py").write_text("def handler(event, context):\n    return 1\n")
    make_request(index="api-v2/index.py")
    with pytest.raises(ConfigurationError, match="reads as a package boundary"):
        make_request(index="api.v2/index.py")
