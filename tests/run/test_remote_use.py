"""What a build does when the remote cache fails: one warning, or an error when required;
never asked again by the same process; a read-only remote is never written. Real boto3
against a loopback port nobody listens on; no Docker."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from slim_lambda.errors import RemoteCacheError
from slim_lambda.plan.remote import RemoteCache
from slim_lambda.run.cache import DepsCache
from slim_lambda.run.remote_store import S3Store
from slim_lambda.run.remote_use import RemoteUse


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _client() -> Any:
    return boto3.session.Session().client(
        "s3", endpoint_url=f"http://127.0.0.1:{_closed_port()}", region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(connect_timeout=1, retries={"max_attempts": 1}))


def _use(name: str, *, write: bool = True, required: bool = False) -> RemoteUse:
    remote = RemoteCache("team-cache", f"{name}/", write=write, required=required)
    return RemoteUse(remote, lambda _line: None, S3Store(remote, _client()))


def test_a_remote_that_is_down_is_one_warning_and_is_not_asked_again(tmp_path: Path) -> None:
    cache = DepsCache(str(tmp_path))
    first = _use("down-once")
    assert first.fetch(cache, "a" * 64) is None
    assert first.state == "failed"
    (warning,) = first.warnings
    assert "remote cache: reading s3://team-cache/down-once/" in warning
    assert warning.endswith("; built locally without the remote cache")
    first.upload(cache.entry("a" * 64))  # the same build: no second warning
    assert len(first.warnings) == 1
    again = RemoteUse(first.remote, lambda _line: None,
                      S3Store(first.remote, client=object()))  # would fail if called
    assert again.fetch(cache, "a" * 64) is None
    (warning,) = again.warnings
    assert "earlier in this process; not asked again" in warning
    assert cache.entries() == [] and [p.name for p in (tmp_path / "deps").iterdir()] == []


def test_a_required_remote_that_is_down_is_an_error_naming_the_switch(tmp_path: Path) -> None:
    use = _use("down-required", required=True)
    with pytest.raises(RemoteCacheError, match="SLIM_LAMBDA_REMOTE_CACHE_REQUIRED=1"):
        use.fetch(DepsCache(str(tmp_path)), "b" * 64)


def test_a_read_only_remote_is_never_written(tmp_path: Path) -> None:
    use = _use("read-only", write=False)
    use.upload(DepsCache(str(tmp_path)).entry("c" * 64))  # no request: the port is closed
    assert use.state == "read-only" and use.warnings == []
    assert use.notices == ["cache: not uploaded to s3://team-cache/read-only/ "
                           "(SLIM_LAMBDA_REMOTE_CACHE_WRITE=0)"]


def test_without_a_remote_nothing_happens(tmp_path: Path) -> None:
    use = RemoteUse(None, lambda _line: None)
    assert use.fetch(DepsCache(str(tmp_path)), "d" * 64) is None
    use.upload(DepsCache(str(tmp_path)).entry("d" * 64))
    assert (use.state, use.notices, use.warnings, use.steps) == ("", [], [], [])
