"""Where the team's remote dependency cache is, and what this build may do with it: pure.

CI runners start with an empty local cache; a bucket shared by the team gives them the
finished trees another machine built. The URL comes from ``bundling.remote_cache``, else
``$SLIM_LAMBDA_REMOTE_CACHE``, else the CDK context key ``slim-lambda:remote-cache`` (the
same precedence as the build image). Whether this build may upload (a pull-request build
should not: a writer can ship code into everyone's functions) and whether a remote that
fails is an error are read from the environment at build time. The URL is where a cache
lives, like ``cache_dir``: it is in neither hash, since it never changes what is built.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ENTRY_FORMAT", "MANIFEST_NAME", "REMOTE_CONTEXT_KEY", "REMOTE_ENV", "REMOTE_EXTRA",
           "REQUIRED_ENV", "WRITE_ENV", "RemoteCache", "remote_cache", "remote_problems",
           "remote_url"]

REMOTE_ENV = "SLIM_LAMBDA_REMOTE_CACHE"
REMOTE_CONTEXT_KEY = "slim-lambda:remote-cache"
WRITE_ENV = "SLIM_LAMBDA_REMOTE_CACHE_WRITE"
"""``0``: read the remote cache, never upload to it (untrusted builds)."""
REQUIRED_ENV = "SLIM_LAMBDA_REMOTE_CACHE_REQUIRED"
"""``1``: a remote that fails (down, denied, slow) fails the build instead of a warning."""
REMOTE_EXTRA = ("boto3", "zstandard")
"""What ``pip install 'slim-lambda[s3]'`` brings, imported only when a remote is set."""
ENTRY_FORMAT = 2
"""The layout of a remote entry (its object and its manifest), bumped when a reader of the
old one could misread the new one. It names the manifest, so clients of two formats that
share a bucket each see only their own entries (format 1 was one tar.zst)."""
MANIFEST_NAME = f"manifest-v{ENTRY_FORMAT}.json"
"""The last object an upload writes under an entry's prefix: the entry is there once it is."""
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class RemoteCache:
    """An S3 location and what this build may do with it."""

    bucket: str
    prefix: str
    """``""`` or a key prefix ending in ``/``."""
    write: bool = True
    required: bool = False

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def entry_prefix(self, key: str) -> str:
        """Every object of one entry lives under this: its manifest and its uploads."""
        return f"{self.prefix}{key}/"

    def manifest_key(self, key: str) -> str:
        return f"{self.entry_prefix(key)}{MANIFEST_NAME}"

    def shares_key(self, key: str) -> str:
        """The entry's exact zip shares, created once someone measured them."""
        return f"{self.entry_prefix(key)}shares-v{ENTRY_FORMAT}.json"

    def object_key(self, key: str, upload_id: str) -> str:
        return f"{self.entry_prefix(key)}{upload_id}.zst"


def remote_url(option: str | None, env: str | None, context: Any) -> str | None:
    """The option, else the environment, else the context; None when none is set."""
    for value in (option, env, context):
        if value:
            return value if isinstance(value, str) else repr(value)
    return None


def parse(url: str) -> tuple[str, str] | str:
    """``(bucket, prefix)`` of an ``s3://bucket/prefix`` URL, or what is wrong with it."""
    if not url.startswith("s3://"):
        return f"{url!r} is not an s3://bucket/prefix URL"
    bucket, _, prefix = url[len("s3://"):].partition("/")
    if not _BUCKET.fullmatch(bucket):
        return f"{url!r}: {bucket!r} is not an S3 bucket name"
    prefix = "/".join(p for p in prefix.split("/") if p)
    if any(part in (".", "..") for part in prefix.split("/")):
        return f"{url!r}: the prefix may not contain '.' or '..'"
    return bucket, prefix + "/" if prefix else ""


def remote_problems(url: str | None, extra: tuple[str, ...] = REMOTE_EXTRA) -> list[str]:
    """What is wrong with a configured remote: the URL, or a missing module of the ``s3``
    extra."""
    if url is None:
        return []
    parsed = parse(url)
    if isinstance(parsed, str):
        return [f"bundling.remote_cache: {parsed}; give s3://BUCKET/PREFIX "
                f"(or set {REMOTE_ENV} / the {REMOTE_CONTEXT_KEY!r} context key)"]
    missing = [m for m in extra if importlib.util.find_spec(m) is None]
    if missing:
        return [f"bundling.remote_cache: {url} needs {' and '.join(missing)}: "
                "pip install 'slim-lambda[s3]'"]
    return []


def remote_cache(url: str | None, required: bool = False,
                 environ: Mapping[str, str] = os.environ) -> RemoteCache | None:
    """The remote for a resolved URL (:func:`remote_problems` found none), with the
    read-only and required switches of ``environ``."""
    if url is None:
        return None
    parsed = parse(url)
    assert not isinstance(parsed, str), parsed
    write = environ.get(WRITE_ENV, "1").strip().lower() not in _FALSE
    required = required or environ.get(REQUIRED_ENV, "0").strip().lower() not in (*_FALSE, "")
    return RemoteCache(parsed[0], parsed[1], write=write, required=required)
