"""The S3 edge of the remote cache: the only module that talks to boto3.

boto3 is an optional extra, imported when a remote is first used. Credentials come from
the standard AWS chain and the endpoint from it too (``AWS_ENDPOINT_URL``, which boto3
honours since 1.28.57). Timeouts are short and retries few, so a remote that is down or
slow costs seconds, not a synth; every boto3 and network error becomes one
:class:`~slim_lambda.errors.RemoteCacheError` here. Long transfers report their bytes and
speed through the session's progress line. One client serves every build of a process
with the same ``AWS_*`` environment (creating one took 0.1 s per function of a synth),
and :func:`warm_client` makes it on a thread while a fresh runner's construct hashes its
inputs (:func:`~.remote_use.warm_ahead`): importing boto3 and making the client took
0.3 s of its 2.3 s build.
"""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import RemoteCacheError
from ..plan.remote import MANIFEST_NAME, RemoteCache

__all__ = ["Meter", "S3Store", "Stream", "warm_client"]

CONNECT_SECONDS = 5
READ_SECONDS = 30
ATTEMPTS = 3
CHUNK = 1 << 20
_ABSENT = ("NoSuchKey", "404", "NotFound")
_TAKEN = ("PreconditionFailed", "412", "ConditionalRequestConflict", "409")
_Env = tuple[tuple[str, str], ...]
_CLIENTS: dict[_Env, Any] = {}
"""This process's S3 clients, by the ``AWS_*`` environment they were made in."""
_CLIENTS_LOCK = threading.Lock()
_WARMING: set[_Env] = set()
"""The environments whose client :func:`warm_client` has started making."""


def _aws_env() -> _Env:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))


def _shared_client() -> Any:
    """The S3 client for this environment: made once (boto3 clients are thread-safe)."""
    env = _aws_env()
    with _CLIENTS_LOCK:
        if env not in _CLIENTS:
            import boto3
            from botocore.config import Config

            _CLIENTS[env] = boto3.session.Session().client("s3", config=Config(
                connect_timeout=CONNECT_SECONDS, read_timeout=READ_SECONDS,
                retries={"max_attempts": ATTEMPTS, "mode": "standard"}))
        return _CLIENTS[env]


def warm_client() -> None:
    """Make this environment's client on a daemon thread, once (the construct and then its
    build both ask); a failure there is left for the first real use to raise, as it would
    have."""
    env = _aws_env()
    with _CLIENTS_LOCK:
        if env in _WARMING:
            return
        _WARMING.add(env)

    def make() -> None:
        with contextlib.suppress(Exception):  # raised again where the client is used
            _shared_client()
    threading.Thread(target=make, name="slim-lambda-s3-client", daemon=True).start()


class Meter:
    """Counts a transfer's bytes (boto3 calls it from its threads); says how far it got
    at most once a second, once it has taken more than a second."""

    def __init__(self, what: str, total: int, say: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.what, self.total, self._say, self._clock = what, total, say, clock
        self.bytes = 0
        self._start = self._last = clock()
        self._lock = threading.Lock()

    def __call__(self, n: int) -> None:
        with self._lock:
            self.bytes += n
            now = self._clock()
            if now - self._last < 1.0:
                return
            self._last = now
        self._say(f"{self.what}: {self.bytes / 1e6:.1f} of {self.total / 1e6:.1f} MB, "
                  f"{self.bytes / 1e6 / max(now - self._start, 1e-3):.1f} MB/s")

    @property
    def seconds(self) -> float:
        return round(self._clock() - self._start, 3)


class S3Store:
    """One remote cache's bucket and prefix, through one boto3 client."""

    def __init__(self, remote: RemoteCache, client: Any = None) -> None:
        self.remote = remote
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = _shared_client()
        return self._client

    def _call(self, what: str, key: str, fn: Callable[[], Any], absent: tuple[str, ...] = ()
              ) -> Any:
        """``fn()``; None for an error code in ``absent``; any other failure translated."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn()
        except ClientError as e:
            error = e.response.get("Error", {})
            code = str(error.get("Code", ""))
            if code in absent:
                return None
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
            raise RemoteCacheError(
                f"remote cache: {what} s3://{self.remote.bucket}/{key} failed: {code} "
                f"({status}) {error.get('Message', '')}".rstrip()) from e
        except (BotoCoreError, OSError) as e:
            raise RemoteCacheError(f"remote cache: {what} s3://{self.remote.bucket}/{key} "
                                   f"failed: {e}") from e

    def get(self, key: str) -> bytes | None:
        """A small object's bytes (a manifest), None when it does not exist."""
        found = self._call("reading", key, lambda: self.client.get_object(
            Bucket=self.remote.bucket, Key=key), _ABSENT)
        return None if found is None else self._call("reading", key, found["Body"].read)

    def exists(self, key: str) -> bool:
        return self._call("looking up", key, lambda: self.client.head_object(
            Bucket=self.remote.bucket, Key=key), _ABSENT) is not None

    def open(self, key: str) -> Stream:
        """A large object as a stream (one GET; errors while reading translated too)."""
        body = self._call("downloading", key, lambda: self.client.get_object(
            Bucket=self.remote.bucket, Key=key)["Body"])
        return Stream(self, key, body)

    def upload(self, path: str, key: str, meter: Meter) -> None:
        self._call("uploading", key, lambda: self.client.upload_file(
            path, self.remote.bucket, key, Callback=meter))

    def create(self, key: str, body: bytes) -> bool:
        """Put ``body`` at ``key`` unless something is there already (S3's conditional
        write): True when this call created it."""
        return self._call("writing", key, lambda: self.client.put_object(
            Bucket=self.remote.bucket, Key=key, Body=body, IfNoneMatch="*",
            ContentType="application/json"), _TAKEN) is not None

    def delete(self, key: str) -> None:
        self._call("deleting", key, lambda: self.client.delete_object(
            Bucket=self.remote.bucket, Key=key))

    def manifests(self) -> Iterator[tuple[str, int, float]]:
        """(key, bytes of the entry's objects, last modified) of every entry under the
        prefix that has a manifest."""
        pages = self._call("listing", self.remote.prefix, lambda: list(
            self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.remote.bucket, Prefix=self.remote.prefix)))
        sizes: dict[str, int] = {}
        done: dict[str, float] = {}
        for page in pages:
            for obj in page.get("Contents", []):
                key, _, name = obj["Key"][len(self.remote.prefix):].partition("/")
                sizes[key] = sizes.get(key, 0) + int(obj["Size"])
                if name == MANIFEST_NAME:
                    done[key] = obj["LastModified"].timestamp()
        for key in sorted(done, key=done.__getitem__):
            yield key, sizes[key], done[key]


class Stream:
    """A response body read ahead by a thread, so the network and the unpacking overlap
    (the unpacker decompresses and writes while the next megabytes arrive); read errors
    (a reset, a read timeout) are the store's. Close it."""

    def __init__(self, store: S3Store, key: str, body: Any, ahead: int = 16) -> None:
        self.store, self.key, self.body = store, key, body
        self._queue: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=ahead)
        self._stop = threading.Event()
        self._chunk, self._at, self._eof = b"", 0, False
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        item: bytes | BaseException
        try:
            while True:
                item = self.body.read(CHUNK)
                self._put(item)
                if not item:
                    return
        except Exception as e:
            self._put(e)

    def _put(self, item: bytes | BaseException) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (fewer at a chunk's end), b"" at the end."""
        while self._at >= len(self._chunk) and not self._eof:
            item = self._queue.get()
            if isinstance(item, BaseException):
                self._eof = True
                self.store._call("downloading", self.key, functools.partial(_raise, item))
                return b""  # not reached: _call raised
            self._chunk, self._at, self._eof = item, 0, not item
        end = len(self._chunk) if n < 0 else self._at + n
        data = self._chunk[self._at:end]
        self._at += len(data)
        return data

    def close(self) -> None:
        self._stop.set()
        self.body.close()


def _raise(e: BaseException) -> None:
    raise e
