"""run/access.py: which file access a build uses, and why (no Docker needed here)."""

from __future__ import annotations

import itertools

import pytest

from slim_lambda.errors import ConfigurationError
from slim_lambda.options import BundlingOptions
from slim_lambda.run.access import (
    FILE_ACCESS_ENV,
    choose_access,
    learn_blind,
    requested_access,
    unseen_error,
)
from slim_lambda.run.container_spec import UnseenMount

_hosts = itertools.count()


def fresh_host() -> str:
    """A socket no other test used (what runs learn is kept per engine for the process)."""
    return f"unix:///run/test-access-{next(_hosts)}.sock"


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
def test_auto_copies_for_a_remote_address(host: str) -> None:
    access = choose_access("auto", host)
    assert access.mode == "copy" and not access.assumed
    assert host in access.reason and "file_access 'auto'" in access.reason


@pytest.mark.parametrize("requested", ["bind", "copy"])
def test_an_explicit_choice_is_kept_and_never_only_assumed(requested: str) -> None:
    access = choose_access(requested, fresh_host(), FILE_ACCESS_ENV)
    assert (access.mode, access.reason) == (requested, f"{FILE_ACCESS_ENV}={requested!r}")
    assert not access.assumed


def test_auto_on_a_local_socket_assumes_bind_until_a_run_finds_the_engine_blind() -> None:
    """No probe container: the first build container checks it sees the work directory,
    and an engine found blind is copied to for the rest of the process."""
    blind, seeing = fresh_host(), fresh_host()
    assumed = choose_access("auto", blind)
    assert (assumed.mode, assumed.assumed) == ("bind", True)
    assert "its first container checks" in assumed.reason
    learned = learn_blind(blind)
    assert (learned.mode, learned.assumed) == ("copy", False)
    for _ in range(2):
        again = choose_access("auto", blind)
        assert again == learned and "cannot see this host's files" in again.reason
        assert choose_access("auto", seeing).mode == "bind"
    assert choose_access("bind", blind).mode == "bind"  # asked for: the error will say why


def test_the_bind_error_names_the_option_and_the_fix() -> None:
    error = unseen_error("unix:///var/run/docker.sock", "no /tmp/slim-lambda-1-x there")
    assert isinstance(error, UnseenMount)  # a stage that only assumed bind runs again
    text = str(error)
    assert "bundling.file_access='copy'" in text and "SLIM_LAMBDA_FILE_ACCESS=copy" in text
    assert "unix:///var/run/docker.sock" in text and "/tmp/slim-lambda-1-x" in text
