"""A resolved request for a tiny entry, built without Docker: fixtures for the plan/ and
run/ unit tests (imported by their conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from slim_lambda.options import BundlingOptions, SizeLimits, SlimOptions
from slim_lambda.plan.request import BuildRequest
from slim_lambda.plan.resolve import resolve_request

MakeRequest = Callable[..., BuildRequest]


@pytest.fixture
def entry(tmp_path: Path) -> Path:
    entry = tmp_path / "entry"
    entry.mkdir()
    (entry / "index.py").write_text("def handler(event, context):\n    return 1\n")
    (entry / "requirements.txt").write_text("requests==2.31.0\n")
    return entry


@pytest.fixture
def make_request(entry: Path) -> MakeRequest:
    def make(**kw: Any) -> BuildRequest:
        args: dict[str, Any] = dict(
            where="test", entry=str(entry), runtime="python3.11", architecture="x86_64",
            index="index.py", handler="handler", bundling=BundlingOptions(),
            slim=SlimOptions(), limits=SizeLimits(), image_env="img:{runtime}-{arch}")
        args.update(kw)
        request, _handler = resolve_request(**args)
        return request
    return make
