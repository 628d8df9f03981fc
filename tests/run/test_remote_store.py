"""The store's read-ahead stream: bytes in order, short reads, the end, and a connection
that breaks mid-object becoming the store's error (a warning and a local build). No
Docker, no network: the body is an in-memory stream that fails where told."""

from __future__ import annotations

import io

import pytest

from slim_lambda.errors import RemoteCacheError
from slim_lambda.plan.remote import RemoteCache
from slim_lambda.run import remote_store
from slim_lambda.run.remote_store import S3Store, Stream


class _Body(io.BytesIO):
    """A response body that resets the connection after ``good`` bytes."""

    def __init__(self, data: bytes, good: int | None = None) -> None:
        super().__init__(data)
        self.good = good

    def read(self, n: int | None = -1) -> bytes:
        if self.good is not None and self.tell() >= self.good:
            raise ConnectionResetError("connection reset by peer")
        return super().read(n)


def _stream(body: _Body) -> Stream:
    return Stream(S3Store(RemoteCache("team-cache", "p/"), client=object()), "p/k/u.tar.zst",
                  body)


def test_the_stream_returns_every_byte_in_order_then_the_end() -> None:
    data = bytes(range(256)) * 20_000  # five 1 MiB chunks
    stream = _stream(_Body(data))
    got = bytearray()
    while chunk := stream.read(100_000):
        assert len(chunk) <= 100_000
        got += chunk
    assert bytes(got) == data and stream.read(10) == b""
    stream.close()


def test_a_connection_reset_mid_object_is_the_stores_error() -> None:
    stream = _stream(_Body(b"x" * (3 << 20), good=1 << 20))
    assert stream.read(1 << 20) == b"x" * (1 << 20)
    with pytest.raises(RemoteCacheError) as e:
        stream.read(10)
    assert "downloading s3://team-cache/p/k/u.tar.zst failed: connection reset" in str(e.value)
    stream.close()


def test_builds_in_one_environment_share_one_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """A synth of many functions makes one S3 client; another AWS environment (another
    endpoint, other credentials) gets its own."""
    pytest.importorskip("boto3")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    remote = RemoteCache("team-cache", "p/")
    first = S3Store(remote).client
    assert S3Store(remote).client is first
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:2")
    other = S3Store(remote).client
    assert other is not first and other.meta.endpoint_url == "http://127.0.0.1:2"


def test_the_client_is_made_ahead_once_per_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The construct and then its build both ask for the client ahead: one thread makes it."""
    started: list[str] = []

    class Thread:
        def __init__(self, *, target: object, name: str, daemon: bool) -> None:
            self.name = name

        def start(self) -> None:
            started.append(self.name)

    monkeypatch.setattr(remote_store.threading, "Thread", Thread)
    monkeypatch.setattr(remote_store, "_WARMING", set())
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:3")
    remote_store.warm_client()
    remote_store.warm_client()
    assert started == ["slim-lambda-s3-client"]
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4")
    remote_store.warm_client()
    assert len(started) == 2
