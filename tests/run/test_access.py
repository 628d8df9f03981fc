"""run/access.py: which file access a build uses, and why (no Docker needed here)."""

from __future__ import annotations

import itertools

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.options import BundlingOptions
from slim_lambda.run.access import (
    FILE_ACCESS_ENV,
    choose_access,
    requested_access,
    unseen_error,
)

_hosts = itertools.count()


def fresh_host() -> str:
    """A socket no other test probed (answers are kept per engine for the process)."""
    return f"unix:///run/test-access-{next(_hosts)}.sock"


def never() -> bool:
    raise AssertionError("the probe must not run")


def test_the_environment_overrides_the_option_and_says_so() -> None:
    options = BundlingOptions(file_access="bind")
    assert requested_access(options, {}) == ("bind", "bundling.file_access")
    assert requested_access(options, {FILE_ACCESS_ENV: "copy"}) == ("copy", FILE_ACCESS_ENV)
    assert requested_access(BundlingOptions(), {}) == ("auto", "bundling.file_access")


def test_an_unknown_value_names_where_it_came_from() -> None:
    with pytest.raises(ConfigurationError,
                       match=r"(?s)" + FILE_ACCESS_ENV + r".*'mount' is not one of"):
        requested_access(BundlingOptions(), {FILE_ACCESS_ENV: "mount"})


@pytest.mark.parametrize("host", ["tcp://docker:2375", "tcp://127.0.0.1:2376",
                                  "ssh://builder@ci.example"])
def test_auto_copies_for_a_remote_address_without_probing(host: str) -> None:
    access = choose_access("auto", host, never)
    assert access.mode == "copy"
    assert host in access.reason and "file_access 'auto'" in access.reason


@pytest.mark.parametrize("requested", ["bind", "copy"])
def test_an_explicit_choice_is_kept_and_never_probes(requested: str) -> None:
    access = choose_access(requested, "tcp://docker:2375", never, FILE_ACCESS_ENV)
    assert (access.mode, access.reason) == (requested, f"{FILE_ACCESS_ENV}={requested!r}")


def test_auto_on_a_local_socket_asks_the_probe_once_per_engine() -> None:
    calls: list[str] = []

    def sees(answer: bool, host: str) -> bool:
        calls.append(host)
        return answer

    blind, seeing = fresh_host(), fresh_host()
    for _ in range(3):
        assert choose_access("auto", blind, lambda: sees(False, blind)).mode == "copy"
        assert choose_access("auto", seeing, lambda: sees(True, seeing)).mode == "bind"
    assert calls == [blind, seeing]
    assert "cannot see this host's files" in choose_access("auto", blind, never).reason


def test_the_bind_error_names_the_option_and_the_fix() -> None:
    text = str(unseen_error("unix:///var/run/docker.sock", "no /tmp/slim-lambda-1-x there"))
    assert "bundling.file_access='copy'" in text and "SLIM_LAMBDA_FILE_ACCESS=copy" in text
    assert "unix:///var/run/docker.sock" in text and "/tmp/slim-lambda-1-x" in text
