"""The remote cache's configuration: URL, precedence, switches, problems. No Docker."""

from __future__ import annotations

from pathlib import Path

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.options import BundlingOptions
from slim_lambda.plan.keys import deps_key, fingerprint
from slim_lambda.plan.remote import (
    REQUIRED_ENV,
    WRITE_ENV,
    RemoteCache,
    parse,
    remote_cache,
    remote_problems,
    remote_url,
)
from slim_lambda.plan.request import Target
from tests.requests import MakeRequest


@pytest.mark.parametrize(("url", "bucket", "prefix"), [
    ("s3://team-cache", "team-cache", ""),
    ("s3://team-cache/", "team-cache", ""),
    ("s3://team.cache/slim", "team.cache", "slim/"),
    ("s3://b12/a//b/", "b12", "a/b/"),
])
def test_urls_parse_to_a_bucket_and_a_normalized_prefix(url: str, bucket: str, prefix: str
                                                        ) -> None:
    assert parse(url) == (bucket, prefix)
    remote = remote_cache(url, environ={})
    assert remote is not None and remote.url == f"s3://{bucket}/{prefix}"
    assert remote.manifest_key("k" * 64) == f"{prefix}{'k' * 64}/manifest-v2.json"
    assert remote.object_key("k" * 64, "u1").startswith(remote.entry_prefix("k" * 64))


@pytest.mark.parametrize(("url", "says"), [
    ("team-cache/x", "not an s3://bucket/prefix URL"),
    ("https://team-cache/x", "not an s3://bucket/prefix URL"),
    ("s3://", "is not an S3 bucket name"),
    ("s3://Team_Cache/x", "is not an S3 bucket name"),
    ("s3://team-cache/a/../b", "'..'"),
])
def test_bad_urls_are_a_problem_naming_the_option_and_the_form(url: str, says: str) -> None:
    (problem,) = remote_problems(url)
    assert problem.startswith("bundling.remote_cache: ") and says in problem
    assert "s3://BUCKET/PREFIX" in problem


def test_a_missing_extra_is_a_problem_naming_the_extra() -> None:
    (problem,) = remote_problems("s3://team-cache/x", extra=("slim_lambda_no_such_module",))
    assert "slim_lambda_no_such_module" in problem
    assert "pip install 'slim-lambda[s3]'" in problem
    assert remote_problems("s3://team-cache/x") == []  # the dev extra has boto3 and zstandard


def test_the_option_wins_over_the_environment_which_wins_over_the_context() -> None:
    assert remote_url("s3://a/o", "s3://a/e", "s3://a/c") == "s3://a/o"
    assert remote_url(None, "s3://a/e", "s3://a/c") == "s3://a/e"
    assert remote_url(None, "", "s3://a/c") == "s3://a/c"
    assert remote_url(None, None, None) is None
    assert remote_url(None, None, 12) == "12"  # a context value of another type: reported


@pytest.mark.parametrize(("environ", "write", "required"), [
    ({}, True, False),
    ({WRITE_ENV: "0"}, False, False),
    ({WRITE_ENV: "false"}, False, False),
    ({WRITE_ENV: "1", REQUIRED_ENV: "1"}, True, True),
    ({REQUIRED_ENV: "0"}, True, False),
    ({REQUIRED_ENV: ""}, True, False),
])
def test_switches_come_from_the_environment(environ: dict[str, str], write: bool,
                                            required: bool) -> None:
    assert remote_cache("s3://team-cache/p", environ=environ) == RemoteCache(
        "team-cache", "p/", write=write, required=required)
    assert remote_cache(None, environ=environ) is None


def test_the_required_option_needs_no_environment() -> None:
    remote = remote_cache("s3://team-cache", True, environ={})
    assert remote is not None and remote.required


def test_resolve_request_resolves_the_url_once_and_reports_a_bad_one(
        make_request: MakeRequest) -> None:
    request = make_request(remote_env="s3://env-bucket/p", remote_context="s3://ctx-bucket")
    assert request.bundling.remote_cache == "s3://env-bucket/p"
    request = make_request(remote_context="s3://ctx-bucket")
    assert request.bundling.remote_cache == "s3://ctx-bucket"
    with pytest.raises(ConfigurationError, match=r"bundling\.remote_cache: 'bucket' is not"):
        make_request(bundling=BundlingOptions(remote_cache="bucket"))


def test_the_remote_is_in_neither_hash(make_request: MakeRequest, entry: Path) -> None:
    """Where a cache lives never changes what is built (like cache_dir)."""
    target = Target(mode="docker", image_id="sha256:1", can_strip=True, can_compile=True,
                    can_import=True)
    plain = make_request()
    remote = make_request(bundling=BundlingOptions(remote_cache="s3://team-cache/x",
                                                   remote_cache_required=True))
    assert fingerprint(plain) == fingerprint(remote)
    assert deps_key(plain, target) == deps_key(remote, target)
